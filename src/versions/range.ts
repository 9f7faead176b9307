import type { IntervalSet } from './range-set.js';
import { comparatorSet, contains, intersect, normalize, union, type Interval } from './range-set.js';
import type { SchemeName, VersionScheme } from './scheme.js';
import { VersionError } from './scheme.js';

/*
 * Version ranges in one internal form, the `vers:` notation of the purl project
 * (https://github.com/package-url/vers-spec, docs/specification): `vers:<type>/<c1>|<c2>|…`.
 *
 * Matching policy, the same for every scheme and every native syntax: a range is a set of
 * intervals in the scheme's version ORDER. Pre-releases are not filtered out (node-semver,
 * PEP 440 and Cargo exclude pre-releases from ranges by default; a security matcher must not miss
 * 2.0.0-rc.1 inside an affected `>=1.0.0 <2.0.1`). This is node-semver's `includePrerelease` and
 * `SpecifierSet.contains(v, prereleases=True)`, and the semantics of OSV events and vers itself.
 *
 * Validation follows the spec except for order: unsorted constraints are accepted and sorted
 * (formatVers prints the canonical order); duplicate versions and broken `<`/`>` alternation are
 * errors, as their meaning would be a guess.
 */

export type RangeVerdict = 'affected' | 'not-affected' | 'unknown';
export type VersComparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '*';

export interface VersConstraint {
  readonly comparator: VersComparator;
  /** Decoded version text; '' for '*'. */
  readonly version: string;
}

export interface VersRange {
  /** Canonical vers type: npm, pypi, golang, gem…, or the generic 'all' / 'none'. */
  readonly type: string;
  /** In canonical order when built by this module from a scheme; as written after parseVers. */
  readonly constraints: readonly VersConstraint[];
}

const TYPE_OF_SCHEME: Readonly<Record<SchemeName, string>> = {
  deb: 'deb', rpm: 'rpm', apk: 'apk', npm: 'npm', semver: 'semver', pep440: 'pypi', maven: 'maven',
  go: 'golang', gem: 'gem', nuget: 'nuget', composer: 'composer', cargo: 'cargo',
};
const SCHEME_OF_TYPE: ReadonlyMap<string, SchemeName> = new Map([
  ...Object.entries(TYPE_OF_SCHEME).map(([s, t]) => [t, s as SchemeName] as const),
  ['pep440', 'pep440'], ['go', 'go'], ['alpine', 'apk'],
]);

export function versTypeOf(scheme: SchemeName): string {
  return TYPE_OF_SCHEME[scheme];
}

/** The scheme ordering a vers type (`pypi` → pep440; our own scheme names are accepted too). */
export function schemeOfVersType(type: string): SchemeName | undefined {
  return SCHEME_OF_TYPE.get(type.toLowerCase());
}

export function invalidRange(input: string, reason: string, cause?: unknown): VersionError {
  return new VersionError('INVALID_RANGE', `invalid range ${JSON.stringify(input)}: ${reason}`, { cause });
}

const PREFIXES = ['>=', '<=', '!=', '<', '>', '='] as const;

/** Syntax only (no version order needed): scheme, type, pipes, comparators, percent-encoding. */
export function parseVers(text: string): VersRange {
  if (/\s/.test(text)) throw invalidRange(text, 'whitespace is not permitted in vers');
  const colon = text.indexOf(':');
  if (colon < 0 || text.slice(0, colon) !== 'vers') throw invalidRange(text, 'expected the "vers:" scheme');
  const rest = text.slice(colon + 1);
  const slash = rest.indexOf('/');
  const type = slash < 0 ? '' : rest.slice(0, slash);
  if (!/^[a-z][a-z0-9.-]*$/.test(type)) throw invalidRange(text, 'expected a lowercase vers type followed by "/"');
  const body = rest.slice(slash + 1);
  if (body === '*' && (type === 'all' || type === 'none')) return { type, constraints: type === 'all' ? [STAR] : [] };
  const scheme = schemeOfVersType(type);
  if (scheme === undefined) throw invalidRange(text, `unsupported vers type "${type}"`);
  if (body === '*') return { type: versTypeOf(scheme), constraints: [STAR] };
  if (body === '') throw invalidRange(text, 'no constraints');
  const parts = body.split('|');
  if (parts.some((p) => p === '')) throw invalidRange(text, 'empty constraint (leading, trailing or double pipe)');
  return { type: versTypeOf(scheme), constraints: parts.map((p) => parseConstraint(text, p)) };
}

