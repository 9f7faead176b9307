import {
  normalizeTimestamp,
  type CpeConfiguration, type CpeMatch, type CpeNode, type Provenance, type SourceAdvisory,
} from '../../../advisories/index.js';
import type { JsonValue } from '../../../store/index.js';
import { isObject, kindOf, malformed, Reader } from './reader.js';
import { mapSeverities } from './severity.js';

/*
 * One NVD CVE object (API 2.0 `cve`) → SourceAdvisory. NVD names no aliases and no packages: its
 * CPE applicability stays in cpeConfigurations (CPE matching is opt-in, and OS packages are never
 * judged by CPE ranges), so `affected` is always empty.
 */

const REJECT_PREFIX = '** REJECT **';

export function mapNvdCve(dto: JsonValue, provenance: Provenance): SourceAdvisory {
  if (!isObject(dto)) throw malformed('(record)', `expected a CVE object, got ${kindOf(dto)}`);
  const id = dto.id;
  if (typeof id !== 'string' || id === '') throw malformed('(record)', `id is ${kindOf(id)}, not a CVE id`);
  const r = new Reader(id);
  const details = englishDescription(r, dto.descriptions);
  const published = timestamp(r, dto.published, 'published');
  const modified = timestamp(r, dto.lastModified, 'lastModified');
  const status = r.optionalString(dto.vulnStatus, 'vulnStatus');
  const rejected = status === 'Rejected' || (details?.startsWith(REJECT_PREFIX) ?? false);
  return {
    source: 'nvd',
    id,
    aliases: [],
    upstream: [],
    related: [],
    ...(details === undefined ? {} : { details }),
    ...(published === undefined ? {} : { published }),
    ...(modified === undefined ? {} : { modified }),
    ...(rejected ? { withdrawn: modified ?? published ?? provenance.recordedAt } : {}),
    severities: mapSeverities(r, dto.metrics, provenance),
    cwes: weaknesses(r, dto.weaknesses),
    references: references(r, dto.references),
    affected: [],
    cpeConfigurations: r.array(dto.configurations, 'configurations').map((c, i) => configuration(r, c, i, provenance)),
    sourceClass: 'nvd',
    provenance,
  };
}

function timestamp(r: Reader, value: JsonValue | undefined, path: string): string | undefined {
  const text = r.optionalString(value, path);
  if (text === undefined) return undefined;
  const normalized = normalizeTimestamp(text);
  if (normalized === undefined) r.fail(path, `${JSON.stringify(text)} is not an ISO-8601 timestamp`);
  return normalized;
}

function englishDescription(r: Reader, value: JsonValue | undefined): string | undefined {
  for (const [i, item] of r.array(value, 'descriptions').entries()) {
    const d = r.object(item, `descriptions[${i}]`);
    if (r.optionalString(d.lang, `descriptions[${i}].lang`) === 'en') return r.string(d.value, `descriptions[${i}].value`);
  }
  return undefined;
}

/** CWE ids as NVD writes them (NVD-CWE-Other / NVD-CWE-noinfo kept), first occurrence first. */
function weaknesses(r: Reader, value: JsonValue | undefined): string[] {
  const seen = new Set<string>();
  for (const [i, item] of r.array(value, 'weaknesses').entries()) {
    const w = r.object(item, `weaknesses[${i}]`);
    for (const [j, d] of r.array(w.description, `weaknesses[${i}].description`).entries()) {
      const cwe = r.string(r.object(d, `weaknesses[${i}].description[${j}]`).value, `weaknesses[${i}].description[${j}].value`);
      seen.add(cwe.trim());
    }
  }
  return [...seen];
}

/**
 * One entry per URL (NVD lists a URL once per source that cites it); the type is the first tag
 * any of its entries gives, else 'WEB'.
 */
function references(r: Reader, value: JsonValue | undefined): { url: string; type: string }[] {
  const byUrl = new Map<string, string | undefined>();
  for (const [i, item] of r.array(value, 'references').entries()) {
    const ref = r.object(item, `references[${i}]`);
    const url = r.string(ref.url, `references[${i}].url`);
    const tags = r.array(ref.tags, `references[${i}].tags`);
    const tag = tags.length === 0 ? undefined : r.string(tags[0], `references[${i}].tags[0]`);
    if (!byUrl.has(url) || byUrl.get(url) === undefined) byUrl.set(url, tag);
  }
  return [...byUrl].map(([url, tag]) => ({ url, type: tag ?? 'WEB' }));
}

function configuration(r: Reader, value: JsonValue, index: number, provenance: Provenance): CpeConfiguration {
  const path = `configurations[${index}]`;
  const c = r.object(value, path);
  const operator = operatorOf(r, c.operator, `${path}.operator`);
  const negate = r.optionalBoolean(c.negate, `${path}.negate`);
  return {
    ...(operator === undefined ? {} : { operator }),
    ...(negate === undefined ? {} : { negate }),
    nodes: r.array(c.nodes, `${path}.nodes`).map((n, i) => node(r, n, `${path}.nodes[${i}]`)),
    provenance,
  };
}

function node(r: Reader, value: JsonValue, path: string): CpeNode {
  const n = r.object(value, path);
  return {
    operator: operatorOf(r, n.operator, `${path}.operator`) ?? 'OR',
    negate: r.optionalBoolean(n.negate, `${path}.negate`) ?? false,
    cpeMatch: r.array(n.cpeMatch, `${path}.cpeMatch`).map((m, i) => cpeMatch(r, m, `${path}.cpeMatch[${i}]`)),
  };
}

const VERSION_BOUNDS = ['versionStartIncluding', 'versionStartExcluding', 'versionEndIncluding', 'versionEndExcluding'] as const;

function cpeMatch(r: Reader, value: JsonValue, path: string): CpeMatch {
  const m = r.object(value, path);
  const vulnerable = r.optionalBoolean(m.vulnerable, `${path}.vulnerable`);
  if (vulnerable === undefined) r.fail(`${path}.vulnerable`, 'missing');
  const out: { -readonly [K in keyof CpeMatch]: CpeMatch[K] } = {
    vulnerable,
    criteria: r.string(m.criteria, `${path}.criteria`),
  };
  const matchCriteriaId = r.optionalString(m.matchCriteriaId, `${path}.matchCriteriaId`);
  if (matchCriteriaId !== undefined) out.matchCriteriaId = matchCriteriaId;
  for (const bound of VERSION_BOUNDS) {
    const v = r.optionalString(m[bound], `${path}.${bound}`);
    if (v !== undefined) out[bound] = v;
  }
  return out;
}

function operatorOf(r: Reader, value: JsonValue | undefined, path: string): 'AND' | 'OR' | undefined {
  const op = r.optionalString(value, path);
  if (op === undefined || op === 'AND' || op === 'OR') return op;
  return r.fail(path, `operator ${JSON.stringify(op)} is neither AND nor OR`);
}
