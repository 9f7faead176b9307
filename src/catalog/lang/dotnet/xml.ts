import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CatalogError } from '../../analyzer.js';

/*
 * XML of NuGet and MSBuild files as plain objects: attributes prefixed "@", every element an
 * array (so one and many read alike), text as "#text", values as strings. Entities are not
 * expanded (no DOCTYPE games with untrusted files).
 */

export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
});

export function parseXmlFile(path: string, content: Buffer, what: string): XmlNode {
  const text = content.toString('utf8').replace(/^\uFEFF/, '');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new CatalogError('MALFORMED_FILE', `${path} is not well-formed XML (line ${valid.err.line}: ${valid.err.msg}): not ${what}`);
  }
  return parser.parse(text) as XmlNode;
}

/** The child elements named `name` (any case: MSBuild element names are case-insensitive). */
export function children(node: unknown, name: string): XmlNode[] {
  if (typeof node !== 'object' || node === null) return [];
  const out: XmlNode[] = [];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(node)) {
    if (key.toLowerCase() !== lower || !Array.isArray(value)) continue;
    for (const item of value) out.push(typeof item === 'object' && item !== null ? (item as XmlNode) : { '#text': String(item) });
  }
  return out;
}

/** An attribute (case-insensitive name), trimmed; undefined when absent. */
export function attribute(node: XmlNode, name: string): string | undefined {
  const lower = `@${name.toLowerCase()}`;
  for (const [key, value] of Object.entries(node)) if (key.toLowerCase() === lower && typeof value === 'string') return value.trim();
  return undefined;
}

/** The text of the first child element `name`, trimmed. */
export function childText(node: XmlNode, name: string): string | undefined {
  const child = children(node, name)[0];
  if (child === undefined) return undefined;
  const text = child['#text'];
  return typeof text === 'string' ? text.trim() : '';
}
