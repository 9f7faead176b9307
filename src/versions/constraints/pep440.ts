import type { VersRange } from '../range.js';
import { guardRange, invalidRange, versFromSets } from '../range.js';
import type { IntervalSet } from '../range-set.js';
import { bound, comparatorSet, intersect, intersectAll, intervalSet, union } from '../range-set.js';
import type { VersionScheme } from '../scheme.js';
import type { Pep440Version } from '../pep440.js';

/*
 * PEP 440 version specifiers (`~=1.4.5`, `==1.*`, `!=1.3.4.*`, `>=1, <2`; comma = AND), read as
 * sets in PEP 440 order under range.ts's policy: pre-releases are not filtered out, and the
 * exclusive comparisons are plain order (`<2.0` holds 2.0rc1, `>1.0` holds 1.0.post1: PEP 440
 * would exclude those; OSV's PyPI ranges do not). Kept from PEP 440: `==V`, `!=V` and `<=V`
 * ignore a local label (`==2.0.1` holds 2.0.1+cu118), and prefix matching. `===` (string identity,
 * not an order) is rejected.
 */

const SPECIFIER = /^\s*(~=|==|!=|<=|>=|<|>|===)\s*([^\s,]+)\s*$/;
const PREFIX = /^v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)\.\*$/i;
const RELEASE = /^v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)/i;

function formatPep440(v: Pep440Version): string {
  let out = `${v.epoch === 0 ? '' : `${v.epoch}!`}${v.release.length === 0 ? '0' : v.release.join('.')}`;
  if (v.preRank >= 0 && v.preRank <= 2) out += `${['a', 'b', 'rc'][v.preRank]}${v.preNumber}`;
  if (v.post !== -1) out += `.post${v.post}`;
  if (v.dev !== Infinity) out += `.dev${v.dev}`;
  return out;
}

const plusOne = (n: number | bigint): number | bigint => (typeof n === 'bigint' ? n + 1n : n + 1);

// The least version above every `V+local`: the next dev, else the next post's first dev. The
// epoch and release are kept as written (`1.0`, not `1`) for readable output.
function afterLocals(version: string, v: Pep440Version): string {
  const written = RELEASE.exec(version.trim())?.[0].replace(/^v/i, '') ?? '';
  const next = v.dev !== Infinity ? { ...v, dev: plusOne(v.dev) } : { ...v, post: v.post === -1 ? 0 : plusOne(v.post), dev: 0 };
  return written + formatPep440(next).replace(/^(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*/, '');
}

// `==E!R.*`: from the first dev release of R to the first dev release of R's successor.
function prefixSet(text: string, version: string, scheme: VersionScheme<Pep440Version>): IntervalSet<Pep440Version> {
  const m = PREFIX.exec(version);
  if (m === null) throw invalidRange(text, `"${version}" is not a valid prefix match`);
  const epoch = m[1] === undefined ? '' : `${m[1]}!`;
  const release = (m[2] ?? '').split('.');
  const next = [...release.slice(0, -1), String(BigInt(release[release.length - 1] ?? '0') + 1n)];
  return intervalSet(bound(scheme, `${epoch}${release.join('.')}.dev0`, true), bound(scheme, `${epoch}${next.join('.')}.dev0`, false), scheme);
}

function equalSet(text: string, version: string, scheme: VersionScheme<Pep440Version>): IntervalSet<Pep440Version> {
  if (version.endsWith('.*')) return prefixSet(text, version, scheme);
  const v = scheme.parse(version);
  if (v.local !== null) return comparatorSet(scheme, '=', version);
  return intervalSet(bound(scheme, version, true), bound(scheme, afterLocals(version, v), false), scheme);
}

function complement(set: IntervalSet<Pep440Version>, scheme: VersionScheme<Pep440Version>): IntervalSet<Pep440Version> {
  // Only called on one bounded interval [lo, hi): its complement is < lo or >= hi (or > hi).
  const [i] = set;
  if (i === undefined || i.lo === null || i.hi === null) throw new Error('complement of an unbounded set');
  return union(
    comparatorSet(scheme, i.lo.inclusive ? '<' : '<=', i.lo.text),
    comparatorSet(scheme, i.hi.inclusive ? '>' : '>=', i.hi.text),
    scheme,
  );
}

function specifierSet(text: string, op: string, version: string, scheme: VersionScheme<Pep440Version>): IntervalSet<Pep440Version> {
  const wildcard = version.endsWith('.*');
  if (wildcard && op !== '==' && op !== '!=') throw invalidRange(text, `"${op}" does not take a prefix match`);
  if (op !== '==' && op !== '!=' && scheme.parse(version).local !== null) throw invalidRange(text, `"${op}" does not take a local version`);
  switch (op) {
    case '==': return equalSet(text, version, scheme);
    case '!=': {
      const eq = equalSet(text, version, scheme);
      return eq.length === 1 && eq[0]?.lo !== eq[0]?.hi ? complement(eq, scheme) : comparatorSet(scheme, '!=', version);
    }
    case '<=': return comparatorSet(scheme, '<', afterLocals(version, scheme.parse(version)));
    case '~=': {
      const release = RELEASE.exec(version);
      const parts = release?.[2]?.split('.') ?? [];
      if (parts.length < 2) throw invalidRange(text, '"~=" needs a version with at least two release numbers');
      const prefix = `${release?.[1] === undefined ? '' : `${release[1]}!`}${parts.slice(0, -1).join('.')}.*`;
      return intersect(comparatorSet(scheme, '>=', version), prefixSet(text, prefix, scheme), scheme);
    }
    case '===': throw invalidRange(text, '"===" compares strings, not versions: no range can express it');
    default: return comparatorSet(scheme, op as '<' | '>=' | '>', version);
  }
}

export function parsePep440Constraint(text: string, scheme: VersionScheme<Pep440Version>): VersRange {
  if (text.trim() === '') throw invalidRange(text, 'empty specifier set');
  return guardRange(text, () => {
    // packaging skips empty items (`>=1.0,` is valid); at least one specifier is required here.
    const sets = text.split(',').filter((part) => part.trim() !== '').map((part) => {
      const m = SPECIFIER.exec(part);
      if (m === null) throw invalidRange(text, `"${part.trim()}" is not a PEP 440 specifier`);
      return specifierSet(text, m[1] ?? '', m[2] ?? '', scheme);
    });
    if (sets.length === 0) throw invalidRange(text, 'no specifier');
    return versFromSets([intersectAll(sets, scheme)], scheme);
  });
}
