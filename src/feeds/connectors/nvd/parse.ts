import type { JsonValue, RawDocument } from '../../../store/index.js';
import type { ParsedRecord, ParseOutcome, RecordError } from '../../connector.js';
import { FeedError } from '../../errors.js';
import { isObject, kindOf, type JsonObject } from './reader.js';

/*
 * Splits one NVD raw document into CVE records. Three shapes are accepted:
 *   - a CVE API 2.0 response page: {resultsPerPage, startIndex, totalResults, …, vulnerabilities: [{cve}]};
 *   - a single `cve` object, as fkie-cad/nvd-json-data-feeds stores one file per CVE;
 *   - a single wrapped record {cve: {…}}.
 * One unreadable entry of a page becomes an error item; the others still count.
 */

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

export function parseNvdDocument(doc: RawDocument): ParseOutcome {
  const root = readJson(doc);
  if (!isObject(root)) {
    throw new FeedError('MALFORMED_DOCUMENT', `nvd ${doc.documentId}: expected a JSON object, got ${kindOf(root)}`);
  }
  if ('vulnerabilities' in root) return parsePage(doc, root);
  if ('cve' in root) return outcomeOf([readCve(root.cve, 'cve')]);
  if ('id' in root) return outcomeOf([readCve(root, '(record)')]);
  throw new FeedError(
    'MALFORMED_DOCUMENT',
    `nvd ${doc.documentId}: neither an API response page (vulnerabilities), a {cve} record nor a CVE object (id)`,
  );
}

function parsePage(doc: RawDocument, root: JsonObject): ParseOutcome {
  const list = root.vulnerabilities;
  if (!Array.isArray(list)) {
    throw new FeedError('MALFORMED_DOCUMENT', `nvd ${doc.documentId}: vulnerabilities is ${kindOf(list)}, not an array`);
  }
  return outcomeOf(list.map((item, index) => {
    const where = `vulnerabilities[${index}]`;
    if (!isObject(item)) return { recordId: null, message: `${where}: expected an object, got ${kindOf(item)}` };
    return readCve(item.cve, `${where}.cve`);
  }));
}

/** One CVE object checked just enough to be keyed: map() validates the rest. */
function readCve(value: JsonValue | undefined, where: string): ParsedRecord | RecordError {
  if (!isObject(value)) return { recordId: null, message: `${where}: expected a CVE object, got ${kindOf(value)}` };
  const id = value.id;
  if (typeof id !== 'string') return { recordId: null, message: `${where}: id is ${kindOf(id)}, not a string` };
  if (!CVE_ID.test(id)) return { recordId: id, message: `${where}: id ${JSON.stringify(id)} is not a CVE id` };
  return { recordId: id, dto: value };
}

function outcomeOf(items: readonly (ParsedRecord | RecordError)[]): ParseOutcome {
  const records: ParsedRecord[] = [];
  const errors: RecordError[] = [];
  for (const item of items) {
    if ('dto' in item) records.push(item);
    else errors.push(item);
  }
  return { records, errors };
}

function readJson(doc: RawDocument): JsonValue {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(doc.body);
  } catch (cause) {
    throw new FeedError('MALFORMED_DOCUMENT', `nvd ${doc.documentId}: not UTF-8 text`, { cause });
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new FeedError('MALFORMED_DOCUMENT', `nvd ${doc.documentId}: not JSON (${reason})`, { cause });
  }
}
