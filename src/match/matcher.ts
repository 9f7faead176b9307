import { PackageURL } from 'packageurl-js';
import {
  normalizePackageName, type Advisory, type AffectedPackage, type AffectedRange, type Severity, type SeverityRating,
} from '../advisories/index.js';
import { StellaError } from '../common/index.js';
import type { Distro, Inventory, Package } from '../inventory/index.js';
import {
  compileRange, formatVers, getScheme, isSchemeName, parseVers, schemeForOsvEcosystem, testCompiled, VersionError,
  type CompiledRange, type SchemeName, type VersionScheme,
} from '../versions/index.js';
import type { Finding, FindingEvidence, FindingPackage, FindingRating, FindingStatus } from './finding.js';

/*
 * The matcher (issue 6): inventory packages × canonical advisories → findings. Pure and
 * deterministic; no I/O, no clock.
 *
 * Where a package is looked up (packageQueries):
 * - OS packages (purl types deb, apk, rpm) only in their distro's own data: ecosystem = the distro's
 *   OSV name, release = the distro release as OSV spells it, name = the SOURCE package (dpkg
 *   `Source:`, apk origin). RPM distros (AlmaLinux, Rocky Linux, Red Hat) list BINARY package names
 *   in their records (e.g. AlmaLinux's ALSA-2022:5242 names vim-minimal, vim-common…), so rpm
 *   packages are looked up by their binary name and by their source name. An OS package is never
 *   looked up in a language ecosystem, and never judged by NVD CPE applicability: that is what
 *   makes a distro's backported fix (1.2.1-2.2+wheezy3) a false positive in scanners that compare
 *   the upstream version against upstream ranges.
 * - Language packages by ecosystem + the name as advisories spell it (npm `@scope/name`, Maven
 *   `group:artifact`, Go module path, Composer `vendor/name`, PyPI PEP 503, NuGet case-insensitive).
 *
 * How an entry is judged (evaluateEntry): `not_affected` / `fixed` entries never match. The installed
 * version is affected when it is listed in `versions` or lies in any range, in the order of the
 * scheme the range's `vers` type names (for OS packages it must be the distro's: deb, rpm or apk).
 * A range the matcher cannot evaluate (vers null, a range that does not compile, an installed
 * version the scheme cannot parse) makes the entry 'unknown' (never dropped, never guessed) unless
 * another range or the versions list says 'affected'. One exception: an OSV GIT range (commits, not
 * versions: OSV lists the versions it covers in `versions`) is left aside when the entry has
 * versions or another range to judge by; a GIT-only entry is 'unknown'.
 *
 * Versions compared: OS packages of deb and apk distros by their source version when the inventory
 * has one (advisories name source versions: a binNMU `+b1` or a later binary epoch must not hide
 * the source version below the fix), rpm packages by their own EVR (the records list binaries).
 * Go versions lose their leading "v" in SEMVER ranges (OSV writes `1.19.1`).
 *
 * CPE matching (MatchOptions.cpe) is NOT implemented: NVD CPE applicability is never used. If it is
 * ever added it must stay off for OS packages, whatever the flag says.
 */

export interface MatchOptions {
  /**
   * Match NVD CPE applicability (cpeConfigurations). Default false. Not implemented: passing true
   * throws MatchError('CPE_NOT_IMPLEMENTED'). When implemented, it must never apply to OS packages.
   */
  readonly cpe?: boolean;
}

export type MatchErrorCode = 'CPE_NOT_IMPLEMENTED';

export class MatchError extends StellaError<MatchErrorCode> {
  constructor(code: MatchErrorCode, message: string) {
    super(code, message);
    this.name = 'MatchError';
  }
}

export interface IndexedEntry {
  readonly advisory: Advisory;
  readonly entry: AffectedPackage;
}

export interface AdvisoryIndex {
  /** The entries naming this package; release and name are normalized as the index keys them. */
  lookup(ecosystem: string, release: string | undefined, name: string): readonly IndexedEntry[];
}

