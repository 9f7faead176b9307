import { defineScheme, invalidVersion } from './scheme.js';
import {
  compareNumerals, comparePreIdentifiers, type Numeral, parseNumeral, parsePreIdentifiers, type PreIdentifier,
} from './semver.js';

/**
 * Crate versions as Cargo reads them: the Rust `semver` crate 1.x `Version::parse` (dtolnay/semver).
 *
 * Accepted: exactly `MAJOR.MINOR.PATCH[-PRE][+BUILD]`, numbers without leading zeros and at most
 * u64::MAX (18446744073709551615), pre-release and build identifiers of `[0-9A-Za-z-]`, non-empty,
 * numeric pre-release identifiers without leading zeros (build identifiers may have them). No `v`,
 * no white space, no `1.2` shorthand. Numeric pre-release identifiers have no length limit.
 *
 * Order: SemVer precedence, as the crate's `Ord` for `Prerelease`. The crate's derived `Ord` for
 * `Version` then breaks ties on build metadata; we do not: `1.0.0+a` = `1.0.0+b`. crates.io refuses
 * to publish a version that differs from an existing one only in build metadata, Cargo's resolver
 * treats them as one version, and OSV `SEMVER` ranges for crates.io are SemVer precedence, which
 * ignores build metadata; a matcher that ordered them would invent a distinction the ecosystem
 * does not make.
 */
export interface CargoVersion {
  readonly major: Numeral;
  readonly minor: Numeral;
  readonly patch: Numeral;
  /** Pre-release identifiers; empty for a release. */
  readonly pre: readonly PreIdentifier[];
  /** Build metadata without the `+`, '' when absent; kept for display, never compared. */
  readonly build: string;
}

const NUM = '(0|[1-9][0-9]*)';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';
const PATTERN = new RegExp(
  `^${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);
const U64_MAX = 18446744073709551615n;

function parseU64(input: string, digits: string): Numeral {
  const n = parseNumeral(digits);
  if (typeof n === 'bigint' && n > U64_MAX) throw invalidVersion('cargo', input, `${digits} exceeds u64::MAX`);
  return n;
}

function parse(input: string): CargoVersion {
  const m = PATTERN.exec(input);
  if (m === null) {
    throw invalidVersion('cargo', input, 'expected MAJOR.MINOR.PATCH[-PRE][+BUILD] without leading zeros (semver crate)');
  }
  const [, major = '', minor = '', patch = '', pre, build] = m;
  return {
    major: parseU64(input, major),
    minor: parseU64(input, minor),
    patch: parseU64(input, patch),
    pre: pre === undefined ? [] : parsePreIdentifiers(pre),
    build: build ?? '',
  };
}

function compareParsed(a: CargoVersion, b: CargoVersion): -1 | 0 | 1 {
  return compareNumerals(a.major, b.major) || compareNumerals(a.minor, b.minor) ||
    compareNumerals(a.patch, b.patch) || comparePreIdentifiers(a.pre, b.pre);
}

export const cargo = defineScheme<CargoVersion>({ name: 'cargo', parse, compareParsed });
