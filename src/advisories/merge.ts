import { StellaError } from '../common/index.js';
import {
  aliasComponents, chooseKey, compareText, isPlaceholderId, joinedIds, normalizeAdvisoryId,
  upstreamIds, type AliasNode,
} from './alias-graph.js';
import {
  ADVISORY_SCHEMA_VERSION, type Advisory, type AffectedPackage, type ContributingRecord,
  type Field, type Provenance, type Reference, type SeverityRating, type SourceAdvisory, type SourceClass,
  type Weakness,
} from './model.js';
import { canonicalJson } from './normalize.js';

/*
 * The merge: SourceAdvisories that name the same vulnerability (alias-graph.ts) become one
 * Advisory. Pure and deterministic: the same set of records, in any order, gives the same bytes
 * (canonicalJson). Rules:
 * - Scalars (summary, details) come from the best record: precedence tier of its sourceClass, then
 *   the most recently modified, then source, then id. 'nvd' records fill a scalar only when no
 *   other record has it, whatever the configured tiers. published = earliest, modified = latest.
 * - Withdrawn records give ids and appear in `sources` but give no content, unless every record is
 *   withdrawn: then the advisory is withdrawn and its content is kept from them as history.
 * - affected: per package key (ecosystem, release, normalizedName), only the entries of the best
 *   tier present (by the entry's origin); within it, those of the most recently modified record.
 * - mergeAll fans a multi-upstream record (a DSA fixing several CVEs) out: its affected entries
 *   are also offered to the advisory of each upstream id that some record names (mergeGroup takes
 *   such records as its `fanIn` argument, for callers that merge group by group). It is not listed
 *   in that advisory's `sources` (it is not the same vulnerability); its entries keep their
 *   provenance and carry its id as sourceId. Its own upstream ids go to its `related`.
 */

export type MergeErrorCode = 'empty-group';

export interface MergeOptions {
  /** Precedence tiers, best first. Classes in no tier rank after every tier. */
  readonly precedence?: readonly (readonly SourceClass[])[];
}

export const DEFAULT_PRECEDENCE: readonly (readonly SourceClass[])[] = [
  ['distro'], ['vendor'], ['ghsa', 'osv'], ['regional'], ['nvd'],
];

/** An affected entry with the record it came from (for precedence between records). */
interface Candidate {
  readonly entry: AffectedPackage;
  readonly record: SourceAdvisory;
}

type Tier = (cls: SourceClass) => number;

/**
 * Merges records already known to name one vulnerability. `fanIn`: records of other groups that
 * name several upstream ids, one of them an id of this group (a DSA fixing this CVE and others);
 * their affected entries are offered to this group (sourceId = their id). Withdrawn ones, and
 * ones naming none of this group's ids, give nothing. mergeAll finds them itself.
 */
export function mergeGroup(
  records: readonly SourceAdvisory[], options?: MergeOptions, fanIn: readonly SourceAdvisory[] = [],
): Advisory {
  return mergeRecords(records, fanIn, tierFunction(options));
}

/** Groups records by alias (groupByAlias) and merges each group; sorted by key (chooseKey order). */
export function mergeAll(records: readonly SourceAdvisory[], options?: MergeOptions): Advisory[] {
  const byRef = new Map<string, SourceAdvisory[]>();
  const nodes: AliasNode[] = [];
  for (const record of records) {
    const ref = recordRef(record);
    const list = byRef.get(ref) ?? [];
    if (list.length === 0) byRef.set(ref, list);
    list.push(record);
    nodes.push({ ref, id: record.id, aliases: record.aliases, upstream: record.upstream });
  }
  const components = aliasComponents(nodes);
  const groups = components.map((c) => c.refs.flatMap((ref) => byRef.get(ref) ?? []));
  const fanIn = fanInRecords(components, groups);
  const tier = tierFunction(options);
  return groups.map((group, i) => mergeRecords(group, fanIn[i] ?? [], tier));
}

