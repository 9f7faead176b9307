import type { RangeVerdict, VersRange } from './range.js';
import { invalidRange, setToVers } from './range.js';
import type { Bound, Interval, IntervalSet } from './range-set.js';
import { intersect, normalize } from './range-set.js';
import type { SchemeName, VersionScheme } from './scheme.js';
import { VersionError } from './scheme.js';

/*
 * OSV `affected[]` entries, evaluated exactly as the OSV schema's "Evaluation" pseudocode
 * (ossf/osv-schema docs/schema.md): a version is affected if it is listed in `versions` or lies in
 * ANY range; in a range, events are sorted by version (`introduced: "0"` first) and walked:
 * `introduced` (inclusive) opens, `fixed` (exclusive) and `last_affected` (inclusive) close, and
 * `limit` events cap the range (`v < some limit`). SEMVER ranges are ordered by the SemVer scheme,
 * ECOSYSTEM ranges by the ecosystem's; GIT ranges need a commit graph: 'unknown'.
 */

export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export interface OsvRange {
  readonly type: string;
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
}

export interface OsvAffected {
  readonly package?: { readonly ecosystem?: string; readonly name?: string };
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
}

/** The schemes an OSV record needs: the ecosystem's and SemVer's (for SEMVER ranges). */
export interface OsvSchemes {
  readonly ecosystem: VersionScheme;
  readonly semver: VersionScheme;
}

const ECOSYSTEMS: ReadonlyMap<string, SchemeName> = new Map([
  ['Debian', 'deb'], ['Ubuntu', 'deb'],
  ['Alpine', 'apk'], ['Wolfi', 'apk'], ['Chainguard', 'apk'],
  ['Rocky Linux', 'rpm'], ['AlmaLinux', 'rpm'], ['Red Hat', 'rpm'], ['SUSE', 'rpm'], ['openSUSE', 'rpm'],
  ['Photon OS', 'rpm'], ['Mageia', 'rpm'], ['openEuler', 'rpm'], ['Azure Linux', 'rpm'],
  ['npm', 'npm'], ['PyPI', 'pep440'], ['Maven', 'maven'], ['Go', 'go'], ['crates.io', 'cargo'],
  ['RubyGems', 'gem'], ['NuGet', 'nuget'], ['Packagist', 'composer'],
]);

/**
 * OSV ecosystem name → scheme. The part before the first ':' names the ecosystem (`Debian:12`,
 * `Alpine:v3.19`, `Ubuntu:22.04:LTS`, `Maven:https://…`); undefined for ecosystems we cannot order.
 */
export function schemeForOsvEcosystem(ecosystem: string): SchemeName | undefined {
  const colon = ecosystem.indexOf(':');
  return ECOSYSTEMS.get(colon < 0 ? ecosystem : ecosystem.slice(0, colon));
}

interface ParsedEvent<V> {
  readonly kind: 'introduced' | 'fixed' | 'last_affected' | 'limit';
  readonly text: string;
  /** null for `introduced: "0"`, below every version. */
  readonly value: V | null;
}

function rangeScheme(range: OsvRange, schemes: OsvSchemes): VersionScheme | undefined {
  if (range.type === 'SEMVER') return schemes.semver;
  if (range.type === 'ECOSYSTEM') return schemes.ecosystem;
  return undefined;
}

// Parses and stably sorts the events of one range; throws VersionError on a bad event.
function sortedEvents<V>(range: OsvRange, scheme: VersionScheme<V>): ParsedEvent<V>[] {
  const events = range.events.map((e): ParsedEvent<V> => {
    const kinds = (['introduced', 'fixed', 'last_affected', 'limit'] as const).filter((k) => e[k] !== undefined);
    const kind = kinds[0];
    if (kind === undefined || kinds.length > 1) throw invalidRange(JSON.stringify(e), 'an OSV event has exactly one of introduced, fixed, last_affected, limit');
    const raw = e[kind] as string;
    if (kind === 'introduced' && raw === '0') return { kind, text: raw, value: null };
    const text = boundText(scheme, raw);
    return { kind, text, value: scheme.parse(text) };
  });
  return events.sort((a, b) => (a.value === null || b.value === null ? (a.value === b.value ? 0 : a.value === null ? -1 : 1) : scheme.compareParsed(a.value, b.value)));
}

