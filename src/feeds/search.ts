import { PackageURL } from 'packageurl-js';
import { normalizePackageName } from '../advisories/index.js';
import type { PackageType } from '../inventory/index.js';
import { packageQueries } from '../match/index.js';

/**
 * purl types the matcher never sees installed (we catalog none) but advisories name; the ones we
 * do catalog are mapped by the matcher's packageQueries, the one place that spells names for lookup.
 */
const ADVISORY_ONLY_TYPES: ReadonlyMap<string, string> = new Map([
  ['hex', 'Hex'], ['pub', 'Pub'], ['swift', 'SwiftURL'], ['github', 'GitHub Actions'],
]);

const DISTRO_OF_NAMESPACE: ReadonlyMap<string, string> = new Map([
  ['debian', 'Debian'], ['ubuntu', 'Ubuntu'], ['alpine', 'Alpine'], ['wolfi', 'Wolfi'], ['chainguard', 'Chainguard'],
  ['rocky', 'Rocky Linux'], ['almalinux', 'AlmaLinux'], ['redhat', 'Red Hat'], ['suse', 'SUSE'], ['opensuse', 'openSUSE'],
  ['photon', 'Photon OS'], ['mageia', 'Mageia'], ['openeuler', 'openEuler'], ['azurelinux', 'Azure Linux'],
]);

export interface PackageQuery {
  readonly name: string;
  readonly ecosystem?: string;
}

/**
 * What `stella advisory search --package` looks up: a purl becomes (ecosystem, name as the
 * advisories spell it — Maven `group:artifact`, Go and Composer `namespace/name`, npm `@scope/name`,
 * distro packages by the purl's namespace); a plain name is looked up in every ecosystem unless
 * `ecosystem` is given. Throws on a malformed purl.
 */
export function packageQuery(text: string, ecosystem?: string): PackageQuery {
  if (!text.startsWith('pkg:')) {
    return ecosystem === undefined ? { name: text.trim() } : { name: normalizePackageName(ecosystem, text), ecosystem };
  }
  const purl = PackageURL.fromString(text);
  const ns = purl.namespace ?? undefined;
  const pkg = {
    type: purl.type as PackageType, name: purl.name, ...(ns === undefined ? {} : { namespace: ns }),
    version: purl.version ?? '', purl: text, location: '', foundBy: 'search',
  };
  const [query] = packageQueries(pkg, undefined);
  if (query !== undefined) {
    return ecosystem === undefined || ecosystem === query.ecosystem ? { name: query.name, ecosystem: query.ecosystem } : { name: normalizePackageName(ecosystem, query.name), ecosystem };
  }
  let eco = ecosystem ?? ADVISORY_ONLY_TYPES.get(purl.type);
  if (eco === undefined && (purl.type === 'deb' || purl.type === 'apk' || purl.type === 'rpm') && ns !== undefined) {
    eco = DISTRO_OF_NAMESPACE.get(ns.toLowerCase());
  }
  const name = ns !== undefined && ADVISORY_ONLY_TYPES.has(purl.type) ? `${ns}/${purl.name}` : purl.name;
  return eco === undefined ? { name } : { name: normalizePackageName(eco, name), ecosystem: eco };
}
