import { defineScheme, invalidVersion } from './scheme.js';

/*
 * Debian package versions, `[epoch:]upstream[-revision]`, ordered exactly like dpkg's
 * lib/dpkg/version.c (verrevcmp) and parsed like lib/dpkg/parsehelp.c (parseversion), as used by
 * `dpkg --compare-versions` (see deb-version(5)).
 *
 * Validity follows dpkg's hard errors, the ones that make `dpkg --compare-versions` exit 2:
 * empty or blank, embedded blanks, empty / non-numeric / negative / > INT_MAX epoch, nothing after
 * the epoch colon, empty upstream, empty revision (trailing '-'). dpkg only WARNS (and compares
 * anyway) for an upstream not starting with a digit and for characters outside [A-Za-z0-9.+~:-]
 * (`.+~` in the revision), so those parse here too and order the way dpkg orders them.
 * Deliberate extra rejections, where dpkg has no single answer:
 * - non-ASCII and NUL: dpkg orders bytes >= 0x80 through plain `char`, which is signed on amd64
 *   and unsigned on arm64, so the answer depends on the machine;
 * - the literal `<unknown>`: `dpkg --compare-versions` reads it as "no version", not a version.
 * As in dpkg, leading and trailing blanks (space, tab) are ignored, a missing revision equals
 * revision "0" and a missing epoch equals epoch 0.
 */

/**
 * A parsed Debian version: the original text plus the bounds of each part, so that parsing
 * allocates one small object and no substrings. Use {@link splitDebVersion} for the parts.
 */
export interface DebVersion {
  readonly text: string;
  readonly epoch: number;
  readonly upstreamStart: number;
  readonly upstreamEnd: number;
  /** Equal to revisionEnd when there is no revision. */
  readonly revisionStart: number;
  readonly revisionEnd: number;
}

const INT_MAX = 2147483647;
const SPACE = 32;
const TAB = 9;
const COLON = 58;
const HYPHEN = 45;
const TILDE = 126;

const fail = (input: string, reason: string): Error => invalidVersion('deb', input, reason);
const isBlank = (c: number): boolean => c === SPACE || c === TAB;
/** C isspace(): what strtol() skips before the epoch (the blanks are trimmed before that). */
const isSpace = (c: number): boolean => c === SPACE || (c >= 9 && c <= 13);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** dpkg's `order()`: digits and end 0, '~' -1, letters their code, anything else code + 256. */
function order(c: number): number {
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === TILDE) return -1;
  return c === 0 ? 0 : c + 256;
}

/**
 * The epoch between `start` and the colon, read the way dpkg reads it with strtol(): leading
 * white space, an optional sign, then decimal digits that must end exactly at the colon.
 */
function parseEpoch(input: string, start: number, colon: number): number {
  let i = start;
  while (i < colon && isSpace(input.charCodeAt(i))) i++;
  const sign = input.charCodeAt(i);
  const negative = sign === HYPHEN;
  if (negative || sign === 43) i++;
  const digitsStart = i;
  let value = 0;
  for (; i < colon && isDigit(input.charCodeAt(i)); i++) {
    if (value <= INT_MAX) value = value * 10 + (input.charCodeAt(i) - 48);
  }
  if (i === digitsStart) throw fail(input, 'epoch in version is empty');
  if (i !== colon) throw fail(input, 'epoch in version is not number');
  if (negative && value !== 0) throw fail(input, 'epoch in version is negative');
  if (value > INT_MAX) throw fail(input, 'epoch in version is too big');
  return value;
}

