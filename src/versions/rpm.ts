import { defineScheme, invalidVersion } from './scheme.js';

/*
 * RPM EVR strings, `[epoch:]version[-release]`, ordered exactly like rpm's Lua `rpm.vercmp()`:
 * rpmverParse() splits the EVR (rpmio/rpmver.c parseEVR) and rpmverCmp() compares epoch, version
 * and release with rpmvercmp() (rpmio/rpmvercmp.c). Consequences worth knowing:
 * - a missing epoch is epoch 0;
 * - a missing release sorts BEFORE any release (`1.0 < 1.0-1`). This is rpmverCmp's total order,
 *   not rpm's dependency matching (rpmverOverlap), where `= 1.0` also matches `1.0-1`: a range
 *   matcher that wants that must handle a release-less bound itself;
 * - characters other than ASCII letters, digits, '~' and '^' only separate segments, so `1.0`,
 *   `1_0` and `1.é.0`-style variants can compare equal while being different strings.
 *
 * rpm itself accepts any non-empty string. We reject, as input no real package EVR can be:
 * - an empty string, an empty version (`1:`, `-1`, `1:-1`) or an empty release (`1.0-`);
 * - white space, control characters and NUL anywhere;
 * - a colon whose prefix is not a non-empty run of ASCII digits (`:1`, `a:1`, `1.0:1`); rpm would
 *   read those as epoch-less versions with ':' as a separator, which is never what was meant.
 */

/**
 * A parsed EVR: the original text plus bounds, so parsing allocates no substrings. The epoch range
 * excludes leading zeros (empty means epoch 0). releaseStart is -1 when there is no release.
 */
export interface RpmVersion {
  readonly text: string;
  readonly epochStart: number;
  readonly epochEnd: number;
  readonly versionStart: number;
  readonly versionEnd: number;
  readonly releaseStart: number;
  readonly releaseEnd: number;
}

const COLON = 58;
const HYPHEN = 45;
const TILDE = 126;
const CARET = 94;
const ZERO = 48;

const fail = (input: string, reason: string): Error => invalidVersion('rpm', input, reason);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** 1 for what rpmvercmp skips: neither ASCII alphanumeric nor '~' / '^' (non-ASCII included). */
const SEPARATOR = new Uint8Array(128).fill(1);
for (let c = 0; c < 128; c++) if (isDigit(c) || isAlpha(c) || c === TILDE || c === CARET) SEPARATOR[c] = 0;
const isSeparator = (c: number): boolean => c >= 128 || SEPARATOR[c] === 1;

// Field indexes into a bounds array: epoch [start, end), version [start, end), release [start, end).
const E0 = 0, E1 = 1, V0 = 2, V1 = 3, R0 = 4, R1 = 5;

/**
 * Splits an EVR the way rpmverParse() does, writing the field bounds into `out` (release start
 * is -1 when there is none) and rejecting what is described above. Allocates nothing, so
 * `rpm.compare` on strings runs without building objects.
 */
function splitInto(input: string, out: Int32Array): void {
  const len = input.length;
  if (len === 0) throw fail(input, 'empty');
  let colon = -1;
  let hyphen = -1;
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    if (c <= 32 || c === 127) throw fail(input, 'white space or control character');
    if (c === COLON) {
      if (colon < 0) colon = i;
    } else if (c === HYPHEN) {
      hyphen = i;
    }
  }
  let epochStart = 0;
  let versionStart = 0;
  if (colon >= 0) {
    if (colon === 0) throw fail(input, 'empty epoch');
    for (let i = 0; i < colon; i++) {
      if (!isDigit(input.charCodeAt(i))) throw fail(input, 'epoch is not a number');
    }
    while (epochStart < colon && input.charCodeAt(epochStart) === ZERO) epochStart++;
    versionStart = colon + 1;
  }
  let versionEnd = len;
  let releaseStart = -1;
  if (hyphen >= 0) {
    if (hyphen + 1 === len) throw fail(input, 'empty release');
    versionEnd = hyphen;
    releaseStart = hyphen + 1;
  }
  if (versionEnd <= versionStart) throw fail(input, 'empty version');
  out[E0] = epochStart;
  out[E1] = colon >= 0 ? colon : 0;
  out[V0] = versionStart;
  out[V1] = versionEnd;
  out[R0] = releaseStart;
  out[R1] = len;
}

