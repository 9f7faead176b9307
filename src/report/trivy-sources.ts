import type { Finding } from '../match/index.js';
import { sourceHome, sourceName } from './sources.js';

/*
 * Trivy's `DataSource` values, as trivy-db names its sources (pkg/vulnsrc/<source>/*.go at
 * aquasecurity/trivy-db a0049d7a). Sources trivy-db does not have ('nvd', 'osv' as a whole) keep
 * our own id, name and home page.
 */

export interface TrivyDataSource { readonly ID: string; readonly Name: string; readonly URL: string }

const DISTRO_SOURCES: ReadonlyMap<string, TrivyDataSource> = new Map([
  ['debian', { ID: 'debian', Name: 'Debian Security Tracker', URL: 'https://salsa.debian.org/security-tracker-team/security-tracker' }],
  ['ubuntu', { ID: 'ubuntu', Name: 'Ubuntu CVE Tracker', URL: 'https://git.launchpad.net/ubuntu-cve-tracker' }],
  ['alpine', { ID: 'alpine', Name: 'Alpine Secdb', URL: 'https://secdb.alpinelinux.org/' }],
  ['alma', { ID: 'alma', Name: 'AlmaLinux Product Errata', URL: 'https://errata.almalinux.org/' }],
  ['amazon', { ID: 'amazon', Name: 'Amazon Linux Security Center', URL: 'https://alas.aws.amazon.com/' }],
  ['rocky', { ID: 'rocky', Name: 'Rocky Linux updateinfo', URL: 'https://download.rockylinux.org/pub/rocky/' }],
  ['oracle-oval', { ID: 'oracle-oval', Name: 'Oracle Linux OVAL definitions', URL: 'https://linux.oracle.com/security/oval/' }],
  ['suse-cvrf', { ID: 'suse-cvrf', Name: 'SUSE CVRF', URL: 'https://ftp.suse.com/pub/projects/security/cvrf/' }],
  ['govulndb', { ID: 'govulndb', Name: 'The Go Vulnerability Database', URL: 'https://pkg.go.dev/vuln/' }],
]);

/** trivy-db's GHSA ecosystem names (pkg/vulnsrc/ghsa/ghsa.go), by purl type. */
const GHSA_ECOSYSTEMS: ReadonlyMap<string, string> = new Map([
  ['composer', 'Composer'], ['golang', 'Go'], ['maven', 'Maven'], ['npm', 'npm'], ['nuget', 'NuGet'],
  ['pypi', 'pip'], ['gem', 'RubyGems'], ['cargo', 'Rust'], ['pub', 'Pub'], ['hex', 'Erlang'], ['swift', 'Swift'],
]);

export function trivyDataSource(f: Finding): TrivyDataSource {
  const source = f.dataSource;
  const known = DISTRO_SOURCES.get(source);
  if (known !== undefined) return known;
  const ghsaEcosystem = source === 'ghsa' ? GHSA_ECOSYSTEMS.get(f.package.type) : undefined;
  if (ghsaEcosystem !== undefined) {
    return { ID: 'ghsa', Name: `GitHub Security Advisory ${ghsaEcosystem}`, URL: `https://github.com/advisories?query=type%3Areviewed+ecosystem%3A${ghsaEcosystem.toLowerCase()}` };
  }
  return { ID: source, Name: sourceName(source), URL: sourceHome(source) ?? '' };
}

/** os-release IDs whose Trivy OS family (fanal/types/const.go OSType) is spelled differently. */
const OS_FAMILIES: ReadonlyMap<string, string> = new Map([
  ['rhel', 'redhat'], ['almalinux', 'alma'], ['amzn', 'amazon'], ['ol', 'oracle'], ['mariner', 'cbl-mariner'], ['sle-micro', 'slem'],
]);

/** The Trivy OS family for an os-release ID (debian, ubuntu, alpine… are the same in both). */
export function trivyOsFamily(id: string): string {
  return OS_FAMILIES.get(id) ?? id;
}