/** Parses like dpkg's parseversion(); throws VersionError for its hard errors (see above). */
export function parseDebVersion(input: string): DebVersion {
  const len = input.length;
  let start = 0;
  while (start < len && isBlank(input.charCodeAt(start))) start++;
  if (start === len) throw fail(input, 'version string is empty');
  let end = start;
  let colon = -1;
  let hyphen = -1;
  for (; end < len; end++) {
    const c = input.charCodeAt(end);
    if (isBlank(c)) break;
    if (c === COLON) {
      if (colon < 0) colon = end;
    } else if (c === HYPHEN) {
      hyphen = end;
    } else if (c === 0 || c > 127) {
      throw fail(input, 'NUL or non-ASCII character (dpkg orders these differently per CPU architecture)');
    }
  }
  for (let i = end; i < len; i++) {
    if (!isBlank(input.charCodeAt(i))) throw fail(input, 'version string has embedded spaces');
  }
  if (input === '<unknown>') throw fail(input, 'dpkg reads "<unknown>" as no version');
  let epoch = 0;
  let upstreamStart = start;
  if (colon >= 0) {
    epoch = parseEpoch(input, start, colon);
    if (colon + 1 === end) throw fail(input, 'nothing after colon in version number');
    upstreamStart = colon + 1;
  }
  let upstreamEnd = end;
  let revisionStart = end;
  if (hyphen >= upstreamStart) {
    if (hyphen + 1 === end) throw fail(input, 'revision number is empty');
    upstreamEnd = hyphen;
    revisionStart = hyphen + 1;
  }
  if (upstreamEnd === upstreamStart) throw fail(input, 'version number is empty');
  return { text: input, epoch, upstreamStart, upstreamEnd, revisionStart, revisionEnd: end };
}

/** The parts of a Debian version; `revision` is '' when absent. Throws like `deb.parse`. */
export function splitDebVersion(version: string): { epoch: number; upstream: string; revision: string } {
  const v = parseDebVersion(version);
  return {
    epoch: v.epoch,
    upstream: v.text.slice(v.upstreamStart, v.upstreamEnd),
    revision: v.text.slice(v.revisionStart, v.revisionEnd),
  };
}

/**
 * dpkg's verrevcmp() over a[ai, ae) and b[bi, be): alternating non-digit runs (compared by
 * order()) and digit runs (compared numerically, without converting, so any length works).
 */
function verrevcmp(a: string, ai: number, ae: number, b: string, bi: number, be: number): -1 | 0 | 1 {
  while (ai < ae || bi < be) {
    let ac = ai < ae ? a.charCodeAt(ai) : 0;
    let bc = bi < be ? b.charCodeAt(bi) : 0;
    while ((ac !== 0 && !isDigit(ac)) || (bc !== 0 && !isDigit(bc))) {
      const ao = order(ac);
      const bo = order(bc);
      if (ao !== bo) return ao < bo ? -1 : 1;
      ac = ++ai < ae ? a.charCodeAt(ai) : 0;
      bc = ++bi < be ? b.charCodeAt(bi) : 0;
    }
    while (ai < ae && a.charCodeAt(ai) === 48) ai++;
    while (bi < be && b.charCodeAt(bi) === 48) bi++;
    let firstDiff = 0;
    for (;;) {
      ac = ai < ae ? a.charCodeAt(ai) : 0;
      bc = bi < be ? b.charCodeAt(bi) : 0;
      if (!isDigit(ac) || !isDigit(bc)) break;
      if (firstDiff === 0) firstDiff = ac - bc;
      ai++;
      bi++;
    }
    if (isDigit(ac)) return 1;
    if (isDigit(bc)) return -1;
    if (firstDiff !== 0) return firstDiff < 0 ? -1 : 1;
  }
  return 0;
}

export function compareDebVersions(a: DebVersion, b: DebVersion): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return verrevcmp(a.text, a.upstreamStart, a.upstreamEnd, b.text, b.upstreamStart, b.upstreamEnd)
    || verrevcmp(a.text, a.revisionStart, a.revisionEnd, b.text, b.revisionStart, b.revisionEnd);
}

export const deb = defineScheme<DebVersion>({
  name: 'deb',
  parse: parseDebVersion,
  compareParsed: compareDebVersions,
});
