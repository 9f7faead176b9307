import type { VersRange } from '../range.js';
import { guardRange, invalidRange, versFromSets } from '../range.js';
import type { IntervalSet, SetComparator } from '../range-set.js';
import { comparatorSet, intersect, intersectAll } from '../range-set.js';
import type { VersionScheme } from '../scheme.js';

/*
 * RubyGems requirements (Gem::Requirement): comma-separated `=`, `!=`, `>`, `<`, `>=`, `<=`, `~>`
 * ANDed, a bare version meaning `=`. `~> 2.0.8` is `>= 2.0.8, < 2.1` (Gem::Version#bump), as the
 * vers spec converts it. Ruby tests the upper bound on the release part only, so it leaves out
 * 2.1.a (2.1.a < 2.1, but its release is 2.1); in version order it is below 2.1 and counts, like
 * any pre-release inside a range (range.ts's policy).
 */

const REQUIREMENT = /^\s*(=|!=|>=|<=|>|<|~>)?\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\s*$/;

/** Gem::Version#bump: drop letter segments and the last number, increment the new last one. */
export function gemBump(version: string): string {
  const segments: (bigint | string)[] = (version.replace(/-/g, '.pre.').match(/[0-9]+|[a-zA-Z]+/g) ?? []).map((s) =>
    /^[0-9]/.test(s) ? BigInt(s) : s,
  );
  while (segments.some((s) => typeof s === 'string')) segments.pop();
  if (segments.length > 1) segments.pop();
  const last = segments.pop() ?? 0n;
  return [...segments, (last as bigint) + 1n].join('.');
}

function requirementSet<V>(text: string, part: string, scheme: VersionScheme<V>): IntervalSet<V> {
  const m = REQUIREMENT.exec(part);
  if (m === null) throw invalidRange(text, `"${part.trim()}" is not a RubyGems requirement`);
  const op = m[1] ?? '=';
  const version = m[2] ?? '';
  if (op !== '~>') return comparatorSet(scheme, op as SetComparator, version);
  return intersect(comparatorSet(scheme, '>=', version), comparatorSet(scheme, '<', gemBump(version)), scheme);
}

export function parseGemConstraint<V>(text: string, scheme: VersionScheme<V>): VersRange {
  if (text.trim() === '') throw invalidRange(text, 'empty requirement');
  return guardRange(text, () => {
    const sets = text.split(',').map((part) => requirementSet(text, part, scheme));
    return versFromSets([intersectAll(sets, scheme)], scheme);
  });
}
