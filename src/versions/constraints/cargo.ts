import type { VersRange } from '../range.js';
import { guardRange, invalidRange, versFromSets } from '../range.js';
import type { VersionScheme } from '../scheme.js';
import { nodeSemverSets } from './npm.js';

/*
 * Cargo version requirements (the `semver` crate's VersionReq): comma-separated comparators ANDed,
 * a bare version meaning `^`, plus `~`, `=`, `<`, `<=`, `>`, `>=` and `*`/`x` wildcards. Their
 * desugaring equals node-semver's for this subset, so each comparator is validated here and the
 * rest is node-semver's work (see npm.ts; pre-releases follow range.ts's policy).
 */

const WILD = '(?:\\*|x|X)';
const PART = `(?:0|[1-9][0-9]*|${WILD})`;
const COMPARATOR = new RegExp(
  `^(=|>=|<=|>|<|~|\\^)?\\s*(${WILD}|[0-9]+(?:\\.${PART}(?:\\.${PART}(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?)?)?)$`,
);

export function parseCargoConstraint<V>(text: string, scheme: VersionScheme<V>): VersRange {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw invalidRange(text, 'empty comparator');
  const rewritten = parts.map((part) => {
    const m = COMPARATOR.exec(part);
    if (m === null) throw invalidRange(text, `"${part}" is not a Cargo comparator`);
    const version = m[2] ?? '';
    // A bare version means `^`, a bare wildcard (`1.2.*`) is its own range.
    return `${m[1] ?? (/[*xX]/.test(version) ? '' : '^')}${version}`;
  });
  return guardRange(text, () => versFromSets(nodeSemverSets(rewritten.join(' '), scheme), scheme));
}
