import type { RangeVerdict, VersRange } from './range.js';
import { canonicalVers, compileRange, invalidRange, parseVers, schemeOfVersType, testCompiled } from './range.js';
import type { VersionScheme } from './scheme.js';
import { VersionError } from './scheme.js';
import { parseCargoConstraint } from './constraints/cargo.js';
import { parseComposerConstraint } from './constraints/composer.js';
import { parseGemConstraint } from './constraints/gem.js';
import { parseGhsaConstraint, parseGoConstraint } from './constraints/ghsa.js';
import { parseMavenConstraint } from './constraints/maven.js';
import { parseNpmConstraint } from './constraints/npm.js';
import { parseNugetConstraint } from './constraints/nuget.js';
import { parsePep440Constraint } from './constraints/pep440.js';

/*
 * One entry point for "a range as a user or a feed writes it": a `vers:` string, or the scheme's
 * native syntax, or (for every scheme, when the native parser refuses it) GHSA's comparator list
 * `>= 1.0, < 1.2.3`, which GitHub uses for all ecosystems.
 */

type NativeParser = (text: string, scheme: VersionScheme<never>) => VersRange;

const NATIVE: Readonly<Record<VersionScheme['name'], NativeParser>> = {
  npm: parseNpmConstraint,
  semver: parseNpmConstraint,
  cargo: parseCargoConstraint,
  go: parseGoConstraint,
  maven: parseMavenConstraint,
  nuget: parseNugetConstraint,
  pep440: parsePep440Constraint as unknown as NativeParser,
  gem: parseGemConstraint,
  composer: parseComposerConstraint,
  deb: parseGhsaConstraint,
  rpm: parseGhsaConstraint,
  apk: parseGhsaConstraint,
};

/** Parses `text` for `scheme`; the result is canonical (sorted, simplified). Throws INVALID_RANGE. */
export function parseRangeForScheme<V>(scheme: VersionScheme<V>, text: string): VersRange {
  const s = scheme as VersionScheme<never>;
  if (text.trim().startsWith('vers:')) {
    const range = parseVers(text.trim());
    if (range.type !== 'all' && range.type !== 'none' && schemeOfVersType(range.type) !== scheme.name) {
      throw invalidRange(text, `vers type "${range.type}" does not belong to the ${scheme.name} scheme`);
    }
    return canonicalVers(range, scheme);
  }
  const native = NATIVE[scheme.name];
  try {
    return native(text, s);
  } catch (error) {
    if (!(error instanceof VersionError) || native === parseGhsaConstraint) throw error;
    for (const fallback of fallbacks(scheme.name, text)) {
      try {
        return fallback(s);
      } catch {
        // try the next reading; the native parser's error is the one reported
      }
    }
    throw error;
  }
}

// GHSA writes npm ranges with commas and partial versions (`>= 1.0, < 1.2.3`): node-semver reads
// those once the commas are gone; for every scheme, the plain comparator list.
function fallbacks(name: VersionScheme['name'], text: string): ((s: VersionScheme<never>) => VersRange)[] {
  const out: ((s: VersionScheme<never>) => VersRange)[] = [];
  if ((name === 'npm' || name === 'semver') && text.includes(',')) out.push((s) => parseNpmConstraint(text.replace(/,/g, ' '), s));
  out.push((s) => parseGhsaConstraint(text, s));
  return out;
}

/** `stella vercmp <scheme> --in <range> <version>`: never throws for bad input, answers 'unknown'. */
export function checkRange<V>(scheme: VersionScheme<V>, rangeText: string, version: string): RangeVerdict {
  try {
    return testCompiled(compileRange(parseRangeForScheme(scheme, rangeText), scheme), version);
  } catch (error) {
    if (error instanceof VersionError) return 'unknown';
    throw error;
  }
}
