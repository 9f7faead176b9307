import type { AffectedPackage, AffectedRange } from '../../advisories/index.js';
import {
  evaluate, getScheme, parseVers, schemeForOsvEcosystem, VersionError, type VersConstraint, type VersionScheme,
} from '../../versions/index.js';

/*
 * A language entry's ranges as trivy-db writes them: VulnerableVersions (one constraint string per
 * range, comparators joined by ", ", e.g. ">=1.0.0, <1.2.3") and PatchedVersions (the bare fixed
 * versions). trivy compares them with its own per-ecosystem comparers, joining entries with " || ".
 *
 * Ranges are rebuilt from the source's own expression whenever we kept it, so versions are spelled
 * as the source spelled them (our `vers` form zero-fills npm's "1.0" to "1.0.0", trivy-db does not):
 * - OSV events (kind 'osv:ECOSYSTEM' / 'osv:SEMVER'): trivy-db's osv/range.go rules — ">=A, <F",
 *   "<F" when A is "0", ">=A, <=L", ">=A" when open-ended, "=V" when introduced == last_affected;
 *   each `versions[]` entry no range covers becomes "=V".
 * - GHSA's REST expression (kind 'ghsa', ">= 1.0, < 1.2"): respelled without the inner spaces.
 * - anything else with a `vers` form: printed from vers.
 * Ranges with no counterpart are skipped and counted: OSV GIT ranges (commits, not versions — trivy-db
 * skips them too) and ranges whose expression cannot be read and have no `vers` (the matcher
 * evaluates those as 'unknown'). An entry left with neither vulnerable nor patched versions would
 * never match in trivy (compare.IsVulnerable), so the caller drops it.
 */

export interface LangVersions {
  readonly vulnerable: string[];
  readonly patched: string[];
  /** Ranges that had no counterpart (GIT, unreadable). */
  readonly skippedRanges: number;
}

interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

interface Span {
  from: string;
  to?: string;
  included?: boolean;
}

function spanText(span: Span): string {
  if (span.included === true && span.from === span.to) return `=${span.from}`;
  const upper = span.to === undefined ? '' : `${span.included === true ? '<=' : '<'}${span.to}`;
  if (upper === '') return `>=${span.from}`;
  return span.from === '0' ? upper : `>=${span.from}, ${upper}`;
}

function parseEvents(expression: string): OsvEvent[] | undefined {
  try {
    const parsed: unknown = JSON.parse(expression);
    return Array.isArray(parsed) ? (parsed as OsvEvent[]) : undefined;
  } catch {
    return undefined;
  }
}

/** OSV events → constraint strings and fixed versions; undefined when the events are malformed. */
function fromOsvEvents(events: readonly OsvEvent[]): { vulnerable: string[]; patched: string[] } | undefined {
  const spans: Span[] = [];
  const patched: string[] = [];
  for (const event of events) {
    if (typeof event.introduced === 'string') {
      spans.push({ from: event.introduced });
      continue;
    }
    const current = spans[spans.length - 1];
    if (typeof event.fixed === 'string') {
      if (current === undefined) return undefined;
      current.to = event.fixed;
      current.included = false;
      patched.push(event.fixed);
    } else if (typeof event.last_affected === 'string') {
      if (current === undefined) return undefined;
      current.to = event.last_affected;
      current.included = true;
    }
  }
  return { vulnerable: spans.map(spanText), patched };
}

const GHSA_CLAUSE = /^(>=|<=|>|<|=|!=)\s*(\S.*)$/;

/** GHSA's `>= 1.0, < 1.2` → `>=1.0, <1.2`; undefined when a clause is not `<op> <version>`. */
function fromGhsaExpression(expression: string): string | undefined {
  const clauses = expression.split(',').map((c) => c.trim());
  const out: string[] = [];
  for (const clause of clauses) {
    const m = GHSA_CLAUSE.exec(clause);
    if (m === null) return undefined;
    out.push(`${m[1] as string}${(m[2] as string).trim()}`);
  }
  return out.length === 0 ? undefined : out.join(', ');
}