/** For each component, the multi-upstream records of other components that name one of its ids. */
function fanInRecords(components: readonly { readonly ids: readonly string[] }[], groups: readonly SourceAdvisory[][]): SourceAdvisory[][] {
  const componentOfId = new Map<string, number>();
  components.forEach((c, i) => c.ids.forEach((id) => isPlaceholderId(id) || componentOfId.set(id, i)));
  const fanIn = components.map(() => new Set<SourceAdvisory>());
  groups.forEach((group, from) => {
    for (const record of group) {
      const upstream = upstreamIds(record);
      if (upstream.length < 2 || record.withdrawn !== undefined) continue;
      for (const id of upstream) {
        const to = componentOfId.get(id);
        if (to !== undefined && to !== from) fanIn[to]?.add(record);
      }
    }
  });
  return fanIn.map((set) => [...set]);
}

/** The affected entries fan-in records offer to a group with these ids. */
function fanInCandidates(fanIn: readonly SourceAdvisory[], ids: ReadonlySet<string>): Candidate[] {
  return fanIn.flatMap((record) => {
    const upstream = upstreamIds(record);
    const sourceId = normalizeAdvisoryId(record.id);
    const offers = upstream.length > 1 && record.withdrawn === undefined && !ids.has(sourceId) && upstream.some((id) => ids.has(id));
    if (!offers) return [];
    return record.affected.map((entry) => ({ entry: { ...entry, sourceId }, record }));
  });
}

function mergeRecords(records: readonly SourceAdvisory[], fanIn: readonly SourceAdvisory[], tier: Tier): Advisory {
  if (records.length === 0) throw new StellaError<MergeErrorCode>('empty-group', 'mergeGroup: expected at least 1 record, got 0');
  const ranked = [...records].sort(compareRecords(tier));
  const allWithdrawn = ranked.every((r) => r.withdrawn !== undefined);
  const content = allWithdrawn ? ranked : ranked.filter((r) => r.withdrawn === undefined);
  const ids = new Set(ranked.flatMap((r) => joinedIds(r)));
  const key = chooseKey(ids);
  const related = new Set(ranked.flatMap((r) => [...r.related.map(normalizeAdvisoryId), ...multiUpstream(r)]));
  const candidates = [...content.flatMap((record) => record.affected.map((entry) => ({ entry, record }))), ...fanInCandidates(fanIn, ids)];
  return {
    schemaVersion: ADVISORY_SCHEMA_VERSION,
    key,
    aliases: [...ids].filter((id) => id !== key).sort(compareText),
    related: [...related].filter((id) => id !== '' && !ids.has(id)).sort(compareText),
    ...optional('summary', pickText(content, 'summary')),
    ...optional('details', pickText(content, 'details')),
    ...optional('published', pickTime(content, 'published', 'earliest')),
    ...optional('modified', pickTime(ranked, 'modified', 'latest')),
    ...optional('withdrawn', allWithdrawn ? pickTime(ranked, 'withdrawn', 'latest') : undefined),
    severities: mergeSeverities(content),
    cwes: mergeCwes(content),
    references: mergeReferences(content),
    affected: selectAffected(candidates, tier),
    cpeConfigurations: uniqueSorted(content.flatMap((r) => r.cpeConfigurations)),
    sources: uniqueSorted(ranked.map(contributing), compareContributing),
  };
}

function tierFunction(options: MergeOptions | undefined): Tier {
  const tiers = options?.precedence ?? DEFAULT_PRECEDENCE;
  const index = new Map<SourceClass, number>();
  tiers.forEach((classes, i) => classes.forEach((cls) => index.has(cls) || index.set(cls, i)));
  return (cls) => index.get(cls) ?? tiers.length;
}

/** Best record first: non-NVD, precedence tier, most recently modified, source, id, document. */
function compareRecords(tier: Tier): (a: SourceAdvisory, b: SourceAdvisory) => number {
  return (a, b) =>
    Number(a.sourceClass === 'nvd') - Number(b.sourceClass === 'nvd') ||
    tier(a.sourceClass) - tier(b.sourceClass) ||
    compareTimes(b.modified, a.modified) ||
    compareText(a.source, b.source) ||
    compareText(normalizeAdvisoryId(a.id), normalizeAdvisoryId(b.id)) ||
    compareProvenance(a.provenance, b.provenance);
}

function optional<K extends string>(name: K, value: Field<string> | undefined): Partial<Record<K, Field<string>>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, Field<string>>);
}

