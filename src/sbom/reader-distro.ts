import type { Distro } from '../inventory/index.js';

/** purl namespaces (purl spec / buildPurl) back to os-release IDs, where they differ. */
const ID_OF_NAMESPACE: Readonly<Record<string, string>> = {
  redhat: 'rhel', amazon: 'amzn', suse: 'sles', oracle: 'ol', opensuse: 'opensuse-leap',
};

/** Trivy's OS family names that are not os-release IDs. */
const ID_OF_FAMILY: Readonly<Record<string, string>> = {
  redhat: 'rhel', amazon: 'amzn', oracle: 'ol', 'opensuse.leap': 'opensuse-leap', 'opensuse.tumbleweed': 'opensuse-tumbleweed',
  'suse linux enterprise server': 'sles', 'suse linux enterprise micro': 'sle-micro', 'cbl-mariner': 'mariner',
};

export function distroId(name: string): string {
  const lower = name.trim().toLowerCase();
  return ID_OF_FAMILY[lower] ?? ID_OF_NAMESPACE[lower] ?? lower;
}

/**
 * The purl `distro` qualifier: "debian-12", "centos-7.6.1810", "opensuse-leap-15.1", or a bare
 * release ("3.10.2", as Trivy writes for Alpine) whose ID then comes from the purl namespace.
 * The release is kept as the document writes it.
 */
export function distroFromQualifier(value: string, namespace: string | undefined): Distro | undefined {
  const named = /^([a-z][a-z0-9._-]*?)-(\d[^-]*)$/i.exec(value);
  if (named !== null) return { id: distroId(named[1] as string), version: named[2] as string };
  if (/^\d/.test(value) && namespace !== undefined && namespace !== '') return { id: distroId(namespace), version: value };
  return undefined;
}
