import type { PackageType } from '../inventory/index.js';

/** Syft's package types (pkg.Type) to purl types; used only when a component has no valid purl. */
const SYFT_TYPES: Readonly<Record<string, PackageType>> = {
  deb: 'deb', rpm: 'rpm', apk: 'apk', npm: 'npm', python: 'pypi', 'java-archive': 'maven', 'jenkins-plugin': 'maven',
  'go-module': 'golang', 'rust-crate': 'cargo', dotnet: 'nuget', gem: 'gem', 'php-composer': 'composer',
};

/** Trivy's result / package types (ftypes.TargetType, LangType, OS family) to purl types. */
const TRIVY_TYPES: Readonly<Record<string, PackageType>> = {
  debian: 'deb', ubuntu: 'deb', alpine: 'apk', wolfi: 'apk', chainguard: 'apk',
  redhat: 'rpm', centos: 'rpm', rocky: 'rpm', alma: 'rpm', almalinux: 'rpm', amazon: 'rpm', oracle: 'rpm', fedora: 'rpm',
  'cbl-mariner': 'rpm', azurelinux: 'rpm', photon: 'rpm', 'opensuse.leap': 'rpm', 'opensuse.tumbleweed': 'rpm', 'suse linux enterprise server': 'rpm',
  npm: 'npm', yarn: 'npm', pnpm: 'npm', bun: 'npm', 'node-pkg': 'npm',
  pip: 'pypi', pipenv: 'pypi', poetry: 'pypi', uv: 'pypi', 'python-pkg': 'pypi', pylock: 'pypi',
  jar: 'maven', pom: 'maven', gradle: 'maven', sbt: 'maven',
  gomod: 'golang', gobinary: 'golang', cargo: 'cargo', 'rust-binary': 'cargo',
  nuget: 'nuget', 'dotnet-core': 'nuget', 'packages-props': 'nuget', bundler: 'gem', gemspec: 'gem',
  composer: 'composer', 'composer-vendor': 'composer',
};

export function syftType(type: string | undefined): PackageType | undefined {
  return type === undefined ? undefined : SYFT_TYPES[type];
}

export function trivyType(type: string | undefined): PackageType | undefined {
  return type === undefined ? undefined : TRIVY_TYPES[type.toLowerCase()];
}

/** "bash-4.2.46-31.el7.src.rpm" → bash / 4.2.46-31.el7 (name, then version-release). */
export function parseSourceRpm(value: string): { name: string; version: string } | undefined {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(value);
  if (match === null) return undefined;
  return { name: match[1] as string, version: `${match[2] as string}-${match[3] as string}` };
}

/** Trivy's split version fields joined the way the package manager writes them: [epoch:]version[-release]. */
export function joinVersion(version: string | undefined, release: string | undefined, epoch: unknown): string | undefined {
  if (version === undefined) return undefined;
  const withRelease = release === undefined ? version : `${version}-${release}`;
  const e = typeof epoch === 'number' ? String(epoch) : typeof epoch === 'string' ? epoch.trim() : '';
  return e === '' || e === '0' ? withRelease : `${e}:${withRelease}`;
}
