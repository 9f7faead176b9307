import { defineScheme, invalidVersion } from './scheme.js';

/*
 * Alpine apk versions: digit{.digit}...{letter}{_suffix{#}}...{-r#}, ordered as apk-tools 2.14.10
 * src/version.c does it (apk-tools 2.x ships in Alpine <= 3.22). Semantics only, re-implemented from
 * reading the upstream source; upstream's test/version.data is checked in apk.test.ts.
 *
 * apk 2 tokenizes left to right; each token's *type* is decided before its value is read, and two
 * versions compare token by token while both types and values agree. Notable consequences kept here:
 * - after a '.', a leading-zero run becomes its own token (-(zeros-1)), so 1.05 < 1.1 and 8.2.001 < 8.2.0
 *   (apk 3 sorts such fields as strings instead: see apk.test.ts for the lines where 2 and 3 differ);
 * - `_alpha _beta _pre _rc` sort below the bare release, `_cvs _svn _git _hg _p` above it;
 * - a letter may be followed by more digits (1.0a1), which apk 3 rejects.
 */

// Token types of apk 2; their numeric order matters (see the tail of compareTokens).
const INVALID = -1;
const DIGIT_OR_ZERO = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const REVISION_NO = 5;
const END = 6;

const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'] as const; // values -4..-1
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'] as const; // values 0..4
const MAX_SAFE_DIGITS = 15;

/** The token stream of one version: vals[i] was read as type types[i-1] (DIGIT for i = 0). */
export interface ApkVersion {
  readonly input: string;
  /** Token values; a bigint only for numbers too large for a double (16-17 digits). */
  readonly vals: ReadonlyArray<number | bigint>;
  /** types[i] is the type of the token after vals[i]; the last one is END or INVALID. */
  readonly types: readonly number[];
}

