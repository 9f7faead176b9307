import type { PackageDraft } from '../../../inventory/index.js';
import type { Analyzer, AnalyzerFile, AnalyzerResult } from '../../analyzer.js';
import { hashesOf, insideSitePackages, lockDraft, readPackageTables, stringOf } from './common.js';

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
  const { entries, legacyFiles, issues } = readPackageTables(file.path, file.content, 'a pdm.lock');
  const packages: PackageDraft[] = entries.map(({ pkg, name, version }) => {
    const groups = Array.isArray(pkg.groups) ? pkg.groups : undefined;
    const dev = groups?.includes('default') === true ? false : undefined;
    const hashes = [...hashesOf(pkg.files), ...hashesOf(legacyFiles[`${name} ${version}`])];
    return lockDraft(file.path, pythonPdmLockAnalyzer.name, { name, version, dev, hashes, resolved: resolvedOf(pkg) });
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