function multiUpstream(record: SourceAdvisory): string[] {
  const upstream = upstreamIds(record);
  return upstream.length > 1 ? upstream : [];
}

function pickText(ranked: readonly SourceAdvisory[], field: 'summary' | 'details'): Field<string> | undefined {
  const record = ranked.find((r) => (r[field] ?? '') !== '');
  const value = record?.[field];
  return record === undefined || value === undefined ? undefined : { value, provenance: record.provenance };
}

/** The earliest or latest time among ranked records; ties go to the better-ranked record. */
function pickTime(
  ranked: readonly SourceAdvisory[], field: 'published' | 'modified' | 'withdrawn', which: 'earliest' | 'latest',
): Field<string> | undefined {
  let best: Field<string> | undefined;
  for (const record of ranked) {
    const value = record[field];
    if (value === undefined || value === '') continue;
    const order = best === undefined ? 0 : compareTimes(value, best.value);
    if (best === undefined || (which === 'earliest' ? order < 0 : order > 0)) best = { value, provenance: record.provenance };
  }
  return best;
}

function mergeSeverities(records: readonly SourceAdvisory[]): SeverityRating[] {
  const kept = new Map<string, SeverityRating>();
  for (const record of records) {
    const ratings = record.severities
      .map((rating) => ({ rating, json: canonicalJson(rating) }))
      .sort((a, b) => compareText(a.json, b.json))
      .map(({ rating }) => rating);
    for (const rating of ratings) {
      const id = canonicalJson([rating.source, rating.type, rating.vector ?? null, rating.label ?? null, rating.assigner ?? null]);
      if (!kept.has(id)) kept.set(id, rating);
    }
  }
  return [...kept.values()].sort((a, b) =>
    compareText(a.source, b.source) || compareText(a.type, b.type) || compareText(a.vector ?? '', b.vector ?? '') ||
    compareText(a.assigner ?? '', b.assigner ?? '') || compareText(a.label ?? '', b.label ?? ''));
}

function mergeCwes(records: readonly SourceAdvisory[]): Weakness[] {
  const byId = new Map<string, Provenance[]>();
  for (const record of records) {
    for (const raw of record.cwes) {
      const id = /^cwe-/i.test(raw.trim()) ? raw.trim().toUpperCase() : raw.trim();
      if (id === '') continue;
      const list = byId.get(id);
      if (list === undefined) byId.set(id, [record.provenance]);
      else list.push(record.provenance);
    }
  }
  return [...byId.entries()]
    .sort(([a], [b]) => compareCwe(a, b))
    .map(([id, provenance]) => ({ id, provenance: uniqueProvenance(provenance) }));
}

function mergeReferences(ranked: readonly SourceAdvisory[]): Reference[] {
  const byUrl = new Map<string, { type: string; provenance: Provenance[] }>();
  for (const record of ranked) {
    const refs = record.references
      .map((r) => ({ url: normalizeUrl(r.url), type: r.type }))
      .sort((a, b) => compareText(a.url, b.url) || compareText(a.type, b.type));
    for (const { url, type } of refs) {
      if (url === '') continue;
      const entry = byUrl.get(url) ?? { type, provenance: [] };
      byUrl.set(url, entry);
      entry.provenance.push(record.provenance);
    }
  }
  return [...byUrl.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([url, { type, provenance }]) => ({ url, type, provenance: uniqueProvenance(provenance) }));
}

/** Trimmed; a trailing '/' dropped only when the URL has a path beyond '/' (and no query/fragment). */
export function normalizeUrl(raw: string): string {
  const url = raw.trim();
  if (!url.endsWith('/')) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  return parsed.pathname !== '/' && parsed.search === '' && parsed.hash === '' ? url.slice(0, -1) : url;
}

