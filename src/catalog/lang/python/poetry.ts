import type { PackageDraft } from '../../../inventory/index.js';
import type { Analyzer, AnalyzerFile, AnalyzerResult } from '../../analyzer.js';
import { hashesOf, insideSitePackages, isRecord, lockDraft, readPackageTables, stringOf } from './common.js';

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
  const { entries, legacyFiles, issues } = readPackageTables(file.path, file.content, 'a poetry.lock');
  const packages: PackageDraft[] = entries.map(({ pkg, name, version }) => {
    const hashes = [...hashesOf(pkg.files), ...hashesOf(legacyFiles[name])];
    return lockDraft(file.path, pythonPoetryLockAnalyzer.name, { name, version, dev: devOf(pkg), hashes, resolved: resolvedOf(pkg) });
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
