import { posix } from 'node:path';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { collect, isRecord, parseJsonFile } from './composer.js';

/*
 * composer.lock: `packages` (production) and `packages-dev` (require-dev, marked dev). The project
 * is the lock's directory, where `composer install` puts vendor/.
 */

const FOUND_BY = 'composer-lock';

export function parseComposerLock(file: AnalyzerFile): AnalyzerResult {
  const doc = parseJsonFile(file.path, file.content, 'a composer.lock');
  if (!isRecord(doc) || !Array.isArray(doc.packages)) {
    throw new CatalogError('MALFORMED_FILE', `${file.path} has no "packages" array: not a composer.lock`);
  }
  const ctx = { path: file.path, foundBy: FOUND_BY, evidence: 'declared' as const, project: posix.dirname(file.path) };
  const prod = collect(doc.packages, () => false, ctx);
  const dev = collect(Array.isArray(doc['packages-dev']) ? doc['packages-dev'] : [], () => true, ctx);
  const issues = [...prod.issues, ...dev.issues];
  const packages = [...prod.packages, ...dev.packages];
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const composerLockAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith('/composer.lock'),
  analyze: parseComposerLock,
};