/** A vers range as trivy constraint strings: lower/upper pairs, lone bounds, "=V"; undefined for "!=". */
function fromVers(text: string): string[] | undefined {
  let constraints: readonly VersConstraint[];
  try {
    constraints = parseVers(text).constraints;
  } catch (error) {
    if (error instanceof VersionError) return undefined;
    throw error;
  }
  const out: string[] = [];
  let lower: string | undefined;
  for (const c of constraints) {
    if (c.comparator === '*') out.push('>=0');
    else if (c.comparator === '!=') return undefined;
    else if (c.comparator === '=') out.push(`=${c.version}`);
    else if (c.comparator === '>=' || c.comparator === '>') {
      if (lower !== undefined) out.push(lower);
      lower = `${c.comparator}${c.version}`;
      continue;
    } else {
      out.push(lower === undefined ? `${c.comparator}${c.version}` : `${lower}, ${c.comparator}${c.version}`);
    }
    lower = undefined;
  }
  if (lower !== undefined) out.push(lower);
  return out;
}

function schemeFor(entry: AffectedPackage, range: AffectedRange): VersionScheme | undefined {
  const name = range.original.kind === 'osv:SEMVER' ? 'semver' : schemeForOsvEcosystem(entry.ecosystem);
  return name === undefined ? undefined : getScheme(name);
}

/** Is `version` inside one of the entry's (non-GIT) ranges? Unknown counts as not covered, as in trivy-db. */
function covered(entry: AffectedPackage, version: string): boolean {
  return entry.ranges.some((range) => {
    if (range.vers === null || range.original.kind === 'osv:GIT') return false;
    const scheme = schemeFor(entry, range);
    if (scheme === undefined) return false;
    try {
      return evaluate(parseVers(range.vers), version, scheme) === 'affected';
    } catch (error) {
      if (error instanceof VersionError) return false;
      throw error;
    }
  });
}

/** One range's contribution, or undefined when it has no counterpart. */
function rangeVersions(entry: AffectedPackage, range: AffectedRange): { vulnerable: string[]; patched: string[] } | undefined {
  const { kind, expression } = range.original;
  if (kind === 'osv:GIT') return undefined;
  if (kind.startsWith('osv:')) {
    const events = parseEvents(expression);
    const parsed = events === undefined ? undefined : fromOsvEvents(events);
    if (parsed !== undefined) return parsed;
  } else if (kind === 'ghsa') {
    const text = fromGhsaExpression(expression);
    if (text !== undefined) return { vulnerable: [text], patched: [...entry.fixedVersions] };
  }
  const fromRange = range.vers === null ? undefined : fromVers(range.vers);
  return fromRange === undefined ? undefined : { vulnerable: fromRange, patched: [...entry.fixedVersions] };
}

/** The entry's VulnerableVersions / PatchedVersions. */
export function langVersions(entry: AffectedPackage): LangVersions {
  const vulnerable: string[] = [];
  const patched: string[] = [];
  let skippedRanges = 0;
  for (const range of entry.ranges) {
    const part = rangeVersions(entry, range);
    if (part === undefined) {
      skippedRanges += 1;
      continue;
    }
    vulnerable.push(...part.vulnerable);
    for (const p of part.patched) if (!patched.includes(p)) patched.push(p);
  }
  for (const version of entry.versions) if (!covered(entry, version)) vulnerable.push(`=${version}`);
  return { vulnerable, patched, skippedRanges };
}

/**
 * GHSA's `database_specific.last_known_affected_version_range` ("< 1.2.3"), which trivy-db's GHSA
 * source appends to open-ended ranges (ghsa.go parseDatabaseSpecific). Read from the entry's `extra`.
 */
export function applyLastKnownAffected(entry: AffectedPackage, vulnerable: readonly string[]): string[] {
  if (!/^GHSA-/i.test(entry.sourceId) || entry.extra === undefined) return [...vulnerable];
  let bound: unknown;
  try {
    const extra = JSON.parse(entry.extra) as { database_specific?: { last_known_affected_version_range?: unknown } };
    bound = extra.database_specific?.last_known_affected_version_range;
  } catch {
    return [...vulnerable];
  }
  if (typeof bound !== 'string' || bound.trim() === '') return [...vulnerable];
  const suffix = bound.replaceAll(' ', '');
  return vulnerable.map((v) => (v.includes('<') || v.startsWith('=') ? v : `${v}, ${suffix}`));
}
