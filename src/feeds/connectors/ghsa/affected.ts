import {
  canonicalJson, normalizePackageName, type AffectedPackage, type AffectedRange, type Provenance,
} from '../../../advisories/index.js';
import type { JsonValue } from '../../../store/index.js';
import {
  formatVers, getScheme, parseGhsaConstraint, schemeForOsvEcosystem, VersionError,
} from '../../../versions/index.js';
import { purlOf } from '../purl.js';
import { isObject, malformed, nonBlank, optArray, optObject, optString, type JsonObject } from './json.js';

/*
 * One element of a GitHub advisory's `vulnerabilities[]` (package, vulnerable_version_range,
 * first_patched_version, vulnerable_functions) → one AffectedPackage, named the way OSV names it, so
 * that the REST form and the advisory-database's OSV form of the same advisory map alike.
 */

/** GitHub ecosystem (REST enum `security-advisory-ecosystems`) → OSV ecosystem name. */
const OSV_ECOSYSTEMS: ReadonlyMap<string, string> = new Map([
  ['npm', 'npm'], ['pip', 'PyPI'], ['maven', 'Maven'], ['nuget', 'NuGet'], ['composer', 'Packagist'],
  ['rubygems', 'RubyGems'], ['go', 'Go'], ['rust', 'crates.io'], ['erlang', 'Hex'], ['pub', 'Pub'],
  ['swift', 'SwiftURL'], ['actions', 'GitHub Actions'],
]);

/**
 * The OSV name of a GitHub ecosystem; case-insensitive (GraphQL spells them in capitals). An
 * ecosystem without an OSV name ('other', or one GitHub adds later) is kept as GitHub wrote it: it
 * then has no version scheme, so its ranges are `vers: null` (evaluated as unknown).
 */
export function osvEcosystemOf(github: string): string {
  return OSV_ECOSYSTEMS.get(github.trim().toLowerCase()) ?? github.trim();
}

// GitHub writes Go module versions without the `v` the Go scheme requires ("< 1.2.3").
function withGoPrefixes(expression: string): string {
  return expression.replace(/(^|[\s,<>=!|])(\d)/g, '$1v$2');
}

/** The internal form of `vulnerable_version_range`; null when there is no scheme or it does not parse. */
export function ghsaRangeToVers(ecosystem: string, expression: string): string | null {
  const schemeName = schemeForOsvEcosystem(ecosystem);
  if (schemeName === undefined) return null;
  const text = schemeName === 'go' ? withGoPrefixes(expression) : expression;
  const scheme = getScheme(schemeName);
  try {
    return formatVers(parseGhsaConstraint(text, scheme), scheme);
  } catch (error) {
    if (error instanceof VersionError) return null;
    throw error;
  }
}

// `first_patched_version` is a string in the REST API and `{ identifier }` in GraphQL and older payloads.
function firstPatched(vulnerability: JsonObject, where: string): string | undefined {
  const value = vulnerability.first_patched_version;
  if (isObject(value)) return nonBlank(optString(value, 'identifier', `${where}.first_patched_version`));
  return nonBlank(optString(vulnerability, 'first_patched_version', where));
}

function functionsOf(vulnerability: JsonObject, where: string): string[] {
  return optArray(vulnerability, 'vulnerable_functions', where).map((f, i) => {
    if (typeof f !== 'string') throw malformed(where, `vulnerable_functions[${i}] is not a string`);
    return f;
  });
}

export function mapVulnerability(
  value: JsonValue, index: number, ghsaId: string, provenance: Provenance,
): AffectedPackage {
  const where = `${ghsaId} vulnerabilities[${index}]`;
  if (!isObject(value)) throw malformed(where, 'is not an object');
  const pkg = optObject(value, 'package', where);
  const githubEcosystem = pkg === undefined ? undefined : nonBlank(optString(pkg, 'ecosystem', `${where}.package`));
  const name = pkg === undefined ? undefined : nonBlank(optString(pkg, 'name', `${where}.package`));
  if (githubEcosystem === undefined || name === undefined) throw malformed(where, 'has no package ecosystem and name');
  const ecosystem = osvEcosystemOf(githubEcosystem);
  const expression = optString(value, 'vulnerable_version_range', where)?.trim() ?? '';
  const range: AffectedRange = {
    vers: expression === '' ? null : ghsaRangeToVers(ecosystem, expression),
    original: { kind: 'ghsa', expression },
  };
  const fixed = firstPatched(value, where);
  const functions = functionsOf(value, where);
  const purl = purlOf(ecosystem, name);
  return {
    ecosystem, name, normalizedName: normalizePackageName(ecosystem, name),
    ...(purl === undefined ? {} : { purl }),
    ranges: [range], versions: [], fixedVersions: fixed === undefined ? [] : [fixed],
    status: fixed === undefined ? 'unfixed' : 'affected',
    origin: 'ghsa', sourceId: ghsaId, provenance,
    // As GitHub's own OSV export carries them (affected[].ecosystem_specific.affected_functions),
    // in the shape the OSV mapper keeps: both forms of one advisory get the same `extra`.
    ...(functions.length === 0 ? {} : { extra: canonicalJson({ ecosystem_specific: { affected_functions: functions } }) }),
  };
}
