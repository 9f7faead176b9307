import type { VersRange } from '../range.js';
import { guardRange, invalidRange, versFromSets } from '../range.js';
import { bound } from '../range-set.js';
import type { VersionScheme } from '../scheme.js';
import { parseBracket } from './maven.js';

/*
 * NuGet version ranges (NuGet.Versioning VersionRange.Parse): one interval `[1.0,2.0)`, `(1.0,)`,
 * `(,1.0]`, `[1.0]`, or a bare `1.0` meaning `>= 1.0`. Floating versions (`1.*`) pick a version to
 * restore, they do not describe a set, and are rejected.
 */

export function parseNugetConstraint<V>(text: string, scheme: VersionScheme<V>): VersRange {
  const spec = text.trim();
  if (spec === '') throw invalidRange(text, 'empty range');
  if (spec.includes('*')) throw invalidRange(text, 'floating versions are not ranges');
  return guardRange(text, () => {
    if (!spec.startsWith('[') && !spec.startsWith('(')) {
      return versFromSets([[{ lo: bound(scheme, spec, true), hi: null }]], scheme);
    }
    const interval = parseBracket(text, spec, scheme);
    if (interval.lo === null && interval.hi === null) throw invalidRange(text, 'an interval needs at least one bound');
    return versFromSets([[interval]], scheme);
  });
}