export interface PackageQuery {
  readonly ecosystem: string;
  readonly release?: string;
  readonly name: string;
}

// ---------------------------------------------------------------------------------------------
// Ecosystems, releases and names.

type OsFamily = 'deb' | 'rpm' | 'apk';

interface DistroData {
  /** OSV ecosystem. */
  readonly ecosystem: string;
  readonly family: OsFamily;
  /** OSV's release for a distro version; undefined when the ecosystem has no release. */
  readonly release?: (version: string) => string | undefined;
}

const DEBIAN_CODENAMES: ReadonlyMap<string, string> = new Map([
  ['wheezy', '7'], ['jessie', '8'], ['stretch', '9'], ['buster', '10'], ['bullseye', '11'],
  ['bookworm', '12'], ['trixie', '13'], ['forky', '14'], ['duke', '15'],
]);

const major = (version: string): string | undefined => /^(\d+)(?:\.|$)/.exec(version)?.[1];
const debianRelease = (version: string): string | undefined => major(version) ?? DEBIAN_CODENAMES.get(version.toLowerCase());
const ubuntuRelease = (version: string): string | undefined => /^(\d+\.\d+)(?:\.|$)/.exec(version)?.[1];
const alpineRelease = (version: string): string | undefined => {
  const m = /^v?(\d+\.\d+)(?:\.|_|$)/.exec(version);
  return m === null ? undefined : `v${m[1]}`;
};

/** os-release ID → the distro's own advisory data in OSV. */
const DISTROS: ReadonlyMap<string, DistroData> = new Map([
  ['debian', { ecosystem: 'Debian', family: 'deb', release: debianRelease }],
  ['ubuntu', { ecosystem: 'Ubuntu', family: 'deb', release: ubuntuRelease }],
  ['alpine', { ecosystem: 'Alpine', family: 'apk', release: alpineRelease }],
  ['rocky', { ecosystem: 'Rocky Linux', family: 'rpm', release: major }],
  ['almalinux', { ecosystem: 'AlmaLinux', family: 'rpm', release: major }],
  ['rhel', { ecosystem: 'Red Hat', family: 'rpm', release: major }],
  ['wolfi', { ecosystem: 'Wolfi', family: 'apk' }],
  ['chainguard', { ecosystem: 'Chainguard', family: 'apk' }],
]);

/** purl namespaces of OS packages (src/inventory/purl.ts) → os-release ID, for packages without an inventory distro. */
const DISTRO_OF_NAMESPACE: ReadonlyMap<string, string> = new Map([
  ['debian', 'debian'], ['ubuntu', 'ubuntu'], ['alpine', 'alpine'], ['rocky', 'rocky'], ['almalinux', 'almalinux'],
  ['redhat', 'rhel'], ['rhel', 'rhel'], ['wolfi', 'wolfi'], ['chainguard', 'chainguard'],
]);

const LANGUAGE_ECOSYSTEMS: ReadonlyMap<string, string> = new Map([
  ['npm', 'npm'], ['pypi', 'PyPI'], ['maven', 'Maven'], ['golang', 'Go'], ['cargo', 'crates.io'],
  ['gem', 'RubyGems'], ['nuget', 'NuGet'], ['composer', 'Packagist'],
]);

const OS_TYPES: ReadonlySet<string> = new Set(['deb', 'rpm', 'apk']);

function isOsPackage(pkg: Package): boolean {
  return OS_TYPES.has(pkg.type);
}

/**
 * The index key of an entry's release: what a distro image's release is compared on.
 * - Ubuntu: the version part ('22.04:LTS', 'Pro:22.04:LTS' → '22.04'); other Pro variants (FIPS…)
 *   keep their whole release and so never match a plain image.
 * - Red Hat: 'enterprise_linux:9::appstream' → '9'; EUS/AUS/… streams keep their whole release.
 * - Debian, Rocky Linux, AlmaLinux: the major version; Alpine: 'v3.19'.
 */
