import type { SchemeName } from '../../versions/index.js';

/*
 * Every name the Trivy DB v2 layout fixes, in one table. Followed from aquasecurity/trivy-db at
 * commit a0049d7ad12f983e2a14b3c74a0aa914de741af0:
 *   pkg/vulnsrc/bucket/bucket.go        OS bucket names ("debian 12"), "<eco>::<data source name>"
 *   pkg/ecosystem/ecosystem.go          ecosystem slugs (npm, pip, cargo…)
 *   pkg/vulnsrc/vulnerability/const.go  source ids and AllSourceIDs (detail precedence)
 *   pkg/vulnsrc/vulnerability/vulnerability.go  NormalizePkgName
 *   pkg/vulnsrc/{debian,ubuntu,alpine,alma,rocky,wolfi,chainguard,echo,minimos}/*.go  OS data sources
 *   pkg/vulnsrc/{ghsa,govulndb,julia,bitnami,k8svulndb}/*.go  language data sources
 *   pkg/vulnsrc/osv/osv.go (before commit bcd98c4f, "feat: use the GHSA repository")  the "osv" data
 *     sources for PyPI (Python Packaging Advisory Database) and crates.io (RustSec)
 *   pkg/types/{types.go,status.go}      Severity and Status integers
 * and aquasecurity/trivy at dc3c56eed58ab21c7e08d26757c517bc946a86c5 (pkg/detector/ospkg/*: which
 * release string and which package name each OS detector looks up).
 */

/** `types.DataSource` (JSON field order ID, Name, URL, as Go marshals the struct). */
export interface DataSource {
  readonly ID: string;
  readonly Name: string;
  readonly URL: string;
}

/** types.Severity. */
export const SEVERITY = { UNKNOWN: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 } as const;
export const SEVERITY_NAMES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** types.Status (status.go order). */
export const STATUS = {
  unknown: 0, not_affected: 1, affected: 2, fixed: 3, under_investigation: 4, will_not_fix: 5, fix_deferred: 6,
  end_of_life: 7,
} as const;

/** vulnerability.AllSourceIDs: the order trivy-db picks Title, Description, Severity, CweIDs in. */
export const SOURCE_PRECEDENCE: readonly string[] = [
  'nvd', 'redhat', 'redhat-oval', 'debian', 'ubuntu', 'alpine', 'amazon', 'oracle-oval', 'suse-cvrf', 'photon',
  'arch-linux', 'alma', 'rocky', 'cbl-mariner', 'azure', 'ruby-advisory-db', 'php-security-advisories',
  'nodejs-security-wg', 'ghsa', 'glad', 'aqua', 'osv', 'k8s', 'wolfi', 'chainguard', 'bitnami', 'govulndb',
  'julia', 'bottlerocket', 'echo', 'minimos', 'rootio',
];

/**
 * Our rating sources (SeverityRating.source, Weakness provenance source) → trivy source ids. Our
 * distro rating sources are the OSV ecosystem in lower case with '-' for spaces (osv/map.ts).
 * A source not listed has no trivy counterpart: its ratings are left out (counted in the summary).
 */
export const RATING_SOURCES: ReadonlyMap<string, string> = new Map([
  ['nvd', 'nvd'], ['ghsa', 'ghsa'], ['osv', 'osv'],
  ['debian', 'debian'], ['ubuntu', 'ubuntu'], ['alpine', 'alpine'], ['almalinux', 'alma'],
  ['rocky-linux', 'rocky'], ['wolfi', 'wolfi'], ['chainguard', 'chainguard'], ['echo', 'echo'],
  ['minimos', 'minimos'], ['red-hat', 'redhat'], ['photon-os', 'photon'],
]);

/**
 * How an OS ecosystem's entries are written. `debianStyle`: the value carries VendorIDs (DSA/DLA),
 * Status (when no fix) and Severity (Debian urgency), as trivy-db's Debian source writes them; the
 * others carry only FixedVersion. `unfixed`: what an entry without a fixed version becomes —
 * 'status' (Debian: {"Status": 2|5}), 'empty' ({}; the Ubuntu, Alpine, Wolfi… detectors report an
 * empty FixedVersion as unfixed) or 'skip' (the Alma/Rocky detectors compare with FixedVersion and
 * never report an empty one, and trivy-db's errata sources hold fixes only).
 */
export interface OsSpec {
  /** Our ecosystem name (OSV's, without release). */
  readonly ecosystem: string;
  /** The bucket for a release; undefined when the release cannot be named the way trivy looks it up. */
  readonly bucket: (release: string | undefined) => string | undefined;
  readonly dataSource: DataSource;
  /** Orders fixed versions (the newest fix wins when one package lists several). */
  readonly scheme: SchemeName;
  readonly debianStyle: boolean;
  readonly unfixed: 'status' | 'empty' | 'skip';
}

