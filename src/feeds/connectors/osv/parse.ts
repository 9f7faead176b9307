import { isMap, isPair, isScalar, isSeq, parseDocument, Scalar, visit, type Node } from 'yaml';
import type { JsonValue, RawDocument } from '../../../store/index.js';
import type { ParseOutcome } from '../../connector.js';
import { FeedError } from '../../errors.js';
import { validateOsvRecord } from './validate.js';

/*
 * One raw document = one OSV record, as JSON (the OSV bucket, GitHub's advisory database) or YAML
 * (PyPA's advisory database, `--from` a clone of it). Bytes that are not JSON/YAML at all throw
 * MALFORMED_DOCUMENT; a readable document that is not a valid record comes back in `errors`.
 */

const YAML_NAME = /\.ya?ml$/i;

function isYaml(doc: RawDocument): boolean {
  return YAML_NAME.test(doc.documentId) || (doc.contentType ?? '').toLowerCase().includes('yaml');
}

function decode(doc: RawDocument): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(doc.body);
  } catch (error) {
    throw new FeedError('MALFORMED_DOCUMENT', `${doc.documentId}: not UTF-8 text`, { cause: error });
  }
}

const VERSION_KEYS = new Set(['introduced', 'fixed', 'last_affected', 'limit']);

function keyOf(node: unknown): unknown {
  return isPair(node) && isScalar(node.key) ? node.key.value : undefined;
}

/*
 * YAML reads a plain `fixed: 1.10` as the number 1.1. In the places that hold versions (range
 * events, `versions` lists) a plain number is put back to the text it was written as, so '1.10'
 * stays '1.10'; anywhere else numbers stay numbers.
 */
function keepVersionsAsText(node: Node): void {
  visit(node, {
    Scalar(_key, scalar, path) {
      if (typeof scalar.value !== 'number' || scalar.type !== Scalar.PLAIN || scalar.source === undefined) return;
      const parent = path[path.length - 1];
      const grand = path[path.length - 2];
      const inEvent = isPair(parent) && parent.value === scalar && VERSION_KEYS.has(String(keyOf(parent)));
      const inVersions = isSeq(parent) && keyOf(grand) === 'versions';
      if (inEvent || inVersions) scalar.value = scalar.source;
    },
  });
}

function readYaml(doc: RawDocument, text: string): unknown {
  const parsed = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const first = parsed.errors[0];
  if (first !== undefined) throw new FeedError('MALFORMED_DOCUMENT', `${doc.documentId}: not YAML: ${first.message}`, { cause: first });
  if (parsed.contents !== null && (isMap(parsed.contents) || isSeq(parsed.contents))) keepVersionsAsText(parsed.contents);
  return parsed.toJS({ maxAliasCount: 100 });
}

function readJson(doc: RawDocument, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FeedError('MALFORMED_DOCUMENT', `${doc.documentId}: not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Splits one raw OSV document into its record (pure). */
export function parseOsvDocument(doc: RawDocument): ParseOutcome {
  const text = decode(doc);
  const value = isYaml(doc) ? readYaml(doc, text) : readJson(doc, text);
  const checked = validateOsvRecord(value);
  if ('problems' in checked) {
    return { records: [], errors: [{ recordId: checked.id, message: `not a valid OSV record: ${checked.problems.join('; ')}` }] };
  }
  return { records: [{ recordId: checked.record.id, dto: checked.record as unknown as JsonValue }], errors: [] };
}
