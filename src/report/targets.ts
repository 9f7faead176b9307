import type { Inventory, Package } from '../inventory/index.js';
import type { Finding } from '../match/index.js';
import type { ReportInput } from './model.js';
import { compareText, sortFindings } from './order.js';

/*
 * The sections of a report, as Trivy draws them: one for the OS packages, one per file that
 * declared language packages. The table and the Trivy JSON writer both print these.
 */

export type TargetClass = 'os-pkgs' | 'lang-pkgs';

export interface ReportTarget {
  /** Trivy's `Target`: `<image> (<distro> <version>)`, or the declaring file without its leading '/'. */
  readonly label: string;
  readonly class: TargetClass;
  /** Trivy's `Type`: the distro id, or the language analyzer's name (npm, pip, jar, gomod…). */
  readonly type: string;
  /** Findings in report order. */
  readonly findings: readonly Finding[];
}

const OS_TYPES: ReadonlySet<string> = new Set(['deb', 'apk', 'rpm']);

export function isOsPackageType(type: string): boolean {
  return OS_TYPES.has(type);
}

/** Trivy's analyzer names by the file that declares the packages. */
const BY_FILE: ReadonlyMap<string, string> = new Map([
  ['package-lock.json', 'npm'], ['npm-shrinkwrap.json', 'npm'], ['yarn.lock', 'yarn'], ['pnpm-lock.yaml', 'pnpm'],
  ['bun.lock', 'bun'], ['package.json', 'node-pkg'],
  ['requirements.txt', 'pip'], ['Pipfile.lock', 'pipenv'], ['poetry.lock', 'poetry'], ['uv.lock', 'uv'],
  ['METADATA', 'python-pkg'], ['PKG-INFO', 'python-pkg'],
  ['pom.xml', 'pom'], ['gradle.lockfile', 'gradle'],
  ['go.mod', 'gomod'], ['go.sum', 'gomod'], ['Cargo.lock', 'cargo'], ['Gemfile.lock', 'bundler'],
  ['packages.lock.json', 'nuget'], ['packages.config', 'nuget'], ['Directory.Packages.props', 'packages-props'], ['Packages.props', 'packages-props'],
  ['composer.lock', 'composer'], ['installed.json', 'composer-vendor'],
]);

const BY_SUFFIX: ReadonlyArray<readonly [string, string]> = [
  ['.jar', 'jar'], ['.war', 'jar'], ['.ear', 'jar'], ['.par', 'jar'], ['.gemspec', 'gemspec'], ['.deps.json', 'dotnet-core'], ['.egg-info', 'python-pkg'],
];

/** Where no file name decides: the purl type's usual analyzer (binaries for Go and Rust). */
const BY_PURL_TYPE: ReadonlyMap<string, string> = new Map([
  ['npm', 'npm'], ['pypi', 'pip'], ['maven', 'jar'], ['golang', 'gobinary'], ['cargo', 'rustbinary'],
  ['gem', 'gemspec'], ['nuget', 'nuget'], ['composer', 'composer'],
]);

/** Analyzers that read one installed package per file: Trivy puts that file in `PkgPath`. */
export const PER_PACKAGE_TYPES: ReadonlySet<string> = new Set(['node-pkg', 'python-pkg', 'gemspec', 'jar', 'gobinary', 'rustbinary']);

export function languageType(purlType: string, location: string): string {
  const base = location.slice(location.lastIndexOf('/') + 1);
  const byFile = BY_FILE.get(base);
  if (byFile !== undefined) return byFile;
  const suffix = BY_SUFFIX.find(([s]) => base.endsWith(s));
  if (suffix !== undefined) return suffix[1];
  return BY_PURL_TYPE.get(purlType) ?? purlType;
}

export function stripRoot(path: string): string {
  return path.replace(/^\/+/, '');
}

function packageKey(purl: string, location: string): string {
  return `${purl}\u0000${location}`;
}

/** Inventory packages by purl and location, to find a finding's package. */
export function indexPackages(inventory: Inventory): ReadonlyMap<string, Package> {
  return new Map(inventory.packages.map((p) => [packageKey(p.purl, p.location), p]));
}

export function packageOf(index: ReadonlyMap<string, Package>, finding: Finding): Package | undefined {
  return index.get(packageKey(finding.package.purl, finding.package.location));
}

/** The name as the ecosystem writes it in full: @scope/name, group:artifact, module path. */
export function displayName(pkg: Package | undefined, finding: Finding): string {
  const ns = pkg?.namespace;
  const name = pkg?.name ?? finding.package.name;
  if (ns === undefined || ns === '' || pkg === undefined) return name;
  switch (pkg.type) {
    case 'npm': return `@${ns.replace(/^@/, '')}/${name}`;
    case 'maven': return `${ns}:${name}`;
    case 'golang': case 'composer': return `${ns}/${name}`;
    default: return name;
  }
}

function osLabel(input: ReportInput): { label: string; type: string } {
  const distro = input.inventory.distro;
  if (distro === undefined) return { label: `${input.target} (unknown OS)`, type: osTypeFromPackages(input.inventory) };
  return { label: `${input.target} (${distro.id} ${distro.version})`, type: distro.id };
}

function osTypeFromPackages(inventory: Inventory): string {
  return inventory.packages.find((p) => isOsPackageType(p.type) && p.namespace !== undefined)?.namespace ?? 'unknown';
}

interface Group { label: string; class: TargetClass; type: string; findings: Finding[] }

/** Every section the inventory or the findings call for: OS first, then language files by label. */
export function reportTargets(input: ReportInput): ReportTarget[] {
  const groups = new Map<string, Group>();
  const groupFor = (purlType: string, location: string): Group => {
    const os = isOsPackageType(purlType);
    const type = os ? '' : languageType(purlType, location);
    const key = os ? 'os' : `lang\u0000${location}\u0000${type}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = os ? { ...osLabel(input), class: 'os-pkgs', findings: [] }
        : { label: stripRoot(location) || type, class: 'lang-pkgs', type, findings: [] };
      groups.set(key, group);
    }
    return group;
  };
  for (const p of input.inventory.packages) if (p.type !== 'generic') groupFor(p.type, p.location);
  for (const f of input.findings) groupFor(f.package.type, f.package.location).findings.push(f);
  return [...groups.values()]
    .sort((a, b) => (a.class === b.class ? 0 : a.class === 'os-pkgs' ? -1 : 1) || compareText(a.label, b.label) || compareText(a.type, b.type))
    .map((g) => ({ label: g.label, class: g.class, type: g.type, findings: sortFindings(g.findings, (f) => f) }));
}
