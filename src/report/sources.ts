import type { Finding } from '../match/index.js';

/*
 * Who publishes advisories, as reports name and link them. Keyed by the connector / rating source
 * names the matcher writes ('nvd', 'ghsa', 'osv', distro ids); an unknown source keeps its own name.
 */

interface SourceInfo {
  /** Display name (CycloneDX `source.name`). */
  readonly name: string;
  /** The source's home page. */
  readonly url: string;
  /** The page for one id at this source, when the source has one for ids of that kind. */
  readonly advisory: (id: string) => string | undefined;
}

const enc = encodeURIComponent;
const isCve = (id: string): boolean => /^CVE-\d{4}-\d+$/i.test(id);
const isGhsa = (id: string): boolean => /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/i.test(id);

const SOURCES: ReadonlyMap<string, SourceInfo> = new Map<string, SourceInfo>([
  ['nvd', { name: 'NVD', url: 'https://nvd.nist.gov/', advisory: (id) => isCve(id) ? `https://nvd.nist.gov/vuln/detail/${enc(id)}` : undefined }],
  ['ghsa', { name: 'GitHub Advisories', url: 'https://github.com/advisories', advisory: (id) => isGhsa(id) ? `https://github.com/advisories/${enc(id)}` : undefined }],
  ['osv', { name: 'OSV', url: 'https://osv.dev/', advisory: (id) => `https://osv.dev/vulnerability/${enc(id)}` }],
  ['debian', { name: 'Debian Security Tracker', url: 'https://security-tracker.debian.org/tracker/', advisory: (id) => `https://security-tracker.debian.org/tracker/${enc(id)}` }],
  ['ubuntu', { name: 'Ubuntu CVE Tracker', url: 'https://ubuntu.com/security/cves', advisory: (id) => isCve(id) ? `https://ubuntu.com/security/${enc(id)}` : undefined }],
  ['alpine', { name: 'Alpine Security Tracker', url: 'https://security.alpinelinux.org/', advisory: (id) => isCve(id) ? `https://security.alpinelinux.org/vuln/${enc(id)}` : undefined }],
  ['redhat', { name: 'Red Hat Product Security', url: 'https://access.redhat.com/security/', advisory: (id) => isCve(id) ? `https://access.redhat.com/security/cve/${enc(id)}` : undefined }],
]);

export function sourceName(source: string): string {
  return SOURCES.get(source)?.name ?? source;
}

export function sourceHome(source: string): string | undefined {
  return SOURCES.get(source)?.url;
}

/** The page for an id wherever it was published: NVD for CVEs, GitHub for GHSAs, OSV otherwise. */
export function idUrl(id: string): string {
  if (isCve(id)) return `https://nvd.nist.gov/vuln/detail/${enc(id)}`;
  if (isGhsa(id)) return `https://github.com/advisories/${enc(id)}`;
  return `https://osv.dev/vulnerability/${enc(id)}`;
}

/** The source's page for the id or, failing that, an alias it has a page for. */
export function sourceUrl(source: string, ids: readonly string[]): string | undefined {
  const info = SOURCES.get(source);
  if (info === undefined) return undefined;
  for (const id of ids) {
    const url = info.advisory(id);
    if (url !== undefined) return url;
  }
  return undefined;
}

/** Where a finding is best read: its data source's page for it, else the page for its id. */
export function primaryUrl(finding: Finding): string {
  return sourceUrl(finding.dataSource, [finding.id, ...finding.aliases]) ?? idUrl(finding.id);
}