/** Debian: "debian <major>"; trivy's detector looks up osver.Major. OSV writes 'Debian:12'. */
function major(prefix: string): (release: string | undefined) => string | undefined {
  return (release) => {
    const m = /^(\d+)(?:\.\d+)*$/.exec(release ?? '');
    return m === null ? undefined : `${prefix} ${m[1] as string}`;
  };
}

/**
 * Ubuntu: OSV writes 'Ubuntu:22.04:LTS', 'Ubuntu:24.10', 'Ubuntu:Pro:16.04:LTS'. trivy-db names
 * buckets "ubuntu 22.04" and, for ESM (esm-infra/esm-apps, i.e. Ubuntu Pro), "ubuntu 16.04-ESM".
 * Other Pro streams (FIPS…) have no trivy bucket.
 */
function ubuntuBucket(release: string | undefined): string | undefined {
  const parts = (release ?? '').split(':').filter((p) => p !== 'LTS');
  const version = parts[parts.length - 1] ?? '';
  if (!/^\d+\.\d+$/.test(version)) return undefined;
  if (parts.length === 1) return `ubuntu ${version}`;
  if (parts.length === 2 && parts[0] === 'Pro') return `ubuntu ${version}-ESM`;
  return undefined;
}

/** Alpine: OSV 'Alpine:v3.19' → "alpine 3.19" (secdb's distroversion with 'v' trimmed). */
function alpineBucket(release: string | undefined): string | undefined {
  const m = /^v?(\d+\.\d+)$/.exec(release ?? '');
  return m === null ? undefined : `alpine ${m[1] as string}`;
}

/** Wolfi, Chainguard, Echo, MinimOS: one bucket, no release (bucket.NewWolfi("")…). */
function unversioned(name: string): (release: string | undefined) => string | undefined {
  return (release) => (release === undefined || release === '' ? name : undefined);
}

function os(ecosystem: string, spec: Omit<OsSpec, 'ecosystem'>): [string, OsSpec] {
  return [ecosystem, { ecosystem, ...spec }];
}

/*
 * Not mapped, and why: 'Red Hat' — trivy-db's Red Hat layout scopes every entry by CPE indices of
 * content sets (the "Red Hat CPE" bucket, built from Red Hat's repository-to-cpe mapping); our
 * model keeps a release string only, so no faithful "Red Hat" bucket can be built. SUSE, openSUSE,
 * Photon OS, Azure Linux, Mageia, openEuler: no record in our data shows how OSV spells their
 * releases against trivy's bucket names ("SUSE Linux Enterprise 15.5"…), so they are left out rather
 * than guessed. Such entries are counted under `unmapped` in the summary.
 */
export const OS_SPECS: ReadonlyMap<string, OsSpec> = new Map([
  os('Debian', {
    bucket: major('debian'), scheme: 'deb', debianStyle: true, unfixed: 'status',
    dataSource: { ID: 'debian', Name: 'Debian Security Tracker', URL: 'https://salsa.debian.org/security-tracker-team/security-tracker' },
  }),
  os('Ubuntu', {
    bucket: ubuntuBucket, scheme: 'deb', debianStyle: false, unfixed: 'empty',
    dataSource: { ID: 'ubuntu', Name: 'Ubuntu CVE Tracker', URL: 'https://git.launchpad.net/ubuntu-cve-tracker' },
  }),
  os('Alpine', {
    bucket: alpineBucket, scheme: 'apk', debianStyle: false, unfixed: 'empty',
    dataSource: { ID: 'alpine', Name: 'Alpine Secdb', URL: 'https://secdb.alpinelinux.org/' },
  }),
  os('AlmaLinux', {
    bucket: major('alma'), scheme: 'rpm', debianStyle: false, unfixed: 'skip',
    dataSource: { ID: 'alma', Name: 'AlmaLinux Product Errata', URL: 'https://errata.almalinux.org/' },
  }),
  os('Rocky Linux', {
    bucket: major('rocky'), scheme: 'rpm', debianStyle: false, unfixed: 'skip',
    dataSource: { ID: 'rocky', Name: 'Rocky Linux updateinfo', URL: 'https://download.rockylinux.org/pub/rocky/' },
  }),
  os('Wolfi', {
    bucket: unversioned('wolfi'), scheme: 'apk', debianStyle: false, unfixed: 'empty',
    dataSource: { ID: 'wolfi', Name: 'Wolfi Secdb', URL: 'https://packages.wolfi.dev/os/security.json' },
  }),
  os('Chainguard', {
    bucket: unversioned('chainguard'), scheme: 'apk', debianStyle: false, unfixed: 'empty',
    dataSource: { ID: 'chainguard', Name: 'Chainguard Security Data', URL: 'https://packages.cgr.dev/chainguard/security.json' },
  }),
  os('Echo', {
    bucket: unversioned('echo'), scheme: 'deb', debianStyle: false, unfixed: 'empty',
    dataSource: { ID: 'echo', Name: 'Echo', URL: 'https://advisory.echohq.com/data.json' },
  }),
  os('MinimOS', {
    bucket: unversioned('minimos'), scheme: 'apk', debianStyle: false, unfixed: 'empty',
    dataSource: { ID: 'minimos', Name: 'MinimOS Security Data', URL: 'https://packages.mini.dev/advisories/secdb/security.json' },
  }),
]);

