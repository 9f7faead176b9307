import { SemVer } from 'semver';
import { defineScheme, invalidVersion, sign } from './scheme.js';

/**
 * Strict SemVer 2.0.0 (https://semver.org/spec/v2.0.0.html), read and ordered by node-semver's
 * `SemVer` class with `loose: false`.
 *
 * node-semver's strict mode still forgives two things the spec does not allow, and this scheme
 * rejects them: a leading `v` (`v1.2.3`) and surrounding white space (the class trims). Everything
 * else is node-semver's: `MAJOR.MINOR.PATCH` without leading zeros, pre-release identifiers without
 * leading zeros, build metadata that does not take part in precedence (`1.0.0+a` = `1.0.0+b`), and
 * its limits: at most 256 characters and major/minor/patch at most 2^53 - 1 (larger numbers are
 * rejected). A numeric pre-release identifier past 2^53 - 1 is kept by node-semver as a string and
 * compared as one; we inherit that rather than guess a different order.
 */
export type SemverVersion = SemVer;

function parse(input: string): SemVer {
  const first = input.charCodeAt(0);
  // 0x76 is `v`: node-semver strips one, SemVer 2.0.0 has none.
  if (first === 0x76 || input.trim() !== input) {
    throw invalidVersion('semver', input, 'SemVer 2.0.0 allows no leading "v" and no surrounding white space');
  }
  return parseWithNodeSemver('semver', input, input);
}

/** `new SemVer(text)` without options (strict), mapping its TypeError to INVALID_VERSION for `input`. */
export function parseWithNodeSemver(scheme: string, input: string, text: string): SemVer {
  try {
    return new SemVer(text);
  } catch (error) {
    throw invalidVersion(scheme, input, (error as Error).message);
  }
}

/** node-semver precedence: build metadata is ignored. */
export function compareSemVer(a: SemVer, b: SemVer): -1 | 0 | 1 {
  return sign(a.compare(b));
}

export const semver = defineScheme<SemVer>({ name: 'semver', parse, compareParsed: compareSemVer });

/**
 * A parsed pre-release identifier: a number when the identifier is all digits (a bigint past 15
 * digits, so any length stays exact), otherwise the identifier's text.
 */
export type PreIdentifier = number | bigint | string;

/** A non-negative integer of any length: a number while exact (< 1e15), a bigint past that. */
export type Numeral = number | bigint;

/** Reads a run of ASCII digits (no sign, no leading-zero check: callers have validated it). */
export function parseNumeral(digits: string): Numeral {
  return digits.length <= 15 ? Number(digits) : BigInt(digits);
}

// `<` and `>` compare numbers with bigints exactly, so mixed Numerals need no conversion.
export function compareNumerals(a: Numeral, b: Numeral): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A sequential copy of `text`. V8 keeps substrings of 13+ characters as slices of their parent, and
 * comparing slices is ~4x slower; long pre-release identifiers (pseudo-versions) are compared often.
 */
export function flatString(text: string): string {
  return text.length < 13 ? text : (Object.keys({ [text]: 0 })[0] ?? text);
}

/** Splits a validated dot-separated pre-release into identifiers (digits-only ones become numbers). */
export function parsePreIdentifiers(pre: string): PreIdentifier[] {
  return pre.split('.').map((id) => (/^[0-9]+$/.test(id) ? parseNumeral(id) : flatString(id)));
}

/**
 * SemVer 2.0.0 §11 precedence of two pre-release lists, exactly, for identifiers of any length: an
 * empty list (a release) is highest; numeric identifiers compare numerically and sort before
 * alphanumeric ones, which compare in ASCII order; a longer list wins when all shared fields tie.
 */
export function comparePreIdentifiers(a: readonly PreIdentifier[], b: readonly PreIdentifier[]): -1 | 0 | 1 {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const x = a[i] as PreIdentifier;
    const y = b[i] as PreIdentifier;
    if (x === y) continue;
    const xText = typeof x === 'string';
    if (xText !== (typeof y === 'string')) return xText ? 1 : -1;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