const STAR: VersConstraint = { comparator: '*', version: '' };

function parseConstraint(text: string, part: string): VersConstraint {
  const comparator = PREFIXES.find((c) => part.startsWith(c)) ?? '=';
  const raw = part.startsWith(comparator) ? part.slice(comparator.length) : part;
  if (raw === '' || /[<>=!*|]/.test(raw)) throw invalidRange(text, `malformed constraint "${part}"`);
  return { comparator, version: percentDecode(text, raw) };
}

const MUST_ENCODE = /[<>=!*|%]/;

function percentDecode(text: string, raw: string): string {
  if (!raw.includes('%')) return raw;
  if (!/^(?:[^%]|%[0-9A-F]{2})*$/.test(raw)) throw invalidRange(text, 'invalid or non-canonical percent-encoding in version');
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch (error) {
    throw invalidRange(text, 'percent-encoding is not UTF-8', error);
  }
  if (encodeVersion(decoded) !== raw) throw invalidRange(text, 'non-canonical percent-encoding in version');
  return decoded;
}

function encodeVersion(version: string): string {
  let out = '';
  for (const ch of version) {
    const code = ch.codePointAt(0) as number;
    const plain = code > 0x20 && code < 0x7f && !MUST_ENCODE.test(ch);
    out += plain ? ch : [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/**
 * The canonical string. With a scheme, the constraints are first sorted and simplified through
 * the scheme's order; without one they are printed as they are.
 */
export function formatVers(range: VersRange, scheme?: VersionScheme): string {
  const r = scheme === undefined ? range : canonicalVers(range, scheme);
  if (r.constraints.length === 0) return 'vers:none/*';
  return `vers:${r.type}/${r.constraints.map((c) => (c.comparator === '*' ? '*' : `${c.comparator === '=' ? '' : c.comparator}${encodeVersion(c.version)}`)).join('|')}`;
}

export function canonicalVers<V>(range: VersRange, scheme: VersionScheme<V>): VersRange {
  return setToVers(compileRange(range, scheme).set, scheme);
}

/** An interval set as vers constraints: `<x|>x` around a one-version hole prints as `!=x`. */
export function setToVers<V>(set: IntervalSet<V>, scheme: VersionScheme<V>): VersRange {
  const type = versTypeOf(scheme.name);
  if (set.length === 0) return { type: 'none', constraints: [] };
  const out: VersConstraint[] = [];
  let lastHi: Interval<V>['hi'] = null;
  for (const { lo, hi } of set) {
    if (lo === null && hi === null) return { type, constraints: [STAR] };
    if (lo !== null && hi !== null && lo.inclusive && hi.inclusive && scheme.compareParsed(lo.value, hi.value) === 0) {
      out.push({ comparator: '=', version: lo.text });
    } else {
      if (lo !== null && lastHi !== null && !lo.inclusive && !lastHi.inclusive && scheme.compareParsed(lastHi.value, lo.value) === 0) {
        out[out.length - 1] = { comparator: '!=', version: lastHi.text };
      } else if (lo !== null) {
        out.push({ comparator: lo.inclusive ? '>=' : '>', version: lo.text });
      }
      if (hi !== null) out.push({ comparator: hi.inclusive ? '<=' : '<', version: hi.text });
    }
    lastHi = hi;
  }
  return { type, constraints: out };
}

export interface CompiledRange<V> {
  readonly scheme: VersionScheme<V>;
  readonly set: IntervalSet<V>;
}

/** Checks the vers type against the scheme, parses every version once, validates and sorts. */
export function compileRange<V>(range: VersRange, scheme: VersionScheme<V>): CompiledRange<V> {
  const first = range.constraints[0];
  if (range.type === 'none') return { scheme, set: [] };
  if (range.type !== 'all' && schemeOfVersType(range.type) !== scheme.name) {
    throw invalidRange(formatVers(range), `vers type "${range.type}" is not ordered by the ${scheme.name} scheme`);
  }
  if (range.type === 'all' || range.constraints.some((c) => c.comparator === '*')) {
    if (range.constraints.length !== 1 || first?.comparator !== '*') throw invalidRange(formatVers(range), '"*" must be the only constraint');
    return { scheme, set: [{ lo: null, hi: null }] };
  }
  const parsed = range.constraints.map((c) => ({ c, v: parseBound(range, c, scheme) }));
  parsed.sort((a, b) => scheme.compareParsed(a.v, b.v));
  return { scheme, set: buildSet(range, parsed, scheme) };
}

function parseBound<V>(range: VersRange, c: VersConstraint, scheme: VersionScheme<V>): V {
  try {
    return scheme.parse(c.version);
  } catch (error) {
    throw invalidRange(formatVers(range), `bad version "${c.version}"`, error);
  }
}

// Walks the sorted signposts: `>`/`>=` open an interval, `<`/`<=` close one (or the first closes
// one open from the start); `=` adds a point; `!=` punches a hole once the walk is done.
function buildSet<V>(range: VersRange, sorted: { c: VersConstraint; v: V }[], scheme: VersionScheme<V>): IntervalSet<V> {
  const fail = (reason: string) => invalidRange(formatVers(range), reason);
  const intervals: Interval<V>[] = [];
  const holes: IntervalSet<V>[] = [];
  let open: Interval<V>['lo'] | undefined;
  let previous: VersComparator | undefined;
  sorted.forEach(({ c, v }, index) => {
    const prev = sorted[index - 1];
    if (prev !== undefined && scheme.compareParsed(prev.v, v) === 0) throw fail(`version "${c.version}" occurs twice`);
    const b = { text: c.version, value: v, inclusive: c.comparator.endsWith('=') && c.comparator !== '!=' };
    if (c.comparator === '!=') return void holes.push(comparatorSet(scheme, '!=', c.version));
    if (previous === '=' && (c.comparator === '<' || c.comparator === '<=')) throw fail(`"=" followed by "${c.comparator}"`);
    if (c.comparator === '=') intervals.push({ lo: b, hi: b });
    else if (c.comparator.startsWith('>')) {
      if (open !== undefined) throw fail(`"${c.comparator}${c.version}" follows another ">" constraint`);
      open = b;
    } else {
      if (open === undefined && previous !== undefined && previous !== '=') throw fail(`"${c.comparator}${c.version}" follows another "<" constraint`);
      intervals.push({ lo: open ?? null, hi: b });
      open = undefined;
    }
    previous = c.comparator;
  });
  if (open !== undefined) intervals.push({ lo: open, hi: null });
  // Only `!=` constraints: every version but those (the spec's `vers:gem/!=1.2.3`).
  const base = holes.length === sorted.length ? [{ lo: null, hi: null }] : normalize(intervals, scheme);
  return holes.reduce((set, hole) => intersect(set, hole, scheme), base);
}

const cache = new WeakMap<VersRange, CompiledRange<unknown>>();

/**
 * Is `version` in `range`? 'unknown' when the range or the version does not parse for the scheme
 * or the range is invalid; never a guess. Compiled ranges are cached per range object.
 */
export function evaluate<V>(range: VersRange, version: string, scheme: VersionScheme<V>): RangeVerdict {
  let compiled = cache.get(range) as CompiledRange<V> | undefined;
  try {
    if (compiled === undefined || compiled.scheme !== scheme) {
      compiled = compileRange(range, scheme);
      cache.set(range, compiled as CompiledRange<unknown>);
    }
    return testCompiled(compiled, version);
  } catch (error) {
    if (error instanceof VersionError) return 'unknown';
    throw error;
  }
}

export function testCompiled<V>(compiled: CompiledRange<V>, version: string): RangeVerdict {
  let v: V;
  try {
    v = compiled.scheme.parse(version);
  } catch (error) {
    if (error instanceof VersionError) return 'unknown';
    throw error;
  }
  return contains(compiled.set, v, compiled.scheme) ? 'affected' : 'not-affected';
}

/** Builds a VersRange from native-syntax clauses: the union (OR) of interval sets. */
export function versFromSets<V>(sets: readonly IntervalSet<V>[], scheme: VersionScheme<V>): VersRange {
  return setToVers(sets.reduce<IntervalSet<V>>((acc, s) => union(acc, s, scheme), []), scheme);
}

/** Runs a native-syntax parser, turning a bad version inside the range into INVALID_RANGE. */
export function guardRange<T>(text: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof VersionError && error.code !== 'INVALID_RANGE') throw invalidRange(text, error.message, error);
    throw error;
  }
}
