import {
  normalizeTimestamp, severityFromLabel, severityFromScore, type Provenance, type SeverityRating,
  type SourceAdvisory,
} from '../../../advisories/index.js';
import { CvssError, scoreVector, type CvssVersion } from '../../../cvss/index.js';
import type { JsonValue } from '../../../store/index.js';
import { FeedError } from '../../errors.js';
import { mapOsvRecord } from '../osv/index.js';
import { mapVulnerability } from './affected.js';
import {
  isObject, malformed, nonBlank, optArray, optNumber, optObject, optString, type JsonObject,
} from './json.js';
import { isGhsaDto } from './parse.js';

/*
 * map: one GitHub global security advisory (REST `GET /advisories` item, schema `global-advisory`
 * in github/rest-api-description) → SourceAdvisory. Malware advisories (type 'malware') are mapped
 * the same way. OSV-form records (from the advisory-database) go to the OSV connector's mapper.
 */

const RATING_TYPE: Readonly<Record<CvssVersion, SeverityRating['type']>> = {
  '2.0': 'CVSS_V2', '3.0': 'CVSS_V3', '3.1': 'CVSS_V3', '4.0': 'CVSS_V4',
};

function typeFromPrefix(vector: string): SeverityRating['type'] {
  if (vector.startsWith('CVSS:4.')) return 'CVSS_V4';
  return vector.startsWith('CVSS:3.') ? 'CVSS_V3' : 'CVSS_V2';
}

/**
 * One `{ vector_string, score }` entry. GitHub sends `cvss_v4: { vector_string: null, score: 0.0 }`
 * for "no v4 rating": no vector, no rating. A vector our scorer rejects is kept as written, with
 * GitHub's own score when it gives one (else UNKNOWN): the vector is data, the rejection is ours.
 */
function cvssRating(entry: JsonObject | undefined, where: string, provenance: Provenance): SeverityRating | undefined {
  if (entry === undefined) return undefined;
  const vector = nonBlank(optString(entry, 'vector_string', where));
  if (vector === undefined) return undefined;
  try {
    const result = scoreVector(vector);
    return { source: 'ghsa', type: RATING_TYPE[result.version], vector, score: result.baseScore, severity: result.baseSeverity, provenance };
  } catch (error) {
    if (!(error instanceof CvssError)) throw error;
    const score = optNumber(entry, 'score', where);
    const scored = score !== undefined && score > 0 ? { score, severity: severityFromScore(score) } : { severity: 'UNKNOWN' as const };
    return { source: 'ghsa', type: typeFromPrefix(vector), vector, ...scored, provenance };
  }
}

function severities(advisory: JsonObject, id: string, provenance: Provenance): SeverityRating[] {
  const bySeverity = optObject(advisory, 'cvss_severities', id);
  const entries: [JsonObject | undefined, string][] = [
    [bySeverity === undefined ? undefined : optObject(bySeverity, 'cvss_v3', `${id} cvss_severities`), `${id} cvss_v3`],
    [bySeverity === undefined ? undefined : optObject(bySeverity, 'cvss_v4', `${id} cvss_severities`), `${id} cvss_v4`],
    // The legacy field, kept by the API alongside cvss_severities: usually the v3 vector again.
    [optObject(advisory, 'cvss', id), `${id} cvss`],
  ];
  const out: SeverityRating[] = [];
  for (const [entry, where] of entries) {
    const rating = cvssRating(entry, where, provenance);
    if (rating !== undefined && !out.some((r) => r.vector === rating.vector)) out.push(rating);
  }
  const label = nonBlank(optString(advisory, 'severity', id));
  if (label !== undefined && label.toLowerCase() !== 'unknown') {
    out.push({ source: 'ghsa', type: 'LABEL', severity: severityFromLabel(label), label, provenance });
  }
  return out;
}

function aliases(advisory: JsonObject, id: string): string[] {
  const ids = new Set<string>();
  const cve = nonBlank(optString(advisory, 'cve_id', id));
  if (cve !== undefined) ids.add(cve);
  optArray(advisory, 'identifiers', id).forEach((identifier, i) => {
    if (!isObject(identifier)) throw malformed(id, `identifiers[${i}] is not an object`);
    const value = nonBlank(optString(identifier, 'value', `${id} identifiers[${i}]`));
    if (value !== undefined) ids.add(value);
  });
  ids.delete(id);
  return [...ids].sort();
}