export function releaseKey(ecosystem: string, release: string | undefined): string {
  if (release === undefined || release === '') return '';
  switch (ecosystem) {
    case 'Ubuntu': {
      const variant = ubuntuVariant(release);
      return variant !== undefined && (variant.variant === '' || variant.variant === 'Pro') ? variant.version : release;
    }
    case 'Red Hat': {
      if (/^\d+$/.test(release)) return release;
      const parts = release.split(':');
      return parts[0] === 'enterprise_linux' && /^\d+$/.test(parts[1] ?? '') ? (parts[1] as string) : release;
    }
    case 'Debian': return debianRelease(release) ?? release;
    case 'Rocky Linux':
    case 'AlmaLinux': return major(release) ?? release;
    case 'Alpine': return alpineRelease(release) ?? release;
    default: return release;
  }
}

/** 'Pro:FIPS-updates:20.04:LTS' → { variant: 'Pro:FIPS-updates', version: '20.04' }. */
function ubuntuVariant(release: string): { variant: string; version: string } | undefined {
  const parts = release.split(':');
  const at = parts.findIndex((p) => /^\d+\.\d+$/.test(p));
  if (at < 0) return undefined;
  return { variant: parts.slice(0, at).join(':'), version: parts[at] as string };
}

/** Ubuntu entries of a Pro (ESM) variant: used only when the release has no standard entry. */
function isVariantEntry(entry: AffectedPackage): boolean {
  return entry.ecosystem === 'Ubuntu' && entry.release !== undefined && (ubuntuVariant(entry.release)?.variant ?? '') !== '';
}

/** A name as the index keys it: PyPI per PEP 503, NuGet lower-cased, others as written. */
function lookupName(ecosystem: string, name: string): string {
  const normalized = normalizePackageName(ecosystem, name);
  return ecosystem === 'NuGet' ? normalized.toLowerCase() : normalized;
}

function indexKey(ecosystem: string, release: string | undefined, name: string): string {
  return `${ecosystem}\u0000${releaseKey(ecosystem, release)}\u0000${lookupName(ecosystem, name)}`;
}

const NOTHING: readonly IndexedEntry[] = Object.freeze([]);

/** The index indexAdvisories builds; it also keeps the ranges compiled so far (each distinct range once). */
class MapIndex implements AdvisoryIndex {
  readonly compiled: RangeCache = newRangeCache();
  constructor(private readonly map: ReadonlyMap<string, readonly IndexedEntry[]>) {}

  lookup(ecosystem: string, release: string | undefined, name: string): readonly IndexedEntry[] {
    return this.map.get(indexKey(ecosystem, release, name)) ?? NOTHING;
  }
}

/** Indexes every entry by (ecosystem, release key, lookup name). Withdrawn advisories are left out. */
export function indexAdvisories(advisories: Iterable<Advisory>): AdvisoryIndex {
  const map = new Map<string, IndexedEntry[]>();
  for (const advisory of advisories) {
    if (advisory.withdrawn !== undefined) continue;
    for (const entry of advisory.affected) {
      const key = indexKey(entry.ecosystem, entry.release, entry.normalizedName);
      const list = map.get(key);
      if (list === undefined) map.set(key, [{ advisory, entry }]);
      else list.push({ advisory, entry });
    }
  }
  return new MapIndex(map);
}

function distroOf(pkg: Package, distro: Distro | undefined): { id: string; version: string } | undefined {
  if (distro !== undefined) return distro;
  // No inventory distro (an SBOM): the purl's namespace and `distro` qualifier ('debian-12', 'bookworm').
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(pkg.purl);
  } catch {
    return undefined;
  }
  const id = DISTRO_OF_NAMESPACE.get((purl.namespace ?? '').toLowerCase());
  if (id === undefined) return undefined;
  const qualifier = purl.qualifiers?.['distro'] ?? '';
  const version = qualifier.startsWith(`${id}-`) ? qualifier.slice(id.length + 1) : qualifier;
  return { id, version };
}

