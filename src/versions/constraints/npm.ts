import nodeSemver from 'semver';
import type { VersRange } from '../range.js';
import { guardRange, invalidRange, versFromSets } from '../range.js';
import type { IntervalSet, SetComparator } from '../range-set.js';
import { EVERYTHING, comparatorSet, intersectAll } from '../range-set.js';
import type { VersionScheme } from '../scheme.js';

/*
 * node-semver ranges (`^1.2`, `~1.2.3`, `1.x`, `1.2.3 - 2.3`, `>=1 <2 || 3`), desugared by
 * node-semver itself (the npm reference implementation) with `includePrerelease`, then ordered by
 * the scheme passed in. With includePrerelease node-semver writes upper bounds as `<2.0.0-0`, so
 * `^1.2.3` holds 1.5.0-beta.1 but not 2.0.0-rc.1: see the matching policy in range.ts.
 */

const OPERATORS: Readonly<Record<string, SetComparator>> = { '': '=', '=': '=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** node-semver's comparator sets (OR of ANDs) as interval sets in `scheme`'s order. */
export function nodeSemverSets<V>(text: string, scheme: VersionScheme<V>): IntervalSet<V>[] {
  let range: nodeSemver.Range;
  try {
    range = new nodeSemver.Range(text, { includePrerelease: true });
  } catch (error) {
    throw invalidRange(text, (error as Error).message, error);
  }
  return range.set.map((comparators) =>
    intersectAll(
      comparators.map((c) => {
        // The match-anything comparator (`*`, `x`, ``) has an empty value; @types/semver lacks ANY.
        if (c.value === '') return EVERYTHING;
        const op = OPERATORS[c.operator];
        if (op === undefined) throw invalidRange(text, `unknown operator "${c.operator}"`);
        return comparatorSet(scheme, op, c.semver.version);
      }),
      scheme,
    ),
  );
}

export function parseNpmConstraint<V>(text: string, scheme: VersionScheme<V>): VersRange {
  return guardRange(text, () => versFromSets(nodeSemverSets(text, scheme), scheme));
}
