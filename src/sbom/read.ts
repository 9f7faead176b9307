import type { Inventory } from '../inventory/index.js';
import { readCycloneDx } from './cyclonedx-reader.js';
import { cycloneDxXmlToJson } from './cyclonedx-xml-reader.js';
import { detectFormat, detectJson, detectText, type ParsedInput, type SbomInputFormat } from './read-detect.js';
import { SbomError } from './read-errors.js';
import { isObject, type JsonObject } from './reader-json.js';
import { InventoryBuilder } from './reader-package.js';
import { readSpdx2 } from './spdx2-reader.js';
import { readSpdx3 } from './spdx3-reader.js';
import { spdxTagValueToJson } from './spdx-tagvalue-reader.js';
import { readSyft } from './syft-reader.js';
import { readTrivy } from './trivy-reader.js';

/** Inputs larger than this are refused before parsing (V8 strings top out near 512 MiB anyway). */
export const MAX_SBOM_BYTES = 512 * 1024 * 1024;

export interface ReadSbomOptions {
  /** Skip detection and read as this format (the document must still be that format's syntax). */
  readonly format?: SbomInputFormat;
  /** How to name the input in messages and issues, e.g. the file path. */
  readonly name?: string;
  /** Size limit in bytes; MAX_SBOM_BYTES unless lowered. */
  readonly maxBytes?: number;
  /** With detection (no `format`): refuse (MALFORMED) a document of any other format than these. */
  readonly accept?: readonly SbomInputFormat[];
}

const JSON_FORMATS: ReadonlySet<SbomInputFormat> = new Set(['cyclonedx-json', 'spdx-json', 'spdx3-jsonld', 'syft-json', 'trivy-json']);

function parseAs(format: SbomInputFormat, text: string, name: string): ParsedInput {
  if (!JSON_FORMATS.has(format)) return { kind: 'text', text };
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new SbomError('MALFORMED', `${name}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isObject(doc)) throw new SbomError('MALFORMED', `${name}: JSON is not an object`);
  const seen = detectJson(doc);
  if (seen !== format) throw new SbomError('MALFORMED', `${name}: asked to read ${format}, but the document is ${seen ?? 'no known SBOM format'}`);
  return { kind: 'json', doc };
}

function jsonDoc(input: ParsedInput, format: SbomInputFormat, builder: InventoryBuilder, name: string): JsonObject {
  if (input.kind === 'json') return input.doc;
  if (format === 'cyclonedx-xml') return cycloneDxXmlToJson(input.text, name);
  return spdxTagValueToJson(input.text, (line, content) => {
    builder.issue('MALFORMED_LINE', `line ${line}: not "Tag: value" (${JSON.stringify(content.slice(0, 60))}); ignored`);
  });
}

function dispatch(format: SbomInputFormat, doc: JsonObject, builder: InventoryBuilder, name: string): void {
  switch (format) {
    case 'cyclonedx-json':
    case 'cyclonedx-xml': return readCycloneDx(doc, builder, name);
    case 'spdx-json':
    case 'spdx-tag-value': return readSpdx2(doc, builder, name);
    case 'spdx3-jsonld': return readSpdx3(doc, builder, name);
    case 'syft-json': return readSyft(doc, builder, name);
    case 'trivy-json': return readTrivy(doc, builder, name);
  }
}

/**
 * Reads any supported SBOM into an Inventory: CycloneDX 1.4–1.6 (and 1.2, 1.3, 1.7) JSON and XML,
 * SPDX 2.2/2.3 JSON and tag-value, SPDX 3.0.x JSON-LD, Syft JSON, Trivy JSON. The format is detected
 * unless given. A document that cannot be read at all throws SbomError; a bad component becomes an
 * issue and the others are kept.
 */
export function readSbom(content: Buffer | string, options: ReadSbomOptions = {}): Inventory {
  const name = options.name ?? 'input';
  const size = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.length;
  const limit = Math.min(options.maxBytes ?? MAX_SBOM_BYTES, MAX_SBOM_BYTES);
  if (size > limit) throw new SbomError('TOO_LARGE', `${name}: ${size} bytes exceeds the ${limit}-byte limit for SBOMs`);
  const text = typeof content === 'string' ? content : content.toString('utf8');
  let format: SbomInputFormat;
  let input: ParsedInput;
  if (options.format === undefined) {
    ({ format, input } = detectFormat(text, name));
    if (options.accept !== undefined && !options.accept.includes(format)) {
      throw new SbomError('MALFORMED', `${name}: the document is ${format}, expected ${options.accept.join(' or ')}`);
    }
  } else {
    format = options.format;
    input = parseAs(format, text, name);
    if (input.kind === 'text' && detectText(text) !== format) throw new SbomError('MALFORMED', `${name}: asked to read ${format}, but the document is ${detectText(text) ?? 'no known SBOM format'}`);
  }
  const builder = new InventoryBuilder(format, options.name);
  dispatch(format, jsonDoc(input, format, builder, name), builder, name);
  return builder.build();
}
