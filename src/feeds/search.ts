import { PackageURL } from 'packageurl-js';
import { normalizePackageName } from '../advisories/index.js';

/** purl type → OSV ecosystem name (the ecosystem the advisory package index uses). */
const ECOSYSTEM_OF_PURL_TYPE: ReadonlyMap<string, string> = new Map([
  ['npm', 'npm'], ['pypi', 'PyPI'], ['maven', 'Maven'], ['golang', 'Go'], ['cargo', 'crates.io'],
  ['gem', 'RubyGems'], ['nuget', 'NuGet'], ['composer', 'Packagist'], ['hex', 'Hex'], ['pub', 'Pub'],
  ['swift', 'SwiftURL'], ['github', 'GitHub Actions'],
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
  let eco = ecosystem ?? ECOSYSTEM_OF_PURL_TYPE.get(purl.type);
  if (eco === undefined && (purl.type === 'deb' || purl.type === 'apk' || purl.type === 'rpm') && ns !== undefined) {
    eco = DISTRO_OF_NAMESPACE.get(ns.toLowerCase());
  }
  let name = purl.name;
  if (ns !== undefined && ECOSYSTEM_OF_PURL_TYPE.has(purl.type)) {
    name = purl.type === 'maven' ? `${ns}:${purl.name}` : `${ns}/${purl.name}`;
  }
  return eco === undefined ? { name } : { name: normalizePackageName(eco, name), ecosystem: eco };
}
