import type { SchemeName, VersionScheme } from './scheme.js';
import { VersionError } from './scheme.js';
import { apk } from './apk.js';
import { cargo } from './cargo.js';
import { composer } from './composer.js';
import { deb } from './deb.js';
import { gem } from './gem.js';
import { go } from './go.js';
import { maven } from './maven.js';
import { npm } from './npm.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { semver } from './semver.js';

const schemes: Record<SchemeName, VersionScheme> = {
  deb, rpm, apk, npm, semver, pep440, maven, go, gem, nuget, composer, cargo,
} as Record<SchemeName, VersionScheme>;

export const SCHEME_NAMES = Object.keys(schemes) as SchemeName[];

export function isSchemeName(name: string): name is SchemeName {
  return Object.hasOwn(schemes, name);
}

/** The one place schemes are registered; throws VersionError('UNKNOWN_SCHEME') for other names. */
export function getScheme(name: string): VersionScheme {
  if (!isSchemeName(name)) {
    throw new VersionError('UNKNOWN_SCHEME', `unknown version scheme ${JSON.stringify(name)}; known: ${SCHEME_NAMES.join(' ')}`);
  }
  return schemes[name];
}
