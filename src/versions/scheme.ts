import { StellaError } from '../common/index.js';

export type VersionErrorCode = 'INVALID_VERSION' | 'INVALID_RANGE' | 'UNKNOWN_SCHEME';

export class VersionError extends StellaError<VersionErrorCode> {
  constructor(code: VersionErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'VersionError';
  }
}

export function invalidVersion(scheme: string, input: string, reason: string): VersionError {
  return new VersionError('INVALID_VERSION', `invalid ${scheme} version ${JSON.stringify(input)}: ${reason}`);
}

/** Scheme names accepted on the command line and in `vers:` URIs' scheme position. */
export type SchemeName =
  | 'deb' | 'rpm' | 'apk' | 'npm' | 'semver' | 'pep440' | 'maven'
  | 'go' | 'gem' | 'nuget' | 'composer' | 'cargo';

/**
 * A version ordering of one ecosystem. `parse` throws `VersionError('INVALID_VERSION')` for input
 * the ecosystem's reference tool would reject: a comparator never guesses. `compare` is a total
 * order over parsed values (antisymmetric, transitive) and returns -1, 0 or 1.
 */
export interface VersionScheme<V = unknown> {
  readonly name: SchemeName;
  parse(input: string): V;
  compareParsed(a: V, b: V): -1 | 0 | 1;
  /** Parses both and compares; throws VersionError on an invalid version. */
  compare(a: string, b: string): -1 | 0 | 1;
}

/** Builds `compare` from `parse` + `compareParsed` so each scheme writes only those two. */
export function defineScheme<V>(def: {
  name: SchemeName;
  parse(input: string): V;
  compareParsed(a: V, b: V): -1 | 0 | 1;
}): VersionScheme<V> {
  return {
    name: def.name,
    parse: def.parse,
    compareParsed: def.compareParsed,
    compare(a: string, b: string) {
      return def.compareParsed(def.parse(a), def.parse(b));
    },
  };
}

export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}
