import { isObject, str, type JsonObject } from './reader-json.js';
import { SbomError } from './read-errors.js';

export const SBOM_INPUT_FORMATS = [
  'cyclonedx-json', 'cyclonedx-xml', 'spdx-json', 'spdx-tag-value', 'spdx3-jsonld', 'syft-json', 'trivy-json',
] as const;
export type SbomInputFormat = (typeof SBOM_INPUT_FORMATS)[number];

export function isSbomInputFormat(value: string): value is SbomInputFormat {
  return (SBOM_INPUT_FORMATS as readonly string[]).includes(value);
}

/** A document after the cheap syntactic step: parsed JSON, or text for the XML / tag-value readers. */
export type ParsedInput = { kind: 'json'; doc: JsonObject } | { kind: 'text'; text: string };

/** First significant character, skipping a byte-order mark and whitespace. */
function firstChar(text: string): string {
  const match = /^\uFEFF?\s*(\S)/.exec(text);
  return match?.[1] ?? '';
}

function isSpdx3Context(context: unknown): boolean {
  const values = Array.isArray(context) ? context : [context];
  return values.some((value) => typeof value === 'string' && /spdx\.org\/rdf\/3\./.test(value));
}

/** Which JSON SBOM this object is, by the fields each format requires at its top level. */
export function detectJson(doc: JsonObject): SbomInputFormat | undefined {
  if (doc.bomFormat === 'CycloneDX') return 'cyclonedx-json';
  if (typeof doc.spdxVersion === 'string' && doc.spdxVersion.startsWith('SPDX-')) return 'spdx-json';
  if ('@graph' in doc && isSpdx3Context(doc['@context'])) return 'spdx3-jsonld';
  if (Array.isArray(doc.artifacts) && isObject(doc.descriptor) && str(doc.descriptor.name) === 'syft') return 'syft-json';
  if (Array.isArray(doc.artifacts) && isObject(doc.schema) && /anchore\/syft/.test(str(doc.schema.url) ?? '')) return 'syft-json';
  if (typeof doc.SchemaVersion === 'number' && ('Results' in doc || 'ArtifactName' in doc)) return 'trivy-json';
  return undefined;
}

/** Which text SBOM this is: CycloneDX XML (by its namespace) or SPDX tag-value (by its first tag). */
export function detectText(text: string): SbomInputFormat | undefined {
  if (firstChar(text) === '<') {
    const head = text.slice(0, 4096);
    return /<(?:\w+:)?bom\b[^>]*xmlns(?::\w+)?\s*=\s*["']http:\/\/cyclonedx\.org\/schema\/bom\//.test(head) ? 'cyclonedx-xml' : undefined;
  }
  const firstTag = text.replace(/^\uFEFF/, '').split('\n').map((line) => line.trim()).find((line) => line !== '' && !line.startsWith('#'));
  return firstTag !== undefined && /^SPDXVersion\s*:/.test(firstTag) ? 'spdx-tag-value' : undefined;
}

function describe(text: string): string {
  const head = text.replace(/^\uFEFF/, '').trimStart().slice(0, 40);
  return head === '' ? 'the input is empty' : `it starts with ${JSON.stringify(head)}`;
}

/** Parses JSON once (if the input is JSON) and tells the format; throws SbomError when none fits. */
export function detectFormat(text: string, name = 'input'): { format: SbomInputFormat; input: ParsedInput } {
  if (firstChar(text) === '{') {
    let doc: unknown;
    try {
      doc = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new SbomError('MALFORMED', `${name}: not valid JSON (${(error as Error).message})`, { cause: error });
    }
    if (!isObject(doc)) throw new SbomError('UNKNOWN_FORMAT', `${name}: JSON is not an object`);
    const format = detectJson(doc);
    if (format === undefined) {
      const keys = Object.keys(doc).slice(0, 8).join(', ');
      throw new SbomError('UNKNOWN_FORMAT', `${name}: JSON is none of CycloneDX, SPDX 2, SPDX 3, Syft or Trivy (top-level keys: ${keys || 'none'})`);
    }
    return { format, input: { kind: 'json', doc } };
  }
  const format = detectText(text);
  if (format === undefined) {
    throw new SbomError('UNKNOWN_FORMAT', `${name}: not a CycloneDX XML, SPDX tag-value or JSON SBOM; ${describe(text)}`);
  }
  return { format, input: { kind: 'text', text } };
}
