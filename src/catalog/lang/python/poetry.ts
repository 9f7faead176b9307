import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { badEntry, hashesOf, insideSitePackages, isRecord, lockDraft, parseTomlFile, stringOf } from './common.js';

/*
 * poetry.lock, every lock-version: 1.x keeps `category = "main" | "dev"` on each package and the
 * file hashes in `[metadata.files]`; 2.0 moves the hashes into each package's `files` and drops
 * the category; 2.1 (Poetry 2) adds `groups = ["main", …]`. A package is dev when the lock says
 * so: category "dev", or groups that do not include "main" (what `poetry install --only main`
 * leaves out). A 2.0 lock does not say, so its packages carry no dev flag.
 */

const NAME = 'poetry.lock';

function devOf(pkg: Record<string, unknown>): boolean | undefined {
  const category = stringOf(pkg.category);
  if (category !== undefined) return category !== 'main';
  if (!Array.isArray(pkg.groups) || pkg.groups.length === 0) return undefined;
  return !pkg.groups.includes('main');
}

function resolvedOf(pkg: Record<string, unknown>): string | undefined {
  const source = isRecord(pkg.source) ? pkg.source : undefined;
  const url = stringOf(source?.url);
  if (source === undefined || url === undefined) return undefined;
  if (source.type === 'git') {
    const ref = stringOf(source.resolved_reference) ?? stringOf(source.reference);
    return ref === undefined ? `git+${url}` : `git+${url}@${ref}`;
  }
  return source.type === 'url' ? url : undefined;
}

export function parsePoetryLock(file: AnalyzerFile): AnalyzerResult {
  const doc = parseTomlFile(file.path, file.content, 'a poetry.lock');
  const metadata = isRecord(doc.metadata) ? doc.metadata : undefined;
  if (doc.package === undefined && metadata === undefined) throw new CatalogError('MALFORMED_FILE', `${file.path} has neither [[package]] nor [metadata]: not a poetry.lock`);
  if (doc.package !== undefined && !Array.isArray(doc.package)) throw new CatalogError('MALFORMED_FILE', `${file.path}: "package" is not an array of tables`);
  const legacyFiles = isRecord(metadata?.files) ? metadata.files : {};
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  (doc.package ?? []).forEach((pkg: unknown, i: number) => {
    const name = isRecord(pkg) ? stringOf(pkg.name) : undefined;
    const version = isRecord(pkg) ? stringOf(pkg.version) : undefined;
    if (!isRecord(pkg) || name === undefined || version === undefined) {
      issues.push(badEntry(file.path, `package #${i + 1} skipped: no name or version`));
      return;
    }
    const hashes = [...hashesOf(pkg.files), ...hashesOf(legacyFiles[name])];
    packages.push(lockDraft(file.path, pythonPoetryLockAnalyzer.name, { name, version, dev: devOf(pkg), hashes, resolved: resolvedOf(pkg) }));
  });
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const pythonPoetryLockAnalyzer: Analyzer = {
  name: 'python-poetry-lock',
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith(`/${NAME}`) && !insideSitePackages(path),
  analyze: parsePoetryLock,
};
