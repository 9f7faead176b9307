import { PackageURL } from 'packageurl-js';
import { scoreVector, type Severity } from '../cvss/index.js';
import { evaluateOsvAffected, getScheme, schemeForOsvEcosystem, type OsvAffected, type RangeVerdict } from '../versions/index.js';

/*
 * A first, deliberately small matcher: packages named by purl against OSV records. It is the seed
 * of the full matcher (canonical advisories, distro-aware OS matching) that comes with `stella scan`.
 */

/** The fields of an OSV record this matcher reads; everything else is ignored. */
export interface OsvRecord {
  readonly id: string;
  readonly aliases?: readonly string[];
  readonly summary?: string;
  readonly withdrawn?: string;
  readonly severity?: ReadonlyArray<{ readonly type: string; readonly score: string }>;
  readonly affected?: readonly OsvAffected[];
  readonly database_specific?: { readonly severity?: string };
}

export interface PackageRef {
  readonly purl: string;
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
}

export interface OsvMatch {
  readonly package: PackageRef;
  readonly id: string;
  readonly aliases: readonly string[];
  readonly verdict: Exclude<RangeVerdict, 'not-affected'>;
  readonly severity: Severity | 'UNKNOWN';
  readonly score?: number;
  readonly fixed: readonly string[];
  readonly summary: string;
}

const PURL_ECOSYSTEMS: Readonly<Record<string, string>> = {
  npm: 'npm', pypi: 'PyPI', maven: 'Maven', golang: 'Go', cargo: 'crates.io',
  gem: 'RubyGems', nuget: 'NuGet', composer: 'Packagist',
};

/** purl → OSV (ecosystem, name), named as OSV names them; throws on a purl of another type. */
export function packageFromPurl(purl: string): PackageRef {
  const p = PackageURL.fromString(purl);
  const ecosystem = PURL_ECOSYSTEMS[p.type];
  if (ecosystem === undefined) throw new Error(`purl type ${JSON.stringify(p.type)} has no OSV ecosystem mapping: ${purl}`);
  if (p.version === undefined || p.version === null || p.version === '') throw new Error(`purl has no version: ${purl}`);
  const ns = p.namespace ?? '';
  let name = p.name;
  if (ns !== '') name = p.type === 'maven' ? `${ns}:${p.name}` : `${ns}/${p.name}`;
  if (p.type === 'pypi') name = name.toLowerCase().replace(/[-_.]+/g, '-');
  return { purl, ecosystem, name, version: p.version };
}

const RANK: Readonly<Record<string, number>> = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1, NONE: 0, UNKNOWN: -1 };

function severityOf(record: OsvRecord): { severity: Severity | 'UNKNOWN'; score?: number } {
  // Prefer the newest CVSS version the record carries; fall back to GHSA's database_specific rating.
  for (const type of ['CVSS_V4', 'CVSS_V3', 'CVSS_V2']) {
    const entry = record.severity?.find((s) => s.type === type);
    if (entry === undefined) continue;
    try {
      const scored = scoreVector(entry.score);
      return { severity: scored.baseSeverity, score: scored.baseScore };
    } catch {
      // an unparseable vector is skipped, the next one (or the rating) decides
    }
  }
  const rated = record.database_specific?.severity?.toUpperCase();
  if (rated === 'MODERATE') return { severity: 'MEDIUM' };
  return rated !== undefined && rated in RANK ? { severity: rated as Severity } : { severity: 'UNKNOWN' };
}

function fixedVersions(affected: OsvAffected): string[] {
  return (affected.ranges ?? []).flatMap((r) => r.events.flatMap((e) => (e.fixed === undefined ? [] : [e.fixed])));
}

/**
 * Every (package, record) pair where an `affected[]` entry names the package and its ranges say
 * `affected` or `unknown`. Withdrawn records never match. Sorted by severity, then id, then purl.
 */
export function matchOsv(packages: readonly PackageRef[], records: readonly OsvRecord[]): OsvMatch[] {
  const matches: OsvMatch[] = [];
  for (const record of records) {
    if (record.withdrawn !== undefined) continue;
    for (const pkg of packages) {
      for (const affected of record.affected ?? []) {
        const eco = affected.package?.ecosystem;
        if (eco === undefined || eco.split(':')[0] !== pkg.ecosystem || affected.package?.name !== pkg.name) continue;
        const schemeName = schemeForOsvEcosystem(eco);
        const verdict = schemeName === undefined
          ? 'unknown'
          : evaluateOsvAffected(affected, pkg.version, { ecosystem: getScheme(schemeName), semver: getScheme('semver') });
        if (verdict === 'not-affected') continue;
        matches.push({ package: pkg, id: record.id, aliases: record.aliases ?? [], verdict, ...severityOf(record), fixed: fixedVersions(affected), summary: record.summary ?? '' });
        break;
      }
    }
  }
  return matches.sort((a, b) => (RANK[b.severity] ?? -1) - (RANK[a.severity] ?? -1) || (b.score ?? -1) - (a.score ?? -1) || byText(a.id, b.id) || byText(a.package.purl, b.package.purl));
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
