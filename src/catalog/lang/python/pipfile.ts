import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { badEntry, insideSitePackages, isRecord, lockDraft, normalizeName, stringOf, textOf } from './common.js';

/*
 * Pipfile.lock (pipfile-spec 6): JSON with `_meta`, `default` (production) and `develop` (dev)
 * sections, plus any custom categories of pipenv ≥ 2023 (no dev flag: the lock does not say what
 * they are for). Each entry is keyed by name, pinned `"version": "==x"` with its `hashes`. Git,
 * path and URL entries have no version: they are reported as issues, not as packages.
 */

const NAME = 'Pipfile.lock';

function devFor(section: string): boolean | undefined {
  if (section === 'default') return false;
  return section === 'develop' ? true : undefined;
}

function sectionsOf(doc: Record<string, unknown>): [string, Record<string, unknown>][] {
  const sections = Object.entries(doc).filter((e): e is [string, Record<string, unknown>] => e[0] !== '_meta' && isRecord(e[1]));
  // default first, so a package in both sections is production.
  return sections.sort((a, b) => (a[0] === 'default' ? -1 : b[0] === 'default' ? 1 : 0));
}

function parseJson(file: AnalyzerFile): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(textOf(file.path, file.content, 'a Pipfile.lock'));
  } catch (cause) {
    if (cause instanceof CatalogError) throw cause;
    throw new CatalogError('MALFORMED_FILE', `${file.path} is not valid JSON: not a Pipfile.lock`, { cause });
  }
  if (!isRecord(doc) || (!isRecord(doc._meta) && !isRecord(doc.default))) {
    throw new CatalogError('MALFORMED_FILE', `${file.path} has neither "_meta" nor "default": not a Pipfile.lock`);
  }
  return doc;
}

export function parsePipfileLock(file: AnalyzerFile): AnalyzerResult {
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  const seen = new Set<string>();
  for (const [section, entries] of sectionsOf(parseJson(file))) {
    for (const [name, entry] of Object.entries(entries)) {
      const pinned = isRecord(entry) ? stringOf(entry.version) : undefined;
      const version = pinned?.startsWith('==') === true ? pinned.replace(/^===?/, '').trim() : undefined;
      if (!isRecord(entry) || version === undefined || version === '') {
        const what = isRecord(entry) && (entry.git ?? entry.path ?? entry.file) !== undefined ? 'a git, path or URL entry' : 'no "==" version';
        issues.push(badEntry(file.path, `${section}.${name} skipped: ${what}`));
        continue;
      }
      if (seen.has(`${normalizeName(name)}\u0000${version}`)) continue;
      seen.add(`${normalizeName(name)}\u0000${version}`);
      const hashes = Array.isArray(entry.hashes) ? entry.hashes.filter((h): h is string => typeof h === 'string') : [];
      packages.push(lockDraft(file.path, pythonPipfileLockAnalyzer.name, { name, version, dev: devFor(section), hashes }));
    }
  }
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const pythonPipfileLockAnalyzer: Analyzer = {
  name: 'python-pipfile-lock',
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith(`/${NAME}`) && !insideSitePackages(path),
  analyze: parsePipfileLock,
};
