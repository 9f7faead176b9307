import { defineScheme, invalidVersion } from './scheme.js';
import { flatString } from './semver.js';

/**
 * NuGet package versions as NuGet.Versioning's `NuGetVersion.TryParse` reads them and
 * `VersionComparer.Default` orders them (NuGet/NuGet.Client, src/NuGet.Core/NuGet.Versioning).
 *
 * Accepted: 1 to 4 dot-separated numbers (0..2147483647, leading zeros allowed, missing parts are 0,
 * so `1` = `1.0` = `1.0.0` = `1.0.0.0`), then `-LABELS` (dot-separated, `[0-9A-Za-z-]`, non-empty,
 * no leading zero on an all-digit label) and `+METADATA` (same characters, leading zeros allowed).
 * NuGet trims .NET white space around the whole string and also tolerates it around each number
 * (`1. 2` is 1.2); we do the same. No leading `v`.
 *
 * Order: the four numbers, then a release above any pre-release, then labels one by one: labels that
 * .NET's `int.TryParse` reads (so `-5` is the number -5, and 2147483648 is text) compare as numbers
 * and before text labels, text labels compare case-insensitively (ordinal, upper-cased), and more
 * labels win a tie. Metadata is ignored.
 */
export interface NuGetVersion {
  /** Major, minor, patch, revision. */
  readonly numbers: readonly [number, number, number, number];
  /** Labels (numbers where `int.TryParse` succeeds, else upper-cased text); null for a release. */
  readonly labels: readonly (number | string)[] | null;
  readonly metadata: string;
}

const INT_MAX = 2147483647;

// .NET char.IsWhiteSpace: Zs, Zl, Zp, U+0009–U+000D and U+0085 (JavaScript's \s adds U+FEFF, lacks U+0085).
function isWhiteSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function trim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isWhiteSpace(s.charCodeAt(start))) start++;
  while (end > start && isWhiteSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/**
 * One number of the version part, as NuGet's ParseSection: optional white space, digits, optional
 * white space, then '.' (not last) or the end. Returns [value, next position] or null when invalid.
 */
function parseSection(s: string, start: number): [number, number] | null {
  if (start === s.length) return [0, start];
  let end = start;
  while (end < s.length && isWhiteSpace(s.charCodeAt(end))) end++;
  let value = 0;
  let digits = 0;
  for (; end < s.length; end++) {
    const c = s.charCodeAt(end);
    if (isDigit(c)) {
      value = value * 10 + (c - 0x30);
      digits++;
      if (value > INT_MAX) return null;
    } else if (c === 0x2e || isWhiteSpace(c)) break;
    else return null;
  }
  if (digits === 0) return null;
  while (end < s.length && isWhiteSpace(s.charCodeAt(end))) end++;
  if (end === s.length) return [value, end];
  if (s.charCodeAt(end) !== 0x2e || end + 1 === s.length) return null;
  return [value, end + 1];
}

function parseNumbers(part: string): [number, number, number, number] | null {
  if (trim(part) === '') return null;
  const numbers: number[] = [];
  let position = 0;
  for (let i = 0; i < 4; i++) {
    const section = parseSection(part, position);
    if (section === null) return null;
    numbers.push(section[0]);
    position = section[1];
  }
  return position === part.length ? (numbers as [number, number, number, number]) : null;
}

// SemanticVersion.IsValidPart: non-empty, [0-9A-Za-z-], and no leading zero on an all-digit part.
const PART = /^[0-9A-Za-z-]+$/;
const LEADING_ZERO = /^0[0-9]+$/;

function validParts(text: string, allowLeadingZeros: boolean): boolean {
  return text.split('.').every((p) => PART.test(p) && (allowLeadingZeros || !LEADING_ZERO.test(p)));
}

// .NET int.TryParse on a label (its characters are already [0-9A-Za-z-]): an optional '-', digits, Int32 range.
const INT32 = /^-?[0-9]+$/;

function label(text: string): number | string {
  if (INT32.test(text)) {
    const n = Number(text);
    if (n >= -2147483648 && n <= INT_MAX) return n === 0 ? 0 : n;
  }
  return flatString(text.toUpperCase());
}

/**
 * Splits like NuGet's ParseSections: the version part runs to the first '-' or '+'; labels run from a
 * '-' to the next '+'; metadata is the rest. A '-' or '+' as the last character stays inside the part
 * before it, which then fails validation, as in NuGet.
 */
function sections(s: string): { version: string; labels: string | null; metadata: string | null } | null {
  const first = s.search(/[-+]/);
  if (first < 0) return { version: s, labels: null, metadata: null };
  if (first === s.length - 1) return null;
  const version = s.slice(0, first);
  if (s[first] === '+') return { version, labels: null, metadata: s.slice(first + 1) };
  const plus = s.indexOf('+', first + 1);
  if (plus < 0) return { version, labels: s.slice(first + 1), metadata: null };
  if (plus === s.length - 1) return null;
  return { version, labels: s.slice(first + 1, plus), metadata: s.slice(plus + 1) };
}

function parse(input: string): NuGetVersion {
  const parts = sections(trim(input));
  const numbers = parts === null ? null : parseNumbers(parts.version);
  if (parts === null || numbers === null) {
    throw invalidVersion('nuget', input, 'expected 1 to 4 numbers (each at most 2147483647), then -LABELS and +METADATA');
  }
  if (parts.labels !== null && !validParts(parts.labels, false)) {
    throw invalidVersion('nuget', input, 'release labels must be non-empty [0-9A-Za-z-] without leading zeros on numbers');
  }
  if (parts.metadata !== null && !validParts(parts.metadata, true)) {
    throw invalidVersion('nuget', input, 'metadata must be non-empty dot-separated [0-9A-Za-z-] parts');
  }
  return {
    numbers,
    labels: parts.labels === null ? null : parts.labels.split('.').map(label),
    metadata: parts.metadata ?? '',
  };
}

function compareLabels(a: readonly (number | string)[], b: readonly (number | string)[]): -1 | 0 | 1 {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const x = a[i] as number | string;
    const y = b[i] as number | string;
    if (x === y) continue;
    const xNumber = typeof x === 'number';
    if (xNumber !== (typeof y === 'number')) return xNumber ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareParsed(a: NuGetVersion, b: NuGetVersion): -1 | 0 | 1 {
  for (let i = 0; i < 4; i++) {
    const x = a.numbers[i] as number;
    const y = b.numbers[i] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (a.labels === null || b.labels === null) return a.labels === b.labels ? 0 : a.labels === null ? 1 : -1;
  return compareLabels(a.labels, b.labels);
}

export const nuget = defineScheme<NuGetVersion>({ name: 'nuget', parse, compareParsed });
