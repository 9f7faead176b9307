import type { JsonValue, RawDocument } from '../../../store/index.js';
import type { ParsedRecord, ParseOutcome, RecordError } from '../../connector.js';
import { FeedError } from '../../errors.js';
import { parseOsvDocument } from '../osv/index.js';
import { describe, isObject } from './json.js';

/*
 * parse: a raw GHSA document is either
 *   - a page of GitHub's REST API `GET /advisories` (a JSON array of advisories; a single advisory
 *     object, as `GET /advisories/{ghsa_id}` returns it, is accepted too): one record per
 *     advisory, keyed by ghsa_id, or an error item per malformed element; or
 *   - an OSV record from the github/advisory-database (an object with `id` and `modified`),
 *     parsed by the OSV connector.
 * Each record's DTO is tagged with its form so that `map` knows which mapper applies.
 */

export type GhsaDto =
  | { readonly form: 'rest'; readonly record: JsonValue }
  | { readonly form: 'osv'; readonly record: JsonValue };

export function isGhsaDto(value: JsonValue): value is GhsaDto & { [key: string]: JsonValue } {
  return isObject(value) && (value.form === 'rest' || value.form === 'osv') && value.record !== undefined;
}

function readJson(doc: RawDocument): JsonValue {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(doc.body);
  } catch (error) {
    throw new FeedError('MALFORMED_DOCUMENT', `${doc.documentId}: not UTF-8 text`, { cause: error });
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new FeedError('MALFORMED_DOCUMENT', `${doc.documentId}: not JSON: ${(error as Error).message}`, { cause: error });
  }
}

const GHSA_ID = /^GHSA(-[0-9a-z]{4}){3}$/i;

function restRecords(advisories: readonly JsonValue[]): ParseOutcome {
  const records: ParsedRecord[] = [];
  const errors: RecordError[] = [];
  advisories.forEach((advisory, i) => {
    if (!isObject(advisory)) {
      errors.push({ recordId: null, message: `advisory [${i}] is ${describe(advisory)}, expected an object` });
      return;
    }
    const id = advisory.ghsa_id;
    if (typeof id !== 'string' || !GHSA_ID.test(id)) {
      errors.push({ recordId: null, message: `advisory [${i}] has no valid ghsa_id (${JSON.stringify(id ?? null)})` });
      return;
    }
    records.push({ recordId: id, dto: { form: 'rest', record: advisory } });
  });
  return { records, errors };
}

/** Splits one raw GHSA document into records. Throws FeedError('MALFORMED_DOCUMENT'). */
export function parseGhsaDocument(doc: RawDocument): ParseOutcome {
  const json = readJson(doc);
  if (Array.isArray(json)) return restRecords(json);
  if (isObject(json) && typeof json.ghsa_id === 'string') return restRecords([json]);
  if (isObject(json) && typeof json.id === 'string' && typeof json.modified === 'string') {
    const outcome = parseOsvDocument(doc);
    return {
      records: outcome.records.map((r) => ({ recordId: r.recordId, dto: { form: 'osv', record: r.dto } })),
      errors: outcome.errors,
    };
  }
  throw new FeedError('MALFORMED_DOCUMENT',
    `${doc.documentId}: neither a GitHub advisories page (a JSON array) nor an OSV record (an object with "id" and "modified"), but ${describe(json)}`);
}
