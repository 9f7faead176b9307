import { defineScheme, invalidVersion } from './scheme.js';
import {
  compareNumerals, comparePreIdentifiers, type Numeral, parseNumeral, parsePreIdentifiers, type PreIdentifier,
} from './semver.js';

/**
 * Go module versions: canonical versions as the go command records them in go.mod and go.sum, and
 * as golang.org/x/mod orders them.
 *
 * Accepted: `vMAJOR.MINOR.PATCH[-PRE][+incompatible]`, i.e. `semver.IsValid(v)` and
 * `module.CanonicalVersion(v) == v`. So `v1` and `v1.2` (valid for semver.Compare, but queries, not
 * versions, to the go command), other build metadata (`v1.0.0+meta` is not canonical) and versions
 * without the `v` are rejected. Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
 * `v1.2.4-0.20191109021931-daa7c04131f5`) are ordinary pre-releases and order by their timestamp.
 * Whether `+incompatible` fits the module path (major >= 2, no /vN suffix) needs the path, which a
 * version scheme does not see; it is accepted on any major.
 *
 * Order: `semver.Compare`, which ignores build metadata: `v2.0.0+incompatible` = `v2.0.0`. Numbers
 * have no size limit. Note the Go vulnerability database's OSV files drop the `v` ("1.2.3", "0"):
 * the advisory importer must add it back before asking this scheme.
 */
export interface GoVersion {
  readonly major: Numeral;
  readonly minor: Numeral;
  readonly patch: Numeral;
  /** Pre-release identifiers; empty for a release. */
  readonly pre: readonly PreIdentifier[];
  readonly incompatible: boolean;
}

const NUM = '(0|[1-9][0-9]*)';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const PATTERN = new RegExp(`^v${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(\\+incompatible)?$`);
// semver.IsValid, for a precise error message only.
const SEMVER = new RegExp(
  `^v${NUM}(?:\\.${NUM}(?:\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?)?)?$`,
);

function reason(input: string): string {
  if (!input.startsWith('v')) return 'Go module versions start with "v"';
  if (!SEMVER.test(input)) return 'not a semantic version (golang.org/x/mod/semver)';
  return 'not a canonical module version: vMAJOR.MINOR.PATCH[-PRE], build metadata only "+incompatible"';
}

function parse(input: string): GoVersion {
  const m = PATTERN.exec(input);
  if (m === null) throw invalidVersion('go', input, reason(input));
  const [, major = '', minor = '', patch = '', pre, incompatible] = m;
  return {
    major: parseNumeral(major),
    minor: parseNumeral(minor),
    patch: parseNumeral(patch),
    pre: pre === undefined ? [] : parsePreIdentifiers(pre),
    incompatible: incompatible !== undefined,
  };
}

function compareParsed(a: GoVersion, b: GoVersion): -1 | 0 | 1 {
  return compareNumerals(a.major, b.major) || compareNumerals(a.minor, b.minor) ||
    compareNumerals(a.patch, b.patch) || comparePreIdentifiers(a.pre, b.pre);
}

export const go = defineScheme<GoVersion>({ name: 'go', parse, compareParsed });
