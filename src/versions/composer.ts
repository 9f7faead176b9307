import { defineScheme, invalidVersion } from './scheme.js';

/**
 * Composer (Packagist) versions: composer/semver 3.4's `VersionParser::normalize` decides what is
 * valid and rewrites it (`1.0` → `1.0.0.0`, `v1.0.0RC2` → `1.0.0.0-RC2`, `1.x-dev` →
 * `1.9999999.9999999.9999999-dev`, `master` → `dev-master`); the order is PHP's `version_compare`
 * on the normalized forms, which is what `Comparator` does.
 *
 * Branches (`dev-*`) have no real order: PHP's `version_compare` puts them below every numbered
 * version (their first part, `dev`, ranks below a number), which we keep; among themselves it
 * ranks their parts (`dev-1.0` < `dev-2.0`) but calls most distinct names equal, while Composer's
 * constraints call two branches equal only when their names are identical. We rank branch parts as
 * `version_compare` does and break its ties by the name's UTF-16 order, so two branches are equal
 * exactly when their normalized names are. `dev-master` is NOT treated as `9999999-dev` (Composer 2
 * only does that in the deprecated `normalizeDefaultBranch`, used by `Semver::sort`). A range
 * matcher that mirrors Composer must not let a branch satisfy an ordered constraint (`isBranch`).
 */
export interface ComposerVersion {
  /** `VersionParser::normalize` output, e.g. `1.0.0.0-beta1`, `dev-master`. */
  readonly normalized: string;
  /** A `dev-*` branch: Composer's constraints never order these against anything. */
  readonly isBranch: boolean;
  /** `version_compare` rank of each part: -2 empty, -1 unknown word, 0 dev … 4 number, 5 patch. */
  readonly ranks: readonly number[];
  /** Value of each numeric part, saturated at C `long`'s maximum like PHP's strtol; 0 for words. */
  readonly values: readonly (number | bigint)[];
}

