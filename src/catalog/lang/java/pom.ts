import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { parsePom, type PomDependency, type PomModel } from './pom-xml.js';

/*
 * A project's pom.xml: its declared <dependencies>, `${…}` resolved from the same pom's
 * <properties> and project coordinates, a missing version taken from the same pom's
 * <dependencyManagement>. Parent poms, imported BOMs, profiles and settings are NOT followed
 * (they are other files, or need Maven's resolver): a dependency whose version only they could
 * give is an issue, not a guess. The project is the pom's directory.
 */

const FOUND_BY = 'maven-pom';
const DEV_SCOPES = new Set(['test', 'provided']);
const MAX_EXPANSIONS = 20;

type Resolver = (value: string) => string | { unresolved: string };

function builtins(pom: PomModel): Map<string, string | undefined> {
  const groupId = pom.groupId ?? pom.parent?.groupId;
  const version = pom.version ?? pom.parent?.version;
  return new Map([
    ['project.groupId', groupId], ['pom.groupId', groupId], ['groupId', groupId],
    ['project.artifactId', pom.artifactId], ['pom.artifactId', pom.artifactId], ['artifactId', pom.artifactId],
    ['project.version', version], ['pom.version', version], ['version', version],
    ['project.parent.groupId', pom.parent?.groupId], ['parent.groupId', pom.parent?.groupId],
    ['project.parent.version', pom.parent?.version], ['parent.version', pom.parent?.version],
  ]);
}

/** `${name}` expansion, repeated for properties that refer to properties, bounded against cycles. */
function resolver(pom: PomModel): Resolver {
  const known = builtins(pom);
  const lookup = (name: string): string | undefined => pom.properties.get(name) ?? known.get(name);
  return (value) => {
    let text = value;
    for (let i = 0; i < MAX_EXPANSIONS && text.includes('${'); i++) {
      let missing: string | undefined;
      text = text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
        const found = lookup(name.trim());
        if (found === undefined) missing ??= name;
        return found ?? whole;
      });
      if (missing !== undefined) return { unresolved: missing };
    }
    return text.includes('${') ? { unresolved: text } : text;
  };
}

const isRange = (v: string): boolean => /^[[(]/.test(v) || /[\])]$/.test(v) || v.includes(',');

function toPackage(dep: PomDependency, pom: PomModel, resolve: Resolver, path: string): PackageDraft | string {
  const coords: string[] = [];
  for (const [field, raw] of [['groupId', dep.groupId], ['artifactId', dep.artifactId]] as const) {
    if (raw === undefined) return `a dependency without ${field}`;
    const v = resolve(raw);
    if (typeof v !== 'string') return `${raw}: property \${${v.unresolved}} is not defined in this pom`;
    coords.push(v);
  }
  const [groupId = '', artifactId = ''] = coords;
  const rawVersion = dep.version ?? managedVersion(pom, resolve, groupId, artifactId);
  if (rawVersion === undefined) return `${groupId}:${artifactId}: no version here (managed by a parent pom or BOM, which are not followed)`;
  const version = resolve(rawVersion);
  if (typeof version !== 'string') return `${groupId}:${artifactId}: version ${rawVersion}: property \${${version.unresolved}} is not defined in this pom (parent poms are not followed)`;
  if (isRange(version)) return `${groupId}:${artifactId}: version range ${version} names no single version`;
  const resolvedScope = resolve(dep.scope ?? 'compile');
  const scope = typeof resolvedScope === 'string' ? resolvedScope : (dep.scope ?? 'compile');
  const properties: Record<string, string> = {
    'stella:evidence': 'declared', 'stella:project': '', 'stella:dev': DEV_SCOPES.has(scope) ? 'true' : 'false', 'stella:scope': scope,
  };
  if (dep.optional === 'true') properties['stella:optional'] = 'true';
  return { type: 'maven', namespace: groupId, name: artifactId, version, location: path, foundBy: FOUND_BY, properties };
}

function managedVersion(pom: PomModel, resolve: Resolver, groupId: string, artifactId: string): string | undefined {
  return pom.managed.find((m) => m.groupId !== undefined && m.artifactId !== undefined && resolve(m.groupId) === groupId && resolve(m.artifactId) === artifactId)?.version;
}

export function parsePomFile(file: AnalyzerFile): AnalyzerResult {
  let pom: PomModel;
  try {
    pom = parsePom(file.content.toString('utf8'));
  } catch (error) {
    throw new CatalogError('MALFORMED_FILE', `${file.path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const resolve = resolver(pom);
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  for (const dep of pom.dependencies) {
    const outcome = toPackage(dep, pom, resolve, file.path);
    if (typeof outcome === 'string') issues.push({ code: 'UNRESOLVED_DEPENDENCY', message: `${file.path}: ${outcome}; skipped`, path: file.path });
    else packages.push(outcome);
  }
  return issues.length > 0 ? { packages, issues } : { packages };
}

/** pom.xml anywhere except copies embedded in exploded archives (META-INF/maven/…), which describe a library's own build. */
export const mavenPomAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 16 * 2 ** 20,
  wants: (path: string): boolean => (path === 'pom.xml' || path.endsWith('/pom.xml')) && !path.includes('/META-INF/maven/'),
  analyze: parsePomFile,
};