/** Per package key: entries of the best tier present; within it, of the most recently modified record. */
function selectAffected(candidates: readonly Candidate[], tier: Tier): AffectedPackage[] {
  const byPackage = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    const { ecosystem, release, normalizedName } = candidate.entry;
    const key = canonicalJson([ecosystem, release ?? '', normalizedName]);
    const group = byPackage.get(key);
    if (group === undefined) byPackage.set(key, [candidate]);
    else group.push(candidate);
  }
  const kept: AffectedPackage[] = [];
  for (const group of byPackage.values()) {
    const bestTier = Math.min(...group.map((c) => tier(c.entry.origin)));
    const inTier = group.filter((c) => tier(c.entry.origin) === bestTier);
    const best = inTier.reduce((a, b) => (compareCandidateRecords(a, b) <= 0 ? a : b));
    kept.push(...inTier.filter((c) => compareCandidateRecords(c, best) === 0).map((c) => c.entry));
  }
  return uniqueSorted(kept, (a, b) =>
    compareText(a.ecosystem, b.ecosystem) || compareText(a.release ?? '', b.release ?? '') ||
    compareText(a.normalizedName, b.normalizedName) || compareText(a.sourceId, b.sourceId));
}

/** Most recently modified record first; ties by source, then sourceId, then document. */
function compareCandidateRecords(a: Candidate, b: Candidate): number {
  return compareTimes(b.record.modified, a.record.modified) ||
    compareText(a.record.source, b.record.source) ||
    compareText(a.entry.sourceId, b.entry.sourceId) ||
    compareProvenance(a.record.provenance, b.record.provenance);
}

function contributing(record: SourceAdvisory): ContributingRecord {
  const { source, modified, withdrawn, provenance } = record;
  return {
    source, id: normalizeAdvisoryId(record.id),
    ...(modified === undefined ? {} : { modified }), ...(withdrawn === undefined ? {} : { withdrawn }),
    provenance,
  };
}

function compareContributing(a: ContributingRecord, b: ContributingRecord): number {
  return compareText(a.source, b.source) || compareText(a.id, b.id) || compareProvenance(a.provenance, b.provenance);
}

function compareProvenance(a: Provenance, b: Provenance): number {
  return compareText(a.source, b.source) || compareText(a.documentId, b.documentId) ||
    compareText(a.documentSha256, b.documentSha256) || compareText(a.recordedAt, b.recordedAt);
}

/** CWE-<n> by number, before anything else (NVD-CWE-Other…), which goes lexically. */
function compareCwe(a: string, b: string): number {
  const na = /^CWE-(\d+)$/.exec(a)?.[1];
  const nb = /^CWE-(\d+)$/.exec(b)?.[1];
  if (na !== undefined && nb !== undefined) return Number(na) - Number(nb) || compareText(a, b);
  if (na !== undefined || nb !== undefined) return na !== undefined ? -1 : 1;
  return compareText(a, b);
}

/** Timestamps by instant (absent or unparsable = oldest), then as text. */
function compareTimes(a: string | undefined, b: string | undefined): number {
  const ta = a === undefined ? -Infinity : Date.parse(a);
  const tb = b === undefined ? -Infinity : Date.parse(b);
  const x = Number.isNaN(ta) ? -Infinity : ta;
  const y = Number.isNaN(tb) ? -Infinity : tb;
  return x < y ? -1 : x > y ? 1 : compareText(a ?? '', b ?? '');
}

/** Provenance lists: deduplicated on their four fields, sorted (cheaper than uniqueSorted's JSON). */
function uniqueProvenance(list: readonly Provenance[]): Provenance[] {
  if (list.length <= 1) return [...list];
  const byKey = new Map<string, Provenance>();
  for (const p of list) byKey.set(`${p.source}\u0000${p.documentId}\u0000${p.documentSha256}\u0000${p.recordedAt}`, p);
  return [...byKey.values()].sort(compareProvenance);
}

/** Deduplicated by canonicalJson; sorted by `compare`, then by canonicalJson. */
function uniqueSorted<T>(items: readonly T[], compare?: (a: T, b: T) => number): T[] {
  if (items.length <= 1) return [...items];
  const byJson = new Map<string, T>();
  for (const item of items) byJson.set(canonicalJson(item), item);
  return [...byJson.entries()]
    .sort(([ja, a], [jb, b]) => (compare === undefined ? 0 : compare(a, b)) || compareText(ja, jb))
    .map(([, item]) => item);
}

/** Identity of a record in the alias graph: source, id and the raw document it came from. */
function recordRef(record: SourceAdvisory): string {
  return canonicalJson([record.source, normalizeAdvisoryId(record.id), record.provenance.documentId, record.provenance.documentSha256]);
}