function cwes(advisory: JsonObject, id: string): string[] {
  const out = new Set<string>();
  optArray(advisory, 'cwes', id).forEach((cwe, i) => {
    if (!isObject(cwe)) throw malformed(id, `cwes[${i}] is not an object`);
    const cweId = nonBlank(optString(cwe, 'cwe_id', `${id} cwes[${i}]`));
    if (cweId !== undefined) out.add(cweId);
  });
  return [...out];
}

/**
 * `html_url` (the advisory page) is the ADVISORY reference, `references[]` are WEB, and
 * `source_code_location` is the PACKAGE (as GitHub's OSV export types them); one entry per URL.
 */
function references(advisory: JsonObject, id: string): { url: string; type: string }[] {
  const byUrl = new Map<string, string>();
  const add = (url: string | undefined, type: string): void => {
    if (url !== undefined && !byUrl.has(url)) byUrl.set(url, type);
  };
  add(nonBlank(optString(advisory, 'html_url', id)), 'ADVISORY');
  optArray(advisory, 'references', id).forEach((ref, i) => {
    // Strings in the REST API; `{ url }` objects in GraphQL-shaped payloads.
    if (typeof ref === 'string') add(nonBlank(ref), 'WEB');
    else if (isObject(ref)) add(nonBlank(optString(ref, 'url', `${id} references[${i}]`)), 'WEB');
    else throw malformed(id, `references[${i}] is neither a URL nor an object`);
  });
  add(nonBlank(optString(advisory, 'source_code_location', id)), 'PACKAGE');
  return [...byUrl].map(([url, type]) => ({ url, type }));
}

function timestamp(advisory: JsonObject, key: string, id: string): string | undefined {
  const text = nonBlank(optString(advisory, key, id));
  if (text === undefined) return undefined;
  const normalized = normalizeTimestamp(text);
  if (normalized === undefined) throw malformed(id, `"${key}" is not a timestamp: ${JSON.stringify(text)}`);
  return normalized;
}

/** One REST advisory → SourceAdvisory. Throws FeedError('MALFORMED_RECORD'). */
export function mapGhsaRest(dto: JsonValue, provenance: Provenance): SourceAdvisory {
  if (!isObject(dto)) throw new FeedError('MALFORMED_RECORD', 'a GitHub advisory is a JSON object');
  const id = nonBlank(optString(dto, 'ghsa_id', 'advisory'));
  if (id === undefined) throw new FeedError('MALFORMED_RECORD', 'the advisory has no ghsa_id');
  const summary = nonBlank(optString(dto, 'summary', id));
  const details = nonBlank(optString(dto, 'description', id));
  const published = timestamp(dto, 'published_at', id);
  const modified = timestamp(dto, 'updated_at', id);
  const withdrawn = timestamp(dto, 'withdrawn_at', id);
  return {
    source: 'ghsa', id, aliases: aliases(dto, id), upstream: [], related: [],
    ...(summary === undefined ? {} : { summary }),
    ...(details === undefined ? {} : { details }),
    ...(published === undefined ? {} : { published }),
    ...(modified === undefined ? {} : { modified }),
    ...(withdrawn === undefined ? {} : { withdrawn }),
    severities: severities(dto, id, provenance),
    cwes: cwes(dto, id),
    references: references(dto, id),
    affected: optArray(dto, 'vulnerabilities', id).map((v, i) => mapVulnerability(v, i, id, provenance)),
    cpeConfigurations: [],
    sourceClass: 'ghsa',
    provenance,
  };
}

/** The connector's `map`: a DTO from parseGhsaDocument, REST or OSV form. */
export function mapGhsaDto(dto: JsonValue, provenance: Provenance): SourceAdvisory {
  if (!isGhsaDto(dto)) throw new FeedError('MALFORMED_RECORD', 'not a GHSA connector record (expected { form: "rest" | "osv", record })');
  return dto.form === 'rest' ? mapGhsaRest(dto.record, provenance) : mapOsvRecord(dto.record, provenance, 'ghsa');
}
