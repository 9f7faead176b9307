import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { nugetDraft } from './nuget.js';
import { attribute, childText, children, parseXmlFile, type XmlNode } from './xml.js';

/*
 * SDK-style MSBuild project files (*.csproj, *.fsproj, *.vbproj): <PackageReference Include|Update
 * Version=…/> or a <Version> child. The version is kept as written; a floating ("6.*") or range
 * ("[1.0,2.0)") version is marked `stella:version-constraint`. `$(Prop)` is resolved from the
 * file's own PropertyGroups; what is defined elsewhere (Directory.Build.props, central package
 * management's Directory.Packages.props) cannot be seen from one file: such a reference is an
 * issue, not a guessed package. PrivateAssets="all" (build-time only: analyzers, SDKs) is dev.
 */

const FOUND_BY = 'nuget-project';
const MAX_EXPANSIONS = 16;

function collectProperties(project: XmlNode): Map<string, string> {
  const properties = new Map<string, string>();
  for (const group of children(project, 'PropertyGroup')) {
    for (const [key, values] of Object.entries(group)) {
      if (key.startsWith('@') || key === '#text' || !Array.isArray(values)) continue;
      const text = childText(group, key);
      if (text !== undefined) properties.set(key.toLowerCase(), text);
    }
  }
  return properties;
}

/** `$(Name)` references replaced from the file's properties; undefined when one is not defined here. */
function expand(value: string, properties: ReadonlyMap<string, string>): string | undefined {
  let text = value;
  for (let i = 0; i < MAX_EXPANSIONS && text.includes('$('); i++) {
    const match = /\$\(([A-Za-z_][\w.-]*)\)/.exec(text);
    if (match === null) return undefined;
    const replacement = properties.get((match[1] ?? '').toLowerCase());
    if (replacement === undefined) return undefined;
    text = text.replace(match[0], replacement);
  }
  return text.includes('$(') ? undefined : text;
}

function constraintOf(version: string): string | undefined {
  if (version.includes('*')) return 'floating';
  if (/[[\](),]/.test(version)) return 'range';
  return undefined;
}

function toDraft(ref: XmlNode, properties: ReadonlyMap<string, string>, path: string): PackageDraft | string {
  const include = attribute(ref, 'Include');
  const id = include ?? attribute(ref, 'Update');
  if (id === undefined || id === '') return 'PackageReference without Include or Update';
  const written = attribute(ref, 'VersionOverride') ?? attribute(ref, 'Version') ?? childText(ref, 'VersionOverride') ?? childText(ref, 'Version');
  if (written === undefined || written === '') {
    return `PackageReference "${id}" has no version (central package management: the version is in Directory.Packages.props)`;
  }
  const version = expand(written, properties);
  if (version === undefined || version === '') return `PackageReference "${id}" version "${written}" uses a property not defined in this file`;
  const privateAssets = attribute(ref, 'PrivateAssets') ?? childText(ref, 'PrivateAssets');
  return nugetDraft({
    id, version, path, foundBy: FOUND_BY, evidence: 'declared',
    extra: {
      'stella:dev': String(privateAssets?.toLowerCase() === 'all'),
      'stella:direct': 'true',
      'stella:version-constraint': constraintOf(version),
      'stella:version-written': version === written ? undefined : written,
      'stella:msbuild-update': include === undefined ? 'true' : undefined,
    },
  });
}

export function parseProjectFile(file: AnalyzerFile): AnalyzerResult {
  const project = children(parseXmlFile(file.path, file.content, 'an MSBuild project'), 'Project')[0];
  if (project === undefined) throw new CatalogError('MALFORMED_FILE', `${file.path} has no <Project> root: not an MSBuild project`);
  const properties = collectProperties(project);
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  for (const group of children(project, 'ItemGroup')) {
    for (const ref of children(group, 'PackageReference')) {
      const outcome = toDraft(ref, properties, file.path);
      if (typeof outcome === 'string') issues.push({ code: 'UNRESOLVED_VERSION', message: outcome, path: file.path });
      else packages.push(outcome);
    }
  }
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const nugetProjectAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 8 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith('.csproj') || path.endsWith('.fsproj') || path.endsWith('.vbproj'),
  analyze: parseProjectFile,
};
