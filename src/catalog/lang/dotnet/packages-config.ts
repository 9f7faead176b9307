import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { nugetDraft } from './nuget.js';
import { attribute, children, parseXmlFile } from './xml.js';

/*
 * packages.config, the pre-PackageReference NuGet manifest: <packages><package id version
 * targetFramework developmentDependency allowedVersions/></packages>. Every listed package is
 * restored (exact versions), so it reads like a lock file; developmentDependency="true" marks dev.
 */

const FOUND_BY = 'nuget-packages-config';

export function parsePackagesConfig(file: AnalyzerFile): AnalyzerResult {
  const root = children(parseXmlFile(file.path, file.content, 'a NuGet packages.config'), 'packages')[0];
  if (root === undefined) throw new CatalogError('MALFORMED_FILE', `${file.path} has no <packages> root: not a NuGet packages.config`);
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  for (const [index, element] of children(root, 'package').entries()) {
    const id = attribute(element, 'id');
    const version = attribute(element, 'version');
    if (id === undefined || id === '' || version === undefined || version === '') {
      issues.push({ code: 'MALFORMED_RECORD', message: `packages.config <package> #${index + 1} skipped: missing id or version`, path: file.path });
      continue;
    }
    packages.push(nugetDraft({
      id, version, path: file.path, foundBy: FOUND_BY, evidence: 'declared',
      extra: {
        'stella:dev': String(attribute(element, 'developmentDependency')?.toLowerCase() === 'true'),
        'stella:target-frameworks': attribute(element, 'targetFramework'),
      },
    }));
  }
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const nugetPackagesConfigAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 8 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith('/packages.config'),
  analyze: parsePackagesConfig,
};
