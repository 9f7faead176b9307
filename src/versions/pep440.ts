import { defineScheme, invalidVersion } from './scheme.js';

/**
 * PEP 440 versions as Python's `packaging.version.Version` (packaging 23+) reads them.
 *
 * In-house rather than a wrapper of @renovatebot/pep440 4.x, which disagrees with `packaging` on:
 * numbers past 2^53 (it uses `Number`, so 1.18014398509481984 == 1.18014398509481985), local
 * segments that JavaScript's `Number` reads as numbers (`+0x1`, `+1e5`, `+Infinity` are strings to
 * Python) and surrounding whitespace (`parse` rejects what `Version` strips). The grammar below is
 * PEP 440 Appendix B's pattern; the sort key is the spec's.
 */
export interface Pep440Version {
  readonly epoch: Numeral;
  /** Release numbers with trailing zeros removed (`1.0.0` compares equal to `1`). */
  readonly release: readonly Numeral[];
  /** Pre-release rank: -1 for a bare `.devN` (sorts before any pre), 0 a, 1 b, 2 rc, 3 none. */
  readonly preRank: number;
  readonly preNumber: Numeral;
  /** -1 when there is no post-release, otherwise the post number. */
  readonly post: Numeral;
  /** Infinity when there is no dev release, otherwise the dev number. */
  readonly dev: Numeral;
  /** Local segment parts (`+ubuntu.1` → ['ubuntu', 1]), lowercased; null when absent. */
  readonly local: readonly (string | Numeral)[] | null;
}

// Python's `\s` (str.isspace): JavaScript's `\s` without U+FEFF, plus U+001C–U+001F and U+0085.
const PY_SPACE = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*';

// ASCII only: Python's IGNORECASE also folds `ſ`→s, `ı`/`İ`→i, which we reject (see report).
const PATTERN = new RegExp(
  `^${PY_SPACE}v?(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)` +
    '(?:[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?' +
    '(?:-(?<postN1>[0-9]+)|[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?)?' +
    '(?:[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?' +
    `(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?${PY_SPACE}$`,
  'i',
);

const PRE_RANK: Readonly<Record<string, number>> = {
  a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2,
};

/** A non-negative integer: a number while exact (< 1e15), a bigint past that (they never mix as equal). */
type Numeral = number | bigint;

function parseNumeral(digits: string): Numeral {
  const n = Number(digits);
  return n < 1e15 ? n : BigInt(digits);
}

// `<` and `>` compare numbers with bigints exactly; Infinity and -1 act as the spec's ±infinity.
function compareNumerals(a: Numeral, b: Numeral): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parse(input: string): Pep440Version {
  const groups = PATTERN.exec(input)?.groups;
  if (groups === undefined) throw invalidVersion('pep440', input, 'does not match the PEP 440 version pattern');
  const release = (groups.release ?? '').split('.').map(parseNumeral);
  while (release.length > 0 && release[release.length - 1] === 0) release.pop();
  const hasPost = groups.postN1 !== undefined || groups.postL !== undefined;
  const hasDev = groups.devL !== undefined;
  let preRank = 3;
  if (groups.preL !== undefined) preRank = PRE_RANK[groups.preL.toLowerCase()] ?? 3;
  else if (hasDev && !hasPost) preRank = -1;
  return {
    epoch: parseNumeral(groups.epoch ?? '0'),
    release,
    preRank,
    preNumber: parseNumeral(groups.preN ?? '0'),
    post: hasPost ? parseNumeral(groups.postN1 ?? groups.postN2 ?? '0') : -1,
    dev: hasDev ? parseNumeral(groups.devN ?? '0') : Infinity,
    local: groups.local === undefined ? null : groups.local.toLowerCase().split(/[-_.]/).map(localPart),
  };
}

// `packaging` makes a local part an int only when it is all digits (`str.isdigit`).
function localPart(part: string): string | Numeral {
  return /^[0-9]+$/.test(part) ? parseNumeral(part) : part;
}

function compareRelease(a: readonly Numeral[], b: readonly Numeral[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareNumerals(a[i] as Numeral, b[i] as Numeral);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

// Numbers sort after strings; strings compare by code unit (ASCII here), numbers by value.
function compareLocal(a: Pep440Version['local'], b: Pep440Version['local']): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string | Numeral;
    const y = b[i] as string | Numeral;
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    if (xs !== ys) return xs ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function compareParsed(a: Pep440Version, b: Pep440Version): -1 | 0 | 1 {
  const c =
    compareNumerals(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    a.preRank - b.preRank ||
    (a.preRank >= 0 && a.preRank < 3 ? compareNumerals(a.preNumber, b.preNumber) : 0) ||
    compareNumerals(a.post, b.post) ||
    compareNumerals(a.dev, b.dev) ||
    compareLocal(a.local, b.local);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

export const pep440 = defineScheme<Pep440Version>({ name: 'pep440', parse, compareParsed });
