import { posix } from 'node:path';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { collect, isRecord, parseJsonFile } from './composer.js';

/*
 * `<vendor-dir>/composer/installed.json`, what Composer really installed. Composer 1 writes an
 * array of packages; Composer 2 `{packages: […], dev: bool, dev-package-names: […]}`, which tells
 * dev packages apart (Composer 1's form does not: `stella:dev` is left unset). The project is
 * the directory holding the vendor directory, the same one that holds composer.lock.
 */

const FOUND_BY = 'composer-installed';
const SUFFIX = '/composer/installed.json';

export function parseInstalledJson(file: AnalyzerFile): AnalyzerResult {
  const doc = parseJsonFile(file.path, file.content, 'a Composer installed.json');
  let entries: unknown[];
  let devNames: Set<string> | undefined;
  if (Array.isArray(doc)) entries = doc;
  else if (isRecord(doc) && Array.isArray(doc.packages)) {
    entries = doc.packages;
    const names = Array.isArray(doc['dev-package-names']) ? doc['dev-package-names'] : [];
    devNames = new Set(names.filter((n): n is string => typeof n === 'string').map((n) => n.toLowerCase()));
  } else {
    throw new CatalogError('MALFORMED_FILE', `${file.path} is neither a package array nor {"packages": […]}: not a Composer installed.json`);
  }
  const project = posix.dirname(file.path.slice(0, -SUFFIX.length) || '/');
  const dev = (entry: unknown): boolean | undefined =>
    devNames === undefined || !isRecord(entry) || typeof entry.name !== 'string' ? undefined : devNames.has(entry.name.toLowerCase());
  const { packages, issues } = collect(entries, dev, { path: file.path, foundBy: FOUND_BY, evidence: 'installed', project });
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const composerInstalledAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith(SUFFIX),
  analyze: parseInstalledJson,
};
