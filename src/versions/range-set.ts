import type { VersionScheme } from './scheme.js';

/*
 * Sets of versions as sorted, disjoint intervals over one scheme's order: the algebra every native
 * range syntax is reduced with (AND = intersect, OR = union) before it becomes a `vers:` range, and
 * the compiled form `evaluate` tests versions against. Bounds keep their source text for printing
 * and their parsed value for comparing, so each bound is parsed exactly once.
 */

export interface Bound<V> {
  readonly text: string;
  readonly value: V;
  readonly inclusive: boolean;
}

/** `lo`/`hi` null means unbounded on that side. Never empty once built by this module. */
export interface Interval<V> {
  readonly lo: Bound<V> | null;
  readonly hi: Bound<V> | null;
}

/** Sorted by lower bound, pairwise disjoint and not touching (touching intervals are merged). */
export type IntervalSet<V> = readonly Interval<V>[];

export type SetComparator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export const EVERYTHING: IntervalSet<never> = [{ lo: null, hi: null }];
export const NOTHING: IntervalSet<never> = [];

export function bound<V>(scheme: VersionScheme<V>, text: string, inclusive: boolean): Bound<V> {
  return { text, value: scheme.parse(text), inclusive };
}

/** The versions `op text` selects, in pure version order (no pre-release filtering). */
export function comparatorSet<V>(scheme: VersionScheme<V>, op: SetComparator, text: string): IntervalSet<V> {
  switch (op) {
    case '=': {
      const b = bound(scheme, text, true);
      return [{ lo: b, hi: b }];
    }
    case '!=': {
      const b = bound(scheme, text, false);
      return [{ lo: null, hi: b }, { lo: b, hi: null }];
    }
    case '<': return [{ lo: null, hi: bound(scheme, text, false) }];
    case '<=': return [{ lo: null, hi: bound(scheme, text, true) }];
    case '>': return [{ lo: bound(scheme, text, false), hi: null }];
    case '>=': return [{ lo: bound(scheme, text, true), hi: null }];
  }
}

/** [lo, hi) style interval from two optional texts; used by interval notations and OSV events. */
export function intervalSet<V>(lo: Bound<V> | null, hi: Bound<V> | null, scheme: VersionScheme<V>): IntervalSet<V> {
  const interval = { lo, hi };
  return isEmpty(interval, scheme) ? [] : [interval];
}

// Lower bounds: unbounded first; at equal versions an inclusive bound starts earlier.
function compareLo<V>(a: Bound<V> | null, b: Bound<V> | null, scheme: VersionScheme<V>): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return scheme.compareParsed(a.value, b.value) || (a.inclusive === b.inclusive ? 0 : a.inclusive ? -1 : 1);
}

// Upper bounds: unbounded last; at equal versions an inclusive bound ends later.
function compareHi<V>(a: Bound<V> | null, b: Bound<V> | null, scheme: VersionScheme<V>): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return scheme.compareParsed(a.value, b.value) || (a.inclusive === b.inclusive ? 0 : a.inclusive ? 1 : -1);
}

function isEmpty<V>(i: Interval<V>, scheme: VersionScheme<V>): boolean {
  if (i.lo === null || i.hi === null) return false;
  const c = scheme.compareParsed(i.lo.value, i.hi.value);
  return c > 0 || (c === 0 && !(i.lo.inclusive && i.hi.inclusive));
}

// True when `a` (ending first) and `b` overlap or touch so that their union is one interval.
function joins<V>(a: Interval<V>, b: Interval<V>, scheme: VersionScheme<V>): boolean {
  if (a.hi === null || b.lo === null) return true;
  const c = scheme.compareParsed(a.hi.value, b.lo.value);
  return c > 0 || (c === 0 && (a.hi.inclusive || b.lo.inclusive));
}

/** Sorts and merges any list of intervals into an IntervalSet. */
export function normalize<V>(intervals: readonly Interval<V>[], scheme: VersionScheme<V>): IntervalSet<V> {
  const sorted = intervals.filter((i) => !isEmpty(i, scheme)).sort((a, b) => compareLo(a.lo, b.lo, scheme));
  const out: Interval<V>[] = [];
  for (const next of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && joins(last, next, scheme)) {
      out[out.length - 1] = { lo: last.lo, hi: compareHi(last.hi, next.hi, scheme) >= 0 ? last.hi : next.hi };
    } else {
      out.push(next);
    }
  }
  return out;
}

export function union<V>(a: IntervalSet<V>, b: IntervalSet<V>, scheme: VersionScheme<V>): IntervalSet<V> {
  return normalize([...a, ...b], scheme);
}

export function intersect<V>(a: IntervalSet<V>, b: IntervalSet<V>, scheme: VersionScheme<V>): IntervalSet<V> {
  const out: Interval<V>[] = [];
  for (const x of a) {
    for (const y of b) {
      const lo = compareLo(x.lo, y.lo, scheme) >= 0 ? x.lo : y.lo;
      const hi = compareHi(x.hi, y.hi, scheme) <= 0 ? x.hi : y.hi;
      const i = { lo, hi };
      if (!isEmpty(i, scheme)) out.push(i);
    }
  }
  return normalize(out, scheme);
}

/** Intersection of every set (AND); EVERYTHING for an empty list. */
export function intersectAll<V>(sets: readonly IntervalSet<V>[], scheme: VersionScheme<V>): IntervalSet<V> {
  return sets.reduce<IntervalSet<V>>((acc, s) => intersect(acc, s, scheme), EVERYTHING);
}

/** Union of every set (OR); NOTHING for an empty list. */
export function unionAll<V>(sets: readonly IntervalSet<V>[], scheme: VersionScheme<V>): IntervalSet<V> {
  return normalize(sets.flat(), scheme);
}

/** Binary search: the interval list is sorted and disjoint. */
export function contains<V>(set: IntervalSet<V>, v: V, scheme: VersionScheme<V>): boolean {
  let lo = 0;
  let hi = set.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const i = set[mid] as Interval<V>;
    if (i.lo !== null) {
      const c = scheme.compareParsed(v, i.lo.value);
      if (c < 0 || (c === 0 && !i.lo.inclusive)) {
        hi = mid - 1;
        continue;
      }
    }
    if (i.hi !== null) {
      const c = scheme.compareParsed(v, i.hi.value);
      if (c > 0 || (c === 0 && !i.hi.inclusive)) {
        lo = mid + 1;
        continue;
      }
    }
    return true;
  }
  return false;
}
