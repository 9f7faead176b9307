import { PackageURL } from 'packageurl-js';

/* The purl of an advisory's package (OSV ecosystem + name), shared by the OSV and GHSA mappers. */

function split(name: string, separator: string): [string | undefined, string] {
  const at = name.lastIndexOf(separator);
  return at <= 0 ? [undefined, name] : [name.slice(0, at), name.slice(at + 1)];
}

const PURL_TYPES: Readonly<Record<string, { type: string; separator?: string }>> = {
  npm: { type: 'npm', separator: '/' }, PyPI: { type: 'pypi' }, Maven: { type: 'maven', separator: ':' },
  Go: { type: 'golang', separator: '/' }, 'crates.io': { type: 'cargo' }, RubyGems: { type: 'gem' },
  NuGet: { type: 'nuget' }, Packagist: { type: 'composer', separator: '/' }, Hex: { type: 'hex' }, Pub: { type: 'pub' },
};

/**
 * The package's purl without version (packageurl-js applies each type's normalization, e.g. PyPI
 * lower case and `-`). None for Swift (its purl type requires a version), GitHub Actions (no
 * registered purl type) and unknown ecosystems; none for a Maven name that is not `group:artifact`.
 */
export function purlOf(ecosystem: string, name: string): string | undefined {
  const spec = PURL_TYPES[ecosystem];
  if (spec === undefined) return undefined;
  const [namespace, local] = spec.separator === undefined ? [undefined, name] : split(name, spec.separator);
  if (ecosystem === 'Maven' && (namespace === undefined || namespace.includes(':'))) return undefined;
  try {
    return new PackageURL(spec.type, namespace, local, undefined, undefined, undefined).toString();
  } catch {
    return undefined; // a name the purl type rejects: the package keeps its ecosystem and name
  }
}