/**
 * Where to look `pkg` up: for OS packages the distro's ecosystem and release with the source
 * package name (rpm: binary name too), for language packages the ecosystem and the name as
 * advisories spell it. Empty when the package has no advisory data we know of (an unknown distro,
 * a distro without release, a generic package). Names are as advisories spell them (PyPI PEP 503
 * normalized); the index compares NuGet names case-insensitively.
 */
export function packageQueries(pkg: Package, distro: Distro | undefined): PackageQuery[] {
  if (isOsPackage(pkg)) {
    const d = distroOf(pkg, distro);
    const data = d === undefined ? undefined : DISTROS.get(d.id);
    if (d === undefined || data === undefined || data.family !== pkg.type) return [];
    let release: string | undefined;
    if (data.release !== undefined) {
      release = data.release(d.version);
      if (release === undefined) return [];
    }
    const names = [pkg.source?.name ?? pkg.name];
    if (pkg.type === 'rpm' && !names.includes(pkg.name)) names.unshift(pkg.name);
    return names.map((name) => (release === undefined ? { ecosystem: data.ecosystem, name } : { ecosystem: data.ecosystem, release, name }));
  }
  const ecosystem = LANGUAGE_ECOSYSTEMS.get(pkg.type);
  if (ecosystem === undefined) return [];
  const ns = pkg.namespace ?? '';
  let name = pkg.name;
  if (ns !== '') {
    if (pkg.type === 'maven') name = `${ns}:${pkg.name}`;
    else if (pkg.type === 'npm') name = `${ns.startsWith('@') ? ns : `@${ns}`}/${pkg.name}`;
    else name = `${ns}/${pkg.name}`;
  }
  return [{ ecosystem, name: normalizePackageName(ecosystem, name) }];
}

// ---------------------------------------------------------------------------------------------
// Ranges: each distinct range compiled once.

const SCHEME_OF_VERS_TYPE: Readonly<Record<string, SchemeName>> = { pypi: 'pep440', golang: 'go' };

type Compiled = { readonly ok: true; readonly compiled: CompiledRange<unknown> } | { readonly ok: false; readonly reason: string };

/**
 * Compiled ranges: each distinct range text is compiled once (a compiled range is a function of its
 * vers text, plus the ecosystem's scheme for the typeless `vers:all` / `vers:none`), then found
 * again by range object. The index's own cache, kept across calls, else one per call.
 */
interface RangeCache {
  readonly byRange: Map<AffectedRange, Compiled>;
  readonly byText: Map<string, Compiled>;
}

function newRangeCache(): RangeCache {
  return { byRange: new Map(), byText: new Map() };
}

function compile(cache: RangeCache, range: AffectedRange, vers: string, ecosystem: string): Compiled {
  let cached = cache.byRange.get(range);
  if (cached !== undefined) return cached;
  const key = vers.startsWith('vers:all/') || vers.startsWith('vers:none/') ? `${vers}\u0000${ecosystem}` : vers;
  cached = cache.byText.get(key);
  if (cached === undefined) {
    cached = compileUncached(vers, ecosystem);
    cache.byText.set(key, cached);
  }
  cache.byRange.set(range, cached);
  return cached;
}