const SEMVER_LIKE = new Set(['semver', 'npm', 'cargo']);
const PARTIAL_SEMVER = /^(0|[1-9]\d*)(\.(0|[1-9]\d*))?$/;

/*
 * Advisory databases write SemVer bounds like `introduced: "1.0"` (GHSA's node-fetch record does):
 * for a BOUND in a SemVer-ordered range, "1.0" can only mean 1.0.0, so missing minor/patch parts
 * are zero-filled. Installed versions are never coerced; anything else still has to parse.
 */
function boundText(scheme: VersionScheme, text: string): string {
  if (!SEMVER_LIKE.has(scheme.name) || !PARTIAL_SEMVER.test(text)) return text;
  const parts = text.split('.');
  while (parts.length < 3) parts.push('0');
  return parts.join('.');
}

// SEMVER ranges carry no `v`; Go module versions do.
function semverInput(version: string, schemes: OsvSchemes): string {
  return schemes.ecosystem.name === 'go' && version.startsWith('v') ? version.slice(1) : version;
}

function inRange<V>(events: ParsedEvent<V>[], v: V, scheme: VersionScheme<V>): boolean {
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((e) => scheme.compareParsed(v, e.value as V) < 0)) return false;
  let vulnerable = false;
  for (const e of events) {
    const c = e.value === null ? 1 : scheme.compareParsed(v, e.value);
    if (e.kind === 'introduced' && c >= 0) vulnerable = true;
    else if (e.kind === 'fixed' && c >= 0) vulnerable = false;
    else if (e.kind === 'last_affected' && c > 0) vulnerable = false;
  }
  return vulnerable;
}

function listed(affected: OsvAffected, version: string, scheme: VersionScheme): boolean {
  return (affected.versions ?? []).some((listedVersion) => {
    if (listedVersion === version) return true;
    try {
      return scheme.compare(listedVersion, version) === 0;
    } catch {
      return false;
    }
  });
}

/** One `affected[]` entry: affected if listed or in any range; unknown if a range could not say. */
export function evaluateOsvAffected(affected: OsvAffected, version: string, schemes: OsvSchemes): RangeVerdict {
  if (listed(affected, version, schemes.ecosystem)) return 'affected';
  let unknown = false;
  for (const range of affected.ranges ?? []) {
    const scheme = rangeScheme(range, schemes);
    if (scheme === undefined) {
      unknown = true;
      continue;
    }
    try {
      const events = sortedEvents(range, scheme);
      const input = range.type === 'SEMVER' ? semverInput(version, schemes) : version;
      if (inRange(events, scheme.parse(input), scheme)) return 'affected';
    } catch (error) {
      if (!(error instanceof VersionError)) throw error;
      unknown = true;
    }
  }
  return unknown ? 'unknown' : 'not-affected';
}

/** The interval set one SEMVER or ECOSYSTEM range describes (same walk as inRange). */
export function osvRangeToSet<V>(range: OsvRange, scheme: VersionScheme<V>): IntervalSet<V> {
  const intervals: Interval<V>[] = [];
  let open: Bound<V> | null | undefined;
  let cap: Bound<V> | undefined;
  for (const e of sortedEvents(range, scheme)) {
    const b = e.value === null ? null : { text: e.text, value: e.value, inclusive: e.kind !== 'fixed' && e.kind !== 'limit' };
    if (e.kind === 'limit') cap = b ?? undefined;
    else if (e.kind === 'introduced') open = open === undefined ? b : open;
    else if (open !== undefined) {
      intervals.push({ lo: open, hi: b });
      open = undefined;
    }
  }
  if (open !== undefined) intervals.push({ lo: open, hi: null });
  const set = normalize(intervals, scheme);
  return cap === undefined ? set : intersect(set, [{ lo: null, hi: cap }], scheme);
}

/**
 * An OSV range as a `vers:` range in the scheme that orders it (semver for SEMVER). Throws
 * INVALID_RANGE for GIT ranges and unparseable events.
 */
export function osvRangeToVers<V>(range: OsvRange, scheme: VersionScheme<V>): VersRange {
  if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') throw invalidRange(range.type, `${range.type} ranges have no version order`);
  try {
    return setToVers(osvRangeToSet(range, scheme), scheme);
  } catch (error) {
    if (error instanceof VersionError && error.code !== 'INVALID_RANGE') throw invalidRange(JSON.stringify(range.events), error.message, error);
    throw error;
  }
}