const LONG_MAX = 9223372036854775807n;
// PHP trim()'s default set; PCRE's \s (no UTF mode) is [\t\n\v\f\r ].
const PHP_TRIM = /^[ \t\n\r\0\v]+|[ \t\n\r\0\v]+$/g;
// PCRE's `$` also matches before a final newline (a `1.0\n@dev` leaves `1.0\n` behind).
const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?\\n?$';
const ALIAS = /^([^,\t-\r ]+) +as +([^,\t-\r ]+)\n?$/;
const STABILITY_FLAG = /@(?:stable|RC|beta|alpha|dev)\n?$/i;
const BUILD_METADATA = /^([^,\t-\r +]+)\+[^\t-\r ]+\n?$/;
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}`, 'i');
const DEV_SUFFIX = /([^\n]*?)[.-]?dev\n?$/i;
const BRANCH_NUMBER = /^v?(\d+)(\.(?:\d+|[x*]))?(\.(?:\d+|[x*]))?(\.(?:\d+|[x*]))?\n?$/i;
const EXPAND: Readonly<Record<string, string>> = { a: 'alpha', b: 'beta', p: 'patch', pl: 'patch', rc: 'RC' };

/** composer/semver `VersionParser::normalize`; throws `INVALID_VERSION` where it throws. */
export function normalizeComposerVersion(input: string): string {
  let version = input.replace(PHP_TRIM, '');
  version = ALIAS.exec(version)?.[1] ?? version;
  const flag = STABILITY_FLAG.exec(version);
  if (flag !== null) version = version.slice(0, flag.index);
  if (version === 'master' || version === 'trunk' || version === 'default') version = `dev-${version}`;
  if (version.slice(0, 4).replace(/[A-Z]/g, (c) => c.toLowerCase()) === 'dev-') return `dev-${version.slice(4)}`;
  version = BUILD_METADATA.exec(version)?.[1] ?? version;
  const classical = CLASSICAL.exec(version);
  if (classical !== null) {
    const [, major, minor, patch, extra] = classical;
    return withModifiers(`${major}${minor || '.0'}${patch || '.0'}${extra || '.0'}`, classical.slice(5));
  }
  const date = DATE.exec(version);
  if (date !== null) return withModifiers((date[1] ?? '').replace(/\D/g, '.'), date.slice(2));
  const branch = DEV_SUFFIX.exec(version);
  if (branch !== null) {
    const numbered = normalizeNumberedBranch(branch[1] ?? '');
    if (numbered !== null) return numbered;
  }
  throw invalidVersion('composer', input, 'VersionParser::normalize rejects it');
}

function withModifiers(version: string, [stability, numbers, dev]: (string | undefined)[]): string {
  let out = version;
  if (stability) {
    if (stability === 'stable') return out;
    const lower = stability.toLowerCase();
    out += `-${EXPAND[lower] ?? lower}${(numbers ?? '').replace(/^[.-]+/, '')}`;
  }
  return dev ? `${out}-dev` : out;
}

// VersionParser::normalizeBranch, keeping only its numbered outcome (`1.x` → `1.9999999…-dev`).
function normalizeNumberedBranch(name: string): string | null {
  const m = BRANCH_NUMBER.exec(name.replace(PHP_TRIM, ''));
  if (m === null) return null;
  const parts = [m[1], m[2] ?? '.x', m[3] ?? '.x', m[4] ?? '.x'].map((p) => (p ?? '').replace(/[X*]/, 'x'));
  return `${parts.join('').replace(/x/g, '9999999')}-dev`;
}

function parse(input: string): ComposerVersion {
  const normalized = normalizeComposerVersion(input);
  const ranks: number[] = [];
  const values: (number | bigint)[] = [];
  for (const part of canonicalParts(normalized)) {
    const numeric = part.charCodeAt(0) >= 48 && part.charCodeAt(0) <= 57;
    ranks.push(numeric ? 4 : specialFormRank(part));
    values.push(numeric ? phpLong(part) : 0);
  }
  return { normalized, isBranch: normalized.startsWith('dev-'), ranks, values };
}

/**
 * Parts of PHP's canonical version string (php_canonicalize_version): `-`, `_`, `+` become `.`,
 * a `.` goes between a digit and a non-digit, other non-alphanumerics become `.` unless they
 * follow a digit, dots never double. A trailing separator leaves an empty last part.
 */
function canonicalParts(version: string): string[] {
  let out = version.charAt(0);
  let previous = out;
  for (let i = 1; i < version.length; i++) {
    const ch = version.charAt(i);
    const dot = out.endsWith('.') ? '' : '.';
    if (ch === '-' || ch === '_' || ch === '+') out += dot;
    else if (previous !== '.' && ch !== '.' && isDigit(previous) !== isDigit(ch)) out += dot + ch;
    else if (!/[0-9A-Za-z]/.test(ch)) out += dot;
    else out += ch;
    previous = ch;
  }
  return out.split('.');
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

// PHP's compare_special_version_forms: first prefix that matches, in this order.
function specialFormRank(part: string): number {
  if (part === '') return -2;
  for (const [prefix, rank] of SPECIAL_FORMS) if (part.startsWith(prefix)) return rank;
  return -1;
}
const SPECIAL_FORMS: readonly (readonly [string, number])[] = [
  ['dev', 0], ['alpha', 1], ['a', 1], ['beta', 2], ['b', 2], ['RC', 3], ['rc', 3], ['#', 4], ['pl', 5], ['p', 5],
];

function phpLong(digits: string): number | bigint {
  const n = Number(digits);
  if (n < 1e15) return n;
  const big = BigInt(digits);
  return big > LONG_MAX ? LONG_MAX : big;
}

// version_compare part by part; a version that runs out ranks like `#` below any number.
function compareParsed(a: ComposerVersion, b: ComposerVersion): -1 | 0 | 1 {
  const n = a.ranks.length > b.ranks.length ? a.ranks.length : b.ranks.length;
  for (let i = 0; i < n; i++) {
    const ra = a.ranks[i] ?? 4;
    const rb = b.ranks[i] ?? 4;
    if (ra !== rb) return ra < rb ? -1 : 1;
    if (ra !== 4) continue;
    const va = a.values[i] ?? -1;
    const vb = b.values[i] ?? -1;
    if (va !== vb) return va < vb ? -1 : 1;
  }
  if (!a.isBranch || !b.isBranch || a.normalized === b.normalized) return 0;
  return a.normalized < b.normalized ? -1 : 1;
}

export const composer = defineScheme<ComposerVersion>({ name: 'composer', parse, compareParsed });
