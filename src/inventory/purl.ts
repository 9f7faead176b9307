import { PackageURL } from 'packageurl-js';
import type { Distro, Package } from './model.js';

/** A package as an analyzer reports it: the purl and layer are added when the scan merges layers. */
export type PackageDraft = Omit<Package, 'purl' | 'layer'>;

const OS_NAMESPACE: Readonly<Record<string, string>> = {
  debian: 'debian', ubuntu: 'ubuntu', alpine: 'alpine', rhel: 'redhat', centos: 'centos', rocky: 'rocky',
  almalinux: 'almalinux', amzn: 'amazon', fedora: 'fedora', ol: 'oracle', sles: 'suse', 'opensuse-leap': 'opensuse',
  opensuse: 'opensuse', wolfi: 'wolfi', chainguard: 'chainguard', photon: 'photon', mariner: 'mariner', azurelinux: 'azurelinux',
};

/** deb and rpm versions carry the epoch as a qualifier in purls, not in the version. */
function splitEpoch(version: string): { epoch?: string; rest: string } {
  const colon = version.indexOf(':');
  if (colon <= 0 || !/^\d+$/.test(version.slice(0, colon))) return { rest: version };
  const epoch = version.slice(0, colon).replace(/^0+(?=\d)/, '');
  return epoch === '0' ? { rest: version.slice(colon + 1) } : { epoch, rest: version.slice(colon + 1) };
}

/**
 * The purl of a package per the purl spec: OS packages get the distro as namespace and the
 * `distro=<id>-<version>` qualifier (e.g. pkg:deb/debian/openssl@3.0.17-1~deb12u2?arch=amd64&distro=debian-12);
 * qualifiers are sorted by packageurl-js, so the string is canonical.
 */
export function buildPurl(pkg: PackageDraft, distro?: Distro): string {
  const qualifiers: Record<string, string> = {};
  let namespace = pkg.namespace;
  let version = pkg.version;
  if (pkg.type === 'deb' || pkg.type === 'rpm' || pkg.type === 'apk') {
    if (distro !== undefined) {
      namespace ??= OS_NAMESPACE[distro.id] ?? distro.id;
      qualifiers.distro = `${distro.id}-${distro.version}`;
    }
    if (pkg.arch !== undefined && pkg.arch !== '') qualifiers.arch = pkg.arch;
    if (pkg.type !== 'apk') {
      const { epoch, rest } = splitEpoch(version);
      version = rest;
      if (epoch !== undefined) qualifiers.epoch = epoch;
    }
  }
  // The model keeps the npm scope without "@"; the purl spec's namespace carries it.
  if (pkg.type === 'npm' && namespace !== undefined && namespace !== '' && !namespace.startsWith('@')) namespace = `@${namespace}`;
  const purl = new PackageURL(pkg.type, namespace === '' ? undefined : namespace, pkg.name, version,
    Object.keys(qualifiers).length > 0 ? qualifiers : undefined, undefined);
  return purl.toString();
}

export function finalizePackage(draft: PackageDraft, layer: string | undefined, distro?: Distro): Package {
  return layer === undefined ? { ...draft, purl: buildPurl(draft, distro) } : { ...draft, purl: buildPurl(draft, distro), layer };
}
