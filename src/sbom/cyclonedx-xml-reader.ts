import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SbomError } from './read-errors.js';
import { arr, isObject, type JsonObject } from './reader-json.js';

/** Nesting kept when shaping XML components (the JSON walker reports anything deeper than 64). */
const MAX_SHAPE_DEPTH = 70;

/** Numeric character references, which the parser leaves as written; named entities beyond XML's five never expand. */
function decodeCharRefs(value: string): string {
  return value.replace(/&#(x[0-9a-f]+|\d+);/gi, (whole, code: string) => {
    const point = code[0] === 'x' || code[0] === 'X' ? parseInt(code.slice(1), 16) : parseInt(code, 10);
    return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
  });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => ['component', 'property', 'license', 'expression'].includes(name),
  tagValueProcessor: (_name, value) => decodeCharRefs(value),
  attributeValueProcessor: (_name, value) => decodeCharRefs(value),
});

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['#text'] === 'string') return value['#text'];
  return undefined;
}

function shapeLicenses(licenses: unknown): JsonObject[] {
  if (!isObject(licenses)) return [];
  const out: JsonObject[] = [];
  for (const license of arr(licenses.license)) {
    if (isObject(license)) out.push({ license: { id: text(license.id), name: text(license.name) } });
  }
  for (const expression of arr(licenses.expression)) out.push({ expression: text(expression) });
  return out;
}

/** One XML <component> in the JSON shape the CycloneDX reader walks. */
function shapeComponent(value: unknown, depth: number): unknown {
  if (!isObject(value)) return value;
  const properties = isObject(value.properties)
    ? arr(value.properties.property).filter(isObject).map((p) => ({ name: p['@_name'], value: text(p) }))
    : [];
  const shaped: JsonObject = {
    type: value['@_type'], 'bom-ref': value['@_bom-ref'], name: text(value.name), group: text(value.group),
    version: text(value.version), purl: text(value.purl), licenses: shapeLicenses(value.licenses), properties,
  };
  if (isObject(value.components) && depth < MAX_SHAPE_DEPTH) {
    shaped.components = arr(value.components.component).map((c) => shapeComponent(c, depth + 1));
  }
  return shaped;
}

/** The spec version from the root element's namespace, e.g. http://cyclonedx.org/schema/bom/1.5 → "1.5". */
function namespaceVersion(xml: string): string | undefined {
  const match = /<(?:\w+:)?bom\b[^>]*xmlns(?::\w+)?\s*=\s*["']http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)["']/.exec(xml.slice(0, 8192));
  return match?.[1];
}

/**
 * Parses CycloneDX XML into the JSON document shape (bomFormat, specVersion, metadata.component,
 * components). A DOCTYPE is refused outright: CycloneDX never needs one and entities are a bomb risk.
 */
export function cycloneDxXmlToJson(xml: string, name: string): JsonObject {
  if (/<!DOCTYPE/i.test(xml)) throw new SbomError('MALFORMED', `${name}: XML with a DOCTYPE declaration is refused (entity expansion is disabled)`);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new SbomError('MALFORMED', `${name}: XML is not well-formed: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  let tree: unknown;
  try {
    tree = parser.parse(xml);
  } catch (error) {
    throw new SbomError('MALFORMED', `${name}: XML cannot be parsed (${(error as Error).message})`, { cause: error });
  }
  const bom = isObject(tree) ? tree.bom : undefined;
  if (!isObject(bom)) throw new SbomError('MALFORMED', `${name}: XML root element is not <bom>`);
  const metadata = isObject(bom.metadata) && bom.metadata.component !== undefined
    ? { component: shapeComponent(arr(bom.metadata.component)[0], 0) }
    : {};
  const components = isObject(bom.components) ? arr(bom.components.component).map((c) => shapeComponent(c, 0)) : [];
  return { bomFormat: 'CycloneDX', specVersion: namespaceVersion(xml), metadata, components };
}