function compileUncached(vers: string, ecosystem: string): Compiled {
  try {
    const parsed = parseVers(vers);
    const name = parsed.type === 'all' || parsed.type === 'none'
      ? schemeForOsvEcosystem(ecosystem)
      : SCHEME_OF_VERS_TYPE[parsed.type] ?? parsed.type;
    if (name === undefined || !isSchemeName(name)) return { ok: false, reason: `no version scheme orders ${vers} for ${ecosystem}` };
    return { ok: true, compiled: compileRange(parsed, getScheme(name)) };
  } catch (error) {
    if (error instanceof VersionError) return { ok: false, reason: error.message };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Judging one entry.

interface Judged {
  readonly verdict: 'affected' | 'unknown';
  readonly status: FindingStatus;
  readonly entry: AffectedPackage;
  /** The range that decided (absent when the versions list did, or when the entry has no range). */
  readonly range?: AffectedRange;
  readonly rangeText?: string;
  readonly reason?: string;
  readonly scheme?: VersionScheme;
  /** Fixed versions to report (affected: above the installed version, in scheme order). */
  readonly fixed: readonly string[];
}

interface Subject {
  readonly pkg: Package;
  readonly os: boolean;
  /** The version compared: see the header (source version for deb/apk, no "v" for Go SEMVER…). */
  readonly version: string;
  readonly ranges: RangeCache;
}

function comparedVersion(pkg: Package): string {
  if (pkg.type === 'deb' || pkg.type === 'apk') return pkg.source?.version ?? pkg.version;
  return pkg.version;
}

function versionFor(subject: Subject, entry: AffectedPackage, scheme: VersionScheme): string {
  return entry.ecosystem === 'Go' && scheme.name === 'semver' && subject.version.startsWith('v') ? subject.version.slice(1) : subject.version;
}

function parseError(scheme: VersionScheme, version: string): string {
  try {
    scheme.parse(version);
    return `installed version ${JSON.stringify(version)} could not be compared`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function ecosystemScheme(entry: AffectedPackage): VersionScheme | undefined {
  const name = schemeForOsvEcosystem(entry.ecosystem);
  return name === undefined ? undefined : getScheme(name);
}

function evaluateEntry(subject: Subject, entry: AffectedPackage): Judged | undefined {
  if (entry.status === 'not_affected' || entry.status === 'fixed') return undefined;
  const osFamily = subject.os ? subject.pkg.type : undefined;
  const hasOther = entry.versions.length > 0 || entry.ranges.some((r) => r.vers !== null || r.original.kind !== 'osv:GIT');
  let unknown: { range?: AffectedRange; rangeText?: string; reason: string } | undefined;
  for (const range of entry.ranges) {
    if (range.vers === null) {
      if (range.original.kind === 'osv:GIT' && hasOther) continue;
      unknown ??= { range, rangeText: range.original.expression, reason: `the ${range.original.kind} range has no version form the matcher can evaluate` };
      continue;
    }
    const c = compile(subject.ranges, range, range.vers, entry.ecosystem);
    if (!c.ok) {
      unknown ??= { range, rangeText: range.vers, reason: c.reason };
      continue;
    }
    const scheme = c.compiled.scheme;
    if (osFamily !== undefined && scheme.name !== osFamily) {
      unknown ??= { range, rangeText: range.vers, reason: `range ${range.vers} is not in the ${osFamily} version order of the package` };
      continue;
    }
    const version = versionFor(subject, entry, scheme);
    const verdict = testCompiled(c.compiled, version);
    if (verdict === 'affected') return affected(subject, entry, scheme, range);
    if (verdict === 'unknown') unknown ??= { range, rangeText: range.vers, reason: parseError(scheme, version) };
  }
  if (entry.versions.length > 0) {
    const scheme = ecosystemScheme(entry);
    const version = scheme === undefined ? subject.version : versionFor(subject, entry, scheme);
    if (entry.versions.includes(version)) return affected(subject, entry, scheme, undefined);
  }
  if (entry.ranges.length === 0 && entry.versions.length === 0) {
    unknown = { reason: 'the entry names no affected versions and no ranges' };
  }
  if (unknown === undefined) return undefined;
  return {
    verdict: 'unknown', status: 'unknown', entry, fixed: entry.fixedVersions, reason: unknown.reason,
    ...(unknown.range === undefined ? {} : { range: unknown.range }),
    ...(unknown.rangeText === undefined ? {} : { rangeText: unknown.rangeText }),
  };
}

function affected(subject: Subject, entry: AffectedPackage, scheme: VersionScheme | undefined, range: AffectedRange | undefined): Judged {
  const fixed = scheme === undefined ? [...entry.fixedVersions] : fixedAbove(entry.fixedVersions, versionFor(subject, entry, scheme), scheme);
  let status: FindingStatus;
  if (entry.status === 'unfixed') status = 'unfixed';
  else if (entry.status === 'will_not_fix') status = 'will_not_fix';
  else status = fixed.length > 0 ? 'fixed' : 'affected';
  if (range !== undefined) return { verdict: 'affected', status, entry, fixed, range, rangeText: range.vers ?? range.original.expression, ...(scheme === undefined ? {} : { scheme }) };
  if (scheme === undefined) return { verdict: 'affected', status, entry, fixed };
  // Listed in `versions`: the evidence is that exact version, as a vers range.
  const rangeText = formatVers({ type: VERS_TYPE_OF_SCHEME[scheme.name] ?? scheme.name, constraints: [{ comparator: '=', version: versionFor(subject, entry, scheme) }] });
  return { verdict: 'affected', status, entry, fixed, rangeText, scheme };
}

const VERS_TYPE_OF_SCHEME: Readonly<Partial<Record<SchemeName, string>>> = { pep440: 'pypi', go: 'golang' };

/** The fixed versions above `installed`, in scheme order; ones the scheme cannot parse follow, as written. */
function fixedAbove(fixed: readonly string[], installed: string, scheme: VersionScheme): string[] {
  let base: unknown;
  try {
    base = scheme.parse(installed);
  } catch {
    return [...fixed];
  }
  const parsed: { text: string; value: unknown }[] = [];
  const unparsed: string[] = [];
  for (const text of fixed) {
    try {
      const value = scheme.parse(text);
      if (scheme.compareParsed(value, base) > 0) parsed.push({ text, value });
    } catch {
      unparsed.push(text);
    }
  }
  parsed.sort((a, b) => scheme.compareParsed(a.value, b.value) || compareText(a.text, b.text));
  return [...parsed.map((p) => p.text), ...unparsed];
}

/** Several entries of one advisory judged for one package: affected over unknown, fixed versions merged. */
function combine(judged: readonly Judged[]): Judged | undefined {
  const affectedOnes = judged.filter((j) => j.verdict === 'affected');
  const pool = affectedOnes.length > 0 ? affectedOnes : judged;
  const primary = pool[0];
  if (primary === undefined || pool.length === 1) return primary;
  if (primary.verdict === 'unknown') {
    return { ...primary, fixed: unique(pool.flatMap((j) => j.fixed)) };
  }
  const scheme = primary.scheme;
  const fixedAll = unique(pool.flatMap((j) => j.fixed));
  const fixed = scheme === undefined ? fixedAll : sortVersions(fixedAll, scheme);
  const rank = (s: FindingStatus): number => STATUS_RANK[s];
  let status = pool.reduce<FindingStatus>((best, j) => (rank(j.status) > rank(best) ? j.status : best), 'affected');
  if (status === 'fixed' && fixed.length === 0) status = 'affected';
  return { ...primary, status, fixed };
}

const STATUS_RANK: Readonly<Record<FindingStatus, number>> = { affected: 0, unfixed: 1, will_not_fix: 2, fixed: 3, unknown: -1 };

function sortVersions(versions: readonly string[], scheme: VersionScheme): string[] {
  const parsed: { text: string; value: unknown }[] = [];
  const unparsed: string[] = [];
  for (const text of versions) {
    try {
      parsed.push({ text, value: scheme.parse(text) });
    } catch {
      unparsed.push(text);
    }
  }
  parsed.sort((a, b) => scheme.compareParsed(a.value, b.value) || compareText(a.text, b.text));
  return [...parsed.map((p) => p.text), ...unparsed];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function compareEntries(a: AffectedPackage, b: AffectedPackage): number {
  return compareText(a.sourceId, b.sourceId) || compareText(a.ecosystem, b.ecosystem) || compareText(a.release ?? '', b.release ?? '')
    || compareText(a.name, b.name) || compareText(a.provenance.source, b.provenance.source);
}

// ---------------------------------------------------------------------------------------------
// Severity.

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { CRITICAL: 5, HIGH: 4, MEDIUM: 3, LOW: 2, NONE: 1, UNKNOWN: 0 };

function typeRank(r: SeverityRating): number {
  switch (r.type) {
    case 'CVSS_V4': return 0;
    case 'CVSS_V3': return r.vector?.startsWith('CVSS:3.0/') === true ? 2 : 1;
    case 'CVSS_V2': return 3;
    default: return 4;
  }
}

interface RatedSeverity {
  readonly severity: Severity;
  readonly source?: string;
  readonly ratings: readonly FindingRating[];
}

/** Per matchPackages call: advisory → preferred raters → the rating. */
type RatingCache = Map<Advisory, Map<string, RatedSeverity>>;

const UNRATED: RatedSeverity = Object.freeze({ severity: 'UNKNOWN', ratings: Object.freeze([]) });

/** 'Rocky Linux' → 'rocky-linux': who rates for a distro ecosystem (as the OSV mapper names it). */
function distroRater(ecosystem: string): string {
  return ecosystem.toLowerCase().replace(/\s+/g, '-');
}

/** Every rating, preferred first: the preferred raters in order, then the others; V4 > V3.1 > V3.0 > V2 > label. */
function rate(cache: RatingCache, advisory: Advisory, preferred: string): RatedSeverity {
  if (advisory.severities.length === 0) return UNRATED;
  let perAdvisory = cache.get(advisory);
  const hit = perAdvisory?.get(preferred);
  if (hit !== undefined) return hit;
  const order = [preferred, 'nvd'];
  const sourceRank = (s: string): number => {
    const i = order.indexOf(s);
    return i < 0 ? order.length : i;
  };
  const primaryRank = (r: SeverityRating): number => (r.assigner?.endsWith('Primary') === true ? 0 : 1);
  const sorted = [...advisory.severities].sort((a, b) => sourceRank(a.source) - sourceRank(b.source) || compareText(a.source, b.source)
    || typeRank(a) - typeRank(b) || primaryRank(a) - primaryRank(b) || compareText(a.vector ?? '', b.vector ?? '')
    || compareText(a.label ?? '', b.label ?? '') || compareText(a.assigner ?? '', b.assigner ?? ''));
  const ratings = sorted.map((r): FindingRating => {
    const rating: { -readonly [K in keyof FindingRating]: FindingRating[K] } = { source: r.source, type: r.type, severity: r.severity };
    if (r.vector !== undefined) rating.vector = r.vector;
    if (r.score !== undefined) rating.score = r.score;
    return rating;
  });
  const chosen = sorted.find((r) => r.severity !== 'UNKNOWN');
  const rated: RatedSeverity = chosen === undefined ? { severity: 'UNKNOWN', ratings } : { severity: chosen.severity, source: chosen.source, ratings };
  if (perAdvisory === undefined) {
    perAdvisory = new Map();
    cache.set(advisory, perAdvisory);
  }
  perAdvisory.set(preferred, rated);
  return rated;
}

// ---------------------------------------------------------------------------------------------
// Matching.

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function findingOf(advisory: Advisory, subject: Subject, judged: Judged, ratingCache: RatingCache): Finding {
  const { pkg } = subject;
  const entry = judged.entry;
  const rated = rate(ratingCache, advisory, subject.os ? distroRater(entry.ecosystem) : 'ghsa');
  const findingPackage: Mutable<FindingPackage> = { name: pkg.name, version: pkg.version, purl: pkg.purl, type: pkg.type, location: pkg.location };
  if (subject.os) findingPackage.sourceName = pkg.source?.name ?? pkg.name;
  if (pkg.layer !== undefined) findingPackage.layer = pkg.layer;
  const evidence: Mutable<FindingEvidence> = { ecosystem: entry.ecosystem, name: entry.name, sourceId: entry.sourceId, provenance: entry.provenance };
  if (entry.release !== undefined) evidence.release = entry.release;
  if (judged.rangeText !== undefined) evidence.range = judged.rangeText;
  if (judged.range !== undefined) evidence.original = judged.range.original.expression;
  if (judged.reason !== undefined) evidence.reason = judged.reason;
  const finding: Mutable<Finding> = {
    id: advisory.key,
    aliases: advisory.aliases,
    package: findingPackage,
    installedVersion: pkg.version,
    fixedVersions: judged.fixed,
    status: judged.status,
    verdict: judged.verdict,
    severity: rated.severity,
    ratings: rated.ratings,
    dataSource: entry.provenance.source,
    references: advisory.references.map((r) => r.url),
    cwes: advisory.cwes.map((w) => w.id),
    evidence,
  };
  if (rated.source !== undefined) finding.severitySource = rated.source;
  if (advisory.summary !== undefined) finding.title = advisory.summary.value;
  if (advisory.details !== undefined) finding.description = advisory.details.value;
  if (advisory.published !== undefined) finding.published = advisory.published.value;
  if (advisory.modified !== undefined) finding.modified = advisory.modified.value;
  return finding;
}

/** The findings of one package: one per advisory. */
function matchPackage(pkg: Package, distro: Distro | undefined, index: AdvisoryIndex, ranges: RangeCache, ratings: RatingCache): Finding[] {
  const queries = packageQueries(pkg, distro);
  if (queries.length === 0) return [];
  const byAdvisory = new Map<Advisory, AffectedPackage[]>();
  for (const q of queries) {
    for (const { advisory, entry } of index.lookup(q.ecosystem, q.release, q.name)) {
      if (advisory.withdrawn !== undefined) continue;
      const list = byAdvisory.get(advisory);
      if (list === undefined) byAdvisory.set(advisory, [entry]);
      else if (!list.includes(entry)) list.push(entry);
    }
  }
  if (byAdvisory.size === 0) return [];
  const subject: Subject = { pkg, os: isOsPackage(pkg), version: comparedVersion(pkg), ranges };
  const out: Finding[] = [];
  for (const [advisory, found] of byAdvisory) {
    let entries = found;
    if (entries.length > 1) {
      // A release's standard Ubuntu entries govern; Pro (ESM) entries count only without them.
      if (entries.some(isVariantEntry) && entries.some((e) => !isVariantEntry(e))) entries = entries.filter((e) => !isVariantEntry(e));
      entries = [...entries].sort(compareEntries);
    }
    const judged: Judged[] = [];
    for (const entry of entries) {
      const j = evaluateEntry(subject, entry);
      if (j !== undefined) judged.push(j);
    }
    const decided = combine(judged);
    if (decided !== undefined) out.push(findingOf(advisory, subject, decided, ratings));
  }
  return out;
}

/**
 * Every finding of the inventory's packages against the index. One finding per (advisory key,
 * package purl, location): an affected one is kept over an unknown one. Withdrawn advisories never
 * match. Sorted by severity (highest first), id, package name, version, location (then purl and
 * the entry's source id, so that the order is total).
 */
export function matchPackages(inventory: Inventory, index: AdvisoryIndex, options: MatchOptions = {}): Finding[] {
  if (options.cpe === true) {
    throw new MatchError('CPE_NOT_IMPLEMENTED', 'CPE matching (NVD cpeConfigurations) is not implemented; it would never apply to OS packages');
  }
  const ranges: RangeCache = index instanceof MapIndex ? index.compiled : newRangeCache();
  const ratings: RatingCache = new Map();
  const findings = new Map<string, Finding>();
  for (const pkg of inventory.packages) {
    for (const finding of matchPackage(pkg, inventory.distro, index, ranges, ratings)) {
      const key = `${finding.id}\u0000${pkg.purl}\u0000${pkg.location}`;
      const previous = findings.get(key);
      if (previous === undefined || (previous.verdict === 'unknown' && finding.verdict === 'affected')) findings.set(key, finding);
    }
  }
  return [...findings.values()].sort(compareFindings);
}

export function compareFindings(a: Finding, b: Finding): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || compareText(a.id, b.id)
    || compareText(a.package.name, b.package.name) || compareText(a.package.version, b.package.version)
    || compareText(a.package.location, b.package.location) || compareText(a.package.purl, b.package.purl)
    || compareText(a.evidence.sourceId, b.evidence.sourceId);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