interface Scan extends ApkVersion {
  /** Why the version is not strictly valid, or undefined. */
  problem: string | undefined;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => c >= 97 && c <= 122;

function readNumber(s: string, pos: number, count: number): number | bigint {
  if (count > MAX_SAFE_DIGITS) return BigInt(s.slice(pos, pos + count));
  let v = 0;
  for (let i = 0; i < count; i++) v = v * 10 + (s.charCodeAt(pos + i) - 48);
  return v;
}

/** apk 2's suffix lookup: the first listed suffix that is a prefix of the rest wins. */
function matchSuffix(s: string, pos: number): [value: number, length: number] | undefined {
  for (let v = 0; v < PRE_SUFFIXES.length; v++) {
    const name = PRE_SUFFIXES[v] as string;
    if (s.startsWith(name, pos)) return [v - PRE_SUFFIXES.length, name.length];
  }
  for (let v = 0; v < POST_SUFFIXES.length; v++) {
    const name = POST_SUFFIXES[v] as string;
    if (s.startsWith(name, pos)) return [v, name.length];
  }
  return undefined;
}

/** apk 2's next_token: decides the type of the token starting at pos; returns [type, newPos]. */
function nextType(s: string, pos: number, type: number): [number, number] {
  if (pos >= s.length) return [END, pos];
  const c = s.charCodeAt(pos);
  let n = INVALID;
  if ((type === DIGIT || type === DIGIT_OR_ZERO) && isLower(c)) n = LETTER;
  else if (type === LETTER && isDigit(c)) n = DIGIT;
  else if (type === SUFFIX && isDigit(c)) n = SUFFIX_NO;
  else {
    if (c === 46 /* . */) n = DIGIT_OR_ZERO;
    else if (c === 95 /* _ */) n = SUFFIX;
    else if (c === 45 /* - */ && s.charCodeAt(pos + 1) === 114 /* r */) { n = REVISION_NO; pos++; }
    pos++;
  }
  const allowed = (n === DIGIT_OR_ZERO && type === DIGIT) || (n === SUFFIX && type === SUFFIX_NO)
    || (n === DIGIT && type === LETTER);
  return [n < type && !allowed ? INVALID : n, pos];
}

/** Runs apk 2's get_token loop over any string, recording why it is not strictly valid. */
function scan(input: string): Scan {
  const vals: Array<number | bigint> = [];
  const types: number[] = [];
  const s = input;
  let problem: string | undefined;
  let type = DIGIT;
  let pos = 0;
  while (type !== END && type !== INVALID) {
    if (pos >= s.length) { // apk returns 0/END; happens only for "" or a trailing separator
      problem ??= 'empty field at end';
      vals.push(0); types.push(END);
      break;
    }
    let v: number | bigint = 0;
    let forced = INVALID; // type forced by the leading-zero rule
    if (type === DIGIT_OR_ZERO && s.charCodeAt(pos) === 48) {
      let i = 0;
      while (pos + i + 1 < s.length && s.charCodeAt(pos + i + 1) === 48) i++;
      v = i === 0 ? 0 : -i;
      pos += i;
      forced = DIGIT;
    } else if (type === DIGIT_OR_ZERO || type === DIGIT || type === SUFFIX_NO || type === REVISION_NO) {
      let i = 0;
      while (pos + i < s.length && isDigit(s.charCodeAt(pos + i))) i++;
      if (i >= 18) { vals.push(-1); types.push(INVALID); problem ??= 'number has 18 or more digits'; break; }
      if (i === 0) problem ??= `expected a digit at offset ${pos}`;
      v = readNumber(s, pos, i);
      pos += i;
    } else if (type === LETTER) {
      v = s.charCodeAt(pos++);
    } else { // SUFFIX
      const m = matchSuffix(s, pos);
      if (m === undefined) { vals.push(-1); types.push(INVALID); problem ??= `unknown suffix at offset ${pos}`; break; }
      v = m[0];
      pos += m[1];
    }
    if (pos >= s.length) type = END;
    else if (forced !== INVALID) type = forced;
    else {
      [type, pos] = nextType(s, pos, type);
      if (type === INVALID) problem ??= `unexpected character at offset ${pos - 1}`;
    }
    vals.push(v); types.push(type);
  }
  return { input, vals, types, problem };
}

/** apk_version_compare_blob_fuzzy of apk 2.14.10 over two token streams. */
function compareTokens(a: ApkVersion, b: ApkVersion, fuzzy: boolean): -1 | 0 | 1 {
  let at = DIGIT;
  let bt = DIGIT;
  let av: number | bigint = 0;
  let bv: number | bigint = 0;
  let i = 0;
  // number vs bigint never compare equal by value here: a bigint is always beyond 2^53.
  while (at === bt && at !== END && at !== INVALID && av === bv) {
    av = a.vals[i] ?? 0; at = a.types[i] ?? END;
    bv = b.vals[i] ?? 0; bt = b.types[i] ?? END;
    i++;
  }
  if (av < bv) return -1;
  if (av > bv) return 1;
  if (at === bt || fuzzy) return 0;
  // Same prefix: the longer one is greater unless what follows is a pre-release suffix.
  if (at === SUFFIX && (a.vals[i] ?? 0) < 0) return -1;
  if (bt === SUFFIX && (b.vals[i] ?? 0) < 0) return 1;
  if (at > bt) return -1;
  if (bt > at) return 1;
  return 0;
}

// apk_version_compare takes C strings: nothing after a NUL is seen.
const cString = (s: string): string => {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
};

/**
 * apk 2.14.10's `apk version -t A B` on any input, valid or not (it never fails: an invalid tail
 * just ends the comparison, e.g. 1.0 < 1.0bc). For reproducing apk's own answers; the matcher uses
 * the strict `apk.compare`, which rejects invalid versions.
 */
export function apkCompareLoose(a: string, b: string): -1 | 0 | 1 {
  return compareTokens(scan(cString(a)), scan(cString(b)), false);
}

/**
 * apk 2.14.10's fuzzy comparison (the `~` dependency operator): 0 when the versions agree on
 * every token both have, so it is symmetric (3.8 ~ 3.8.1 holds in apk 2, not in apk 3).
 */
export function apkCompareFuzzy(a: string, b: string): -1 | 0 | 1 {
  return compareTokens(scan(cString(a)), scan(cString(b)), true);
}

/**
 * Strict parse: what apk_version_validate (2.14.10) accepts, minus its degenerate cases that apk 3
 * also rejects: "" and versions not starting with a digit, empty fields ("1..2", "1.a", "1.0_",
 * "1.0-r"), and NUL characters.
 */
function parse(input: string): ApkVersion {
  if (input.includes('\0')) throw invalidVersion('apk', input, 'contains a NUL character');
  const scanned = scan(input);
  if (scanned.problem !== undefined) throw invalidVersion('apk', input, scanned.problem);
  return { input, vals: scanned.vals, types: scanned.types };
}

export const apk = defineScheme<ApkVersion>({
  name: 'apk',
  parse,
  compareParsed: (a, b) => compareTokens(a, b, false),
});
