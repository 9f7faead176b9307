import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { badEntry, hashesOf, insideSitePackages, isRecord, lockDraft, parseTomlFile, stringOf } from './common.js';

/*
 * pdm.lock: `[[package]]` tables with name, version and (lock_version ≥ 4) `files` hashes;
 * older locks keep hashes in `[metadata.files]` under "name version" keys. Since lock_version
 * 4.4 each package lists its `groups`; "default" is the production group. The other groups are
 * dev-dependency groups or optional-dependency (extra) groups, which the lock does not tell
 * apart: a package outside "default" gets no dev flag rather than a guess.
 */

const NAME = 'pdm.lock';

function resolvedOf(pkg: Record<string, unknown>): string | undefined {
  const git = stringOf(pkg.git);
  if (git !== undefined) {
    const rev = stringOf(pkg.revision) ?? stringOf(pkg.ref);
    return rev === undefined ? `git+${git}` : `git+${git}@${rev}`;
  }
  return stringOf(pkg.url);
}

export function parsePdmLock(file: AnalyzerFile): AnalyzerResult {
  const doc = parseTomlFile(file.path, file.content, 'a pdm.lock');
  const metadata = isRecord(doc.metadata) ? doc.metadata : undefined;
  if (doc.package === undefined && metadata === undefined) throw new CatalogError('MALFORMED_FILE', `${file.path} has neither [[package]] nor [metadata]: not a pdm.lock`);
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
    const groups = Array.isArray(pkg.groups) ? pkg.groups : undefined;
    const dev = groups?.includes('default') === true ? false : undefined;
    const hashes = [...hashesOf(pkg.files), ...hashesOf(legacyFiles[`${name} ${version}`])];
    packages.push(lockDraft(file.path, pythonPdmLockAnalyzer.name, { name, version, dev, hashes, resolved: resolvedOf(pkg) }));
  });
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const pythonPdmLockAnalyzer: Analyzer = {
  name: 'python-pdm-lock',
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith(`/${NAME}`) && !insideSitePackages(path),
  analyze: parsePdmLock,
};
