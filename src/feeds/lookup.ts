import type { Advisory } from '../advisories/index.js';
import type { Store } from '../store/index.js';
import { CONNECTORS } from './registry.js';
import type { PackageQuery } from './search.js';

/*
 * Read-side lookups shared by `stella advisory` / `stella db status` and the server's routes, so
 * both answer the same question the same way.
 */

/**
 * The canonical keys an id names: the key itself, else every advisory listing it as an alias
 * (upper-cased CVE-style ids and GHSA's lower-case tail are tried too). Sorted; empty when none.
 */
export async function resolveAdvisoryKeys(store: Store, id: string): Promise<string[]> {
  const trimmed = id.trim();
  const direct = await store.getAdvisory(trimmed);
  if (direct !== undefined) return [direct.key];
  const upper = trimmed.toUpperCase();
  const candidates = new Set([trimmed, upper, /^GHSA-/i.test(trimmed) ? `GHSA-${trimmed.slice(5).toLowerCase()}` : upper]);
  const keys = new Set<string>();
  for (const c of candidates) {
    if ((await store.getAdvisory(c)) !== undefined) keys.add(c);
    for (const k of await store.findAdvisoryKeysByAlias(c)) keys.add(k);
  }
  return [...keys].sort();
}

export interface AdvisorySearchRow {
  key: string;
  aliases: readonly string[];
  summary: string;
  withdrawn: string | null;
  packages: { ecosystem: string; name: string; ranges: string[]; fixed: readonly string[] }[];
}

export interface AdvisorySearchResult {
  /** Every matching key, of which `rows` holds the first `limit`. */
  total: number;
  rows: AdvisorySearchRow[];
}

/** Advisories naming the package `query` spells (see `packageQuery`), in key order. */
export async function searchAdvisories(store: Store, query: PackageQuery, limit = Number.POSITIVE_INFINITY): Promise<AdvisorySearchResult> {
  const keys = [...(await store.findAdvisoryKeysByPackage(query.name, query.ecosystem))].sort();
  const rows: AdvisorySearchRow[] = [];
  for (const key of keys) {
    if (rows.length >= limit) break;
    const stored = await store.getAdvisory(key);
    if (stored === undefined) continue;
    rows.push(searchRow(key, JSON.parse(stored.json) as Advisory, query));
  }
  return { total: keys.length, rows };
}

function searchRow(key: string, advisory: Advisory, query: PackageQuery): AdvisorySearchRow {
  const affected = advisory.affected.filter(
    (a) => a.normalizedName === query.name && (query.ecosystem === undefined || a.ecosystem === query.ecosystem),
  );
  return {
    key,
    aliases: advisory.aliases,
    summary: advisory.summary?.value ?? advisory.details?.value.split('\n')[0] ?? '',
    withdrawn: advisory.withdrawn?.value ?? null,
    packages: affected.map((a) => ({
      ecosystem: a.release === undefined ? a.ecosystem : `${a.ecosystem}:${a.release}`,
      name: a.name,
      ranges: a.ranges.map((r) => r.vers ?? r.original.expression),
      fixed: a.fixedVersions,
    })),
  };
}

export interface FeedSourceStatus {
  source: string;
  lastSuccess: string | null;
  lastError: string | null;
  failureCount: number;
  backoffUntil: string | null;
  lastRun: string | null;
  cursor: unknown;
  documents: { pending: number; parsed: number; failed: number };
  records: { parsed: number; mapped: number; failed: number };
  errors: number;
}

export interface FeedStatus {
  sources: FeedSourceStatus[];
  advisories: { total: number; withdrawn: number };
}

/** Per source (every registered connector, and any other source the store holds): state and counts. */
export async function feedStatus(store: Store): Promise<FeedStatus> {
  const counts = await store.countBySource();
  const names = [...new Set([...CONNECTORS.keys(), ...counts.map((c) => c.source)])].sort();
  const sources: FeedSourceStatus[] = [];
  for (const name of names) {
    const state = await store.getSourceState(name);
    const c = counts.find((x) => x.source === name);
    sources.push({
      source: name,
      lastSuccess: state?.lastSuccess ?? null,
      lastError: state?.lastError ?? null,
      failureCount: state?.failureCount ?? 0,
      backoffUntil: state?.backoffUntil ?? null,
      lastRun: state?.updatedAt ?? null,
      cursor: state?.cursor ?? null,
      documents: c?.documents ?? { pending: 0, parsed: 0, failed: 0 },
      records: c?.records ?? { parsed: 0, mapped: 0, failed: 0 },
      errors: c?.parseErrors ?? 0,
    });
  }
  return { sources, advisories: await store.countAdvisories() };
}
