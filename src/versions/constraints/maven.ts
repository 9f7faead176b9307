import type { VersRange } from '../range.js';
import { guardRange, invalidRange, versFromSets } from '../range.js';
import type { Bound, IntervalSet } from '../range-set.js';
import { bound } from '../range-set.js';
import type { VersionScheme } from '../scheme.js';

/*
 * Maven version ranges as VersionRange.createFromVersionSpec reads them: `[1.0,2.0)`, `(,1.0]`,
 * `[1.2]`, unions `[1.0,2.0),[3.0,)` in ascending, non-overlapping order. A bare `1.0` is Maven's
 * "soft requirement" (any version, 1.0 preferred); as an affected range it can only mean exactly
 * 1.0, so it is read as `=1.0`.
 */

export interface BracketInterval<V> {
  readonly lo: Bound<V> | null;
  readonly hi: Bound<V> | null;
}

/** One `[a,b)`-style interval (brackets included); shared with NuGet. */
export function parseBracket<V>(text: string, spec: string, scheme: VersionScheme<V>): BracketInterval<V> {
  const loInc = spec.startsWith('[');
  const hiInc = spec.endsWith(']');
  if (!(loInc || spec.startsWith('(')) || !(hiInc || spec.endsWith(')'))) throw invalidRange(text, `"${spec}" is not a bracketed interval`);
  const inner = spec.slice(1, -1).trim();
  const comma = inner.indexOf(',');
  if (comma < 0) {
    if (!loInc || !hiInc || inner === '') throw invalidRange(text, `single version "${spec}" must be written [v]`);
    const b = bound(scheme, inner, true);
    return { lo: b, hi: b };
  }
  const loText = inner.slice(0, comma).trim();
  const hiText = inner.slice(comma + 1).trim();
  if (hiText.includes(',')) throw invalidRange(text, `"${spec}" has more than two bounds`);
  const lo = loText === '' ? null : bound(scheme, loText, loInc);
  const hi = hiText === '' ? null : bound(scheme, hiText, hiInc);
  if (lo !== null && hi !== null) {
    const c = scheme.compareParsed(lo.value, hi.value);
    if (c > 0) throw invalidRange(text, `"${spec}" defies version ordering`);
    if (c === 0 && !(loInc && hiInc)) throw invalidRange(text, `"${spec}" has identical exclusive bounds`);
  }
  return { lo, hi };
}

function mavenSets<V>(text: string, scheme: VersionScheme<V>): IntervalSet<V>[] {
  let rest = text.trim();
  if (rest === '') throw invalidRange(text, 'empty range');
  if (!rest.startsWith('[') && !rest.startsWith('(')) {
    const b = bound(scheme, rest, true);
    return [[{ lo: b, hi: b }]];
  }
  const sets: IntervalSet<V>[] = [];
  let previousHi: Bound<V> | null | undefined;
  while (rest.startsWith('[') || rest.startsWith('(')) {
    const ends = [rest.indexOf(')'), rest.indexOf(']')].filter((i) => i >= 0);
    if (ends.length === 0) throw invalidRange(text, 'unbounded range (no closing bracket)');
    const end = Math.min(...ends);
    const interval = parseBracket(text, rest.slice(0, end + 1), scheme);
    if (previousHi === null || (previousHi !== undefined && (interval.lo === null || scheme.compareParsed(interval.lo.value, previousHi.value) < 0))) {
      throw invalidRange(text, 'ranges overlap or are not in ascending order');
    }
    sets.push([interval]);
    previousHi = interval.hi;
    rest = rest.slice(end + 1).trim();
    if (rest.startsWith(',')) rest = rest.slice(1).trim();
  }
  if (rest !== '') throw invalidRange(text, `unexpected "${rest}" after the intervals`);
  return sets;
}

export function parseMavenConstraint<V>(text: string, scheme: VersionScheme<V>): VersRange {
  return guardRange(text, () => versFromSets(mavenSets(text, scheme), scheme));
}