/** A language ecosystem: trivy's slug, GHSA's ecosystem word (for the GHSA data source), and the
 * data source used when the record's id names no better one. */
export interface LangSpec {
  readonly ecosystem: string;
  readonly slug: string;
  readonly ghsa?: string;
  readonly fallback: DataSource;
}

/** Records that come from no database trivy-db reads (OSV records of other origins). Our own name. */
export const OSV_DATA_SOURCE: DataSource = { ID: 'osv', Name: 'Open Source Vulnerabilities', URL: 'https://osv.dev/' };

function lang(ecosystem: string, slug: string, ghsa?: string, fallback: DataSource = OSV_DATA_SOURCE): [string, LangSpec] {
  return [ecosystem, { ecosystem, slug, ...(ghsa === undefined ? {} : { ghsa }), fallback }];
}

/** OSV ecosystem → trivy ecosystem (osv.go resolveBucket; GHSA words from ghsa.go). */
export const LANG_SPECS: ReadonlyMap<string, LangSpec> = new Map([
  lang('npm', 'npm', 'npm'),
  lang('PyPI', 'pip', 'pip'),
  lang('Go', 'go', 'Go'),
  lang('crates.io', 'cargo', 'Rust'),
  lang('Maven', 'maven', 'Maven'),
  lang('RubyGems', 'rubygems', 'RubyGems'),
  lang('NuGet', 'nuget', 'NuGet'),
  lang('Packagist', 'composer', 'Composer'),
  lang('Hex', 'erlang', 'Erlang'),
  lang('Pub', 'pub', 'Pub'),
  lang('SwiftURL', 'swift', 'Swift'),
  lang('Julia', 'julia', undefined, { ID: 'julia', Name: 'Julia Ecosystem Security Advisories', URL: 'https://github.com/JuliaLang/SecurityAdvisories.jl' }),
  lang('Bitnami', 'bitnami', undefined, { ID: 'bitnami', Name: 'Bitnami Vulnerability Database', URL: 'https://github.com/bitnami/vulndb' }),
  lang('Kubernetes', 'k8s', undefined, {
    ID: 'k8s', Name: 'Official Kubernetes CVE Feed', URL: 'https://kubernetes.io/docs/reference/issues-security/official-cve-feed/index.json',
  }),
]);

/** The data source of one language entry, from the id of the record it came from. */
export function langDataSource(spec: LangSpec, sourceId: string): DataSource {
  if (/^GHSA-/i.test(sourceId) && spec.ghsa !== undefined) {
    return {
      ID: 'ghsa', Name: `GitHub Security Advisory ${spec.ghsa}`,
      URL: `https://github.com/advisories?query=type%3Areviewed+ecosystem%3A${spec.ghsa.toLowerCase()}`,
    };
  }
  if (/^GO-/.test(sourceId) && spec.slug === 'go') return { ID: 'govulndb', Name: 'The Go Vulnerability Database', URL: 'https://pkg.go.dev/vuln/' };
  if (/^PYSEC-/.test(sourceId) && spec.slug === 'pip') {
    return { ID: 'osv', Name: 'Python Packaging Advisory Database', URL: 'https://github.com/pypa/advisory-db' };
  }
  if (/^RUSTSEC-/.test(sourceId) && spec.slug === 'cargo') {
    return { ID: 'osv', Name: 'RustSec Advisory Database', URL: 'https://github.com/RustSec/advisory-db' };
  }
  return spec.fallback;
}

/** `<ecosystem>::<data source name>` (bucket.langBucket.Name). */
export function langBucketName(spec: LangSpec, source: DataSource): string {
  return `${spec.slug}::${source.Name}`;
}

/** vulnerability.NormalizePkgName: the key trivy looks a language package up by. */
export function normalizeLangName(slug: string, name: string): string {
  switch (slug) {
    case 'pip':
      return name.toLowerCase().replaceAll('_', '-');
    case 'swift':
      return name.replace(/^https:\/\//, '').replace(/\.git$/, '');
    case 'go':
    case 'cocoapods':
    case 'julia':
      return name;
    default:
      return name.toLowerCase();
  }
}
