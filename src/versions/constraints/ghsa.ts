import type { VersRange } from '../range.js';
import { guardRange, invalidRange, versFromSets } from '../range.js';
import type { IntervalSet, SetComparator } from '../range-set.js';
import { comparatorSet, intersectAll } from '../range-set.js';
import type { VersionScheme } from '../scheme.js';

/*
 * Comparator lists: GitHub advisories' `vulnerable_version_range` (`>= 1.0, < 1.2.3`, `= 1.0.1`,
 * `<= 2.0`), used for every GHSA ecosystem, and the plain range syntax of schemes without one of
 * their own (deb, rpm, apk, go). Comparators are ANDed, separated by commas or spaces; `||` ORs
 * groups; a bare version means `=`. Debian's `<<` and `>>` are read as `<` and `>`; `<` and `>`
 * are strict (GHSA's meaning, not dpkg's obsolete `<` = `<=`).
 */

const OPERATORS: Readonly<Record<string, SetComparator>> = {
  '>=': '>=', '<=': '<=', '>': '>', '<': '<', '=': '=', '==': '=', '!=': '!=', '<<': '<', '>>': '>',
};

export interface Comparator {
  readonly op: SetComparator;
  readonly version: string;
}

/** Splits one AND group into comparators; throws INVALID_RANGE on anything else. */
export function tokenizeComparators(text: string, group: string): Comparator[] {
  const out: Comparator[] = [];
  const pattern = /[\s,]*([<>=!]*)\s*([^\s,<>=!|()[\]][^\s,<>=|()[\]]*)[\s,]*/y;
  let at = 0;
  while (at < group.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(group);
    if (m === null) throw invalidRange(text, `unexpected text at "${group.slice(at)}"`);
    const [, rawOp = '', version = ''] = m;
    const op = rawOp === '' ? '=' : OPERATORS[rawOp];
    if (op === undefined) throw invalidRange(text, `unknown operator "${rawOp}"`);
    out.push({ op, version });
    at = pattern.lastIndex;
  }
  if (out.length === 0) throw invalidRange(text, 'empty constraint');
  return out;
}

/** `||`-separated groups of comparator lists as one interval set per group. */
export function comparatorGroups<V>(text: string, scheme: VersionScheme<V>): IntervalSet<V>[] {
  if (text.trim() === '') throw invalidRange(text, 'empty range');
  return text.split('||').map((group) => {
    if (group.includes('|')) throw invalidRange(text, 'single "|" (use "||" to separate alternatives)');
    const sets = tokenizeComparators(text, group).map((c) => comparatorSet(scheme, c.op, c.version));
    return intersectAll(sets, scheme);
  });
}

export function parseGhsaConstraint<V>(text: string, scheme: VersionScheme<V>): VersRange {
  return guardRange(text, () => versFromSets(comparatorGroups(text, scheme), scheme));
}

/** Go has no range syntax of its own: the comparator list, with Go's `v`-prefixed versions. */
export function parseGoConstraint<V>(text: string, scheme: VersionScheme<V>): VersRange {
  return parseGhsaConstraint(text, scheme);
}