const scratchA = new Int32Array(6);
const scratchB = new Int32Array(6);

/** Parses an EVR the way rpmverParse() splits it, rejecting what is described above. */
export function parseRpmVersion(input: string): RpmVersion {
  const b = scratchA;
  splitInto(input, b);
  return { text: input, epochStart: b[E0]!, epochEnd: b[E1]!, versionStart: b[V0]!, versionEnd: b[V1]!, releaseStart: b[R0]!, releaseEnd: b[R1]! };
}

/**
 * The parts of an EVR. `epoch` is its decimal digits without leading zeros ('0' when absent; kept
 * as a string because rpm puts no bound on it); `release` is '' when absent. Throws like `rpm.parse`.
 */
export function parseEvr(evr: string): { epoch: string; version: string; release: string } {
  const v = parseRpmVersion(evr);
  return {
    epoch: v.epochEnd > v.epochStart ? v.text.slice(v.epochStart, v.epochEnd) : '0',
    version: v.text.slice(v.versionStart, v.versionEnd),
    release: v.releaseStart < 0 ? '' : v.text.slice(v.releaseStart, v.releaseEnd),
  };
}

/** Compares two digit runs without leading zeros: longer is larger, then digit by digit. */
function compareDigits(a: string, ai: number, ae: number, b: string, bi: number, be: number): -1 | 0 | 1 {
  if (ae - ai !== be - bi) return ae - ai < be - bi ? -1 : 1;
  for (; ai < ae; ai++, bi++) {
    const d = a.charCodeAt(ai) - b.charCodeAt(bi);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * Where the last segment comparison stopped in each string, so the segment helpers can return a
 * result and two positions without allocating. Only meaningful after a helper returned 0.
 */
const stop = { a: 0, b: 0 };

/** One digit segment each (a[ai] is a digit): as numbers of any length, leading zeros ignored. */
function numericSegment(a: string, ai: number, ae: number, b: string, bi: number, be: number): -1 | 0 | 1 {
  if (bi === be || !isDigit(b.charCodeAt(bi))) return 1;
  while (ai < ae && a.charCodeAt(ai) === ZERO) ai++;
  while (bi < be && b.charCodeAt(bi) === ZERO) bi++;
  let firstDiff = 0;
  for (;; ai++, bi++) {
    const x = ai < ae ? a.charCodeAt(ai) : 0;
    const y = bi < be ? b.charCodeAt(bi) : 0;
    if (!isDigit(x) || !isDigit(y)) {
      if (isDigit(x)) return 1;
      if (isDigit(y)) return -1;
      break;
    }
    if (firstDiff === 0) firstDiff = x - y;
  }
  stop.a = ai;
  stop.b = bi;
  return firstDiff < 0 ? -1 : firstDiff > 0 ? 1 : 0;
}

/** One letter segment each (a[ai] is a letter), compared like strcmp(). */
function alphaSegment(a: string, ai: number, ae: number, b: string, bi: number, be: number): -1 | 0 | 1 {
  if (bi === be || !isAlpha(b.charCodeAt(bi))) return -1;
  for (;; ai++, bi++) {
    const x = ai < ae ? a.charCodeAt(ai) : 0;
    const y = bi < be ? b.charCodeAt(bi) : 0;
    if (!isAlpha(x) || !isAlpha(y)) {
      if (isAlpha(x)) return 1;
      if (isAlpha(y)) return -1;
      break;
    }
    if (x !== y) return x < y ? -1 : 1;
  }
  stop.a = ai;
  stop.b = bi;
  return 0;
}

/**
 * rpmvercmp() over a[ai, ae) and b[bi, be): skip separators; '~' sorts before anything, even the
 * end; '^' sorts after the end but before anything else; then one all-digit or all-letter segment
 * each, digits beating letters, digit runs compared as numbers of any length.
 */
function rpmvercmp(a: string, ai: number, ae: number, b: string, bi: number, be: number): -1 | 0 | 1 {
  // Fast path: skip the common prefix, backed up to the start of the letter or digit run it
  // ends in. That point is a segment boundary in both strings and everything before it compared
  // equal, so rpmvercmp from there answers the same.
  let i = 0;
  const n = Math.min(ae - ai, be - bi);
  while (i < n && a.charCodeAt(ai + i) === b.charCodeAt(bi + i)) i++;
  if (i === ae - ai && i === be - bi) return 0;
  if (i > 0) {
    const last = a.charCodeAt(ai + i - 1);
    const digit = isDigit(last);
    if (digit || isAlpha(last)) {
      while (i > 0 && (digit ? isDigit(a.charCodeAt(ai + i - 1)) : isAlpha(a.charCodeAt(ai + i - 1)))) i--;
    }
    ai += i;
    bi += i;
  }
  while (ai < ae || bi < be) {
    while (ai < ae && isSeparator(a.charCodeAt(ai))) ai++;
    while (bi < be && isSeparator(b.charCodeAt(bi))) bi++;
    const ac = ai < ae ? a.charCodeAt(ai) : 0;
    const bc = bi < be ? b.charCodeAt(bi) : 0;
    if (ac === TILDE || bc === TILDE) {
      if (ac !== TILDE) return 1;
      if (bc !== TILDE) return -1;
    } else if (ac === CARET || bc === CARET) {
      if (ai === ae) return -1;
      if (bi === be) return 1;
      if (ac !== CARET) return 1;
      if (bc !== CARET) return -1;
    } else {
      if (ai === ae || bi === be) break;
      const rc = isDigit(ac) ? numericSegment(a, ai, ae, b, bi, be) : alphaSegment(a, ai, ae, b, bi, be);
      if (rc !== 0) return rc;
      ai = stop.a;
      bi = stop.b;
      continue;
    }
    ai++;
    bi++;
  }
  if (ai === ae && bi === be) return 0;
  return ai === ae ? -1 : 1;
}

/** rpmverCmp(): epoch (missing = 0), then version, then release (missing < present). */
function compareBounds(a: string, x: ArrayLike<number>, b: string, y: ArrayLike<number>): -1 | 0 | 1 {
  const rc = compareDigits(a, x[E0]!, x[E1]!, b, y[E0]!, y[E1]!) || rpmvercmp(a, x[V0]!, x[V1]!, b, y[V0]!, y[V1]!);
  if (rc !== 0) return rc;
  if (x[R0]! < 0 || y[R0]! < 0) return x[R0]! < 0 ? (y[R0]! < 0 ? 0 : -1) : 1;
  return rpmvercmp(a, x[R0]!, x[R1]!, b, y[R0]!, y[R1]!);
}

/** The same order over parsed values (compareBounds, field by field). */
export function compareRpmVersions(a: RpmVersion, b: RpmVersion): -1 | 0 | 1 {
  const rc = compareDigits(a.text, a.epochStart, a.epochEnd, b.text, b.epochStart, b.epochEnd)
    || rpmvercmp(a.text, a.versionStart, a.versionEnd, b.text, b.versionStart, b.versionEnd);
  if (rc !== 0) return rc;
  if (a.releaseStart < 0 || b.releaseStart < 0) return a.releaseStart < 0 ? (b.releaseStart < 0 ? 0 : -1) : 1;
  return rpmvercmp(a.text, a.releaseStart, a.releaseEnd, b.text, b.releaseStart, b.releaseEnd);
}

const scheme = defineScheme<RpmVersion>({
  name: 'rpm',
  parse: parseRpmVersion,
  compareParsed: compareRpmVersions,
});

/** rpm, with a string comparison that splits both EVRs into scratch bounds instead of objects. */
export const rpm: typeof scheme = {
  ...scheme,
  compare(a: string, b: string): -1 | 0 | 1 {
    splitInto(a, scratchA);
    splitInto(b, scratchB);
    return compareBounds(a, scratchA, b, scratchB);
  },
};
