import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { isRecord, nugetDraft, parseJsonFile } from './nuget.js';

/*
 * NuGet's packages.lock.json (RestorePackagesWithLockFile): `dependencies` per target framework
 * (and per framework/RID), each id → {type Direct|Transitive|CentralTransitive|Project,
 * requested, resolved, contentHash}. contentHash is the base64 SHA-512 of the .nupkg, the same
 * hash deps.json writes as "sha512-…". A package resolved for several frameworks is reported once;
 * "Project" entries are project references, not packages. The lock says nothing about dev use.
 */

const FOUND_BY = 'nuget-lock';

interface Entry {
  id: string;
  version: string;
  direct: boolean;
  contentHash?: string;
  readonly frameworks: Set<string>;
}

function readEntry(framework: string, id: string, value: unknown, entries: Map<string, Entry>): string | undefined {
  if (!isRecord(value)) return `${framework}: "${id}" is not an object`;
  if (value.type === 'Project') return undefined;
  if (typeof value.resolved !== 'string' || value.resolved === '') return `${framework}: "${id}" has no resolved version`;
  const key = `${id.toLowerCase()}\u0000${value.resolved}`;
  const entry = entries.get(key) ?? { id, version: value.resolved, direct: false, frameworks: new Set<string>() };
  entry.direct ||= value.type === 'Direct';
  if (typeof value.contentHash === 'string' && value.contentHash !== '') entry.contentHash ??= value.contentHash;
  entry.frameworks.add(framework);
  entries.set(key, entry);
  return undefined;
}

export function parsePackagesLock(file: AnalyzerFile): AnalyzerResult {
  const doc = parseJsonFile(file.path, file.content, 'a NuGet packages.lock.json');
  if (!isRecord(doc) || !isRecord(doc.dependencies)) {
    throw new CatalogError('MALFORMED_FILE', `${file.path} has no "dependencies" object: not a NuGet packages.lock.json`);
  }
  const entries = new Map<string, Entry>();
  const issues: ScanIssue[] = [];
  for (const [framework, deps] of Object.entries(doc.dependencies)) {
    if (!isRecord(deps)) {
      issues.push({ code: 'MALFORMED_RECORD', message: `packages.lock.json framework "${framework}" skipped: not an object`, path: file.path });
      continue;
    }
    for (const [id, value] of Object.entries(deps)) {
      const problem = readEntry(framework, id, value, entries);
      if (problem !== undefined) issues.push({ code: 'MALFORMED_RECORD', message: `packages.lock.json entry skipped: ${problem}`, path: file.path });
    }
  }
  const packages: PackageDraft[] = [...entries.values()].map((e) => nugetDraft({
    id: e.id, version: e.version, path: file.path, foundBy: FOUND_BY, evidence: 'declared',
    extra: {
      'stella:integrity': e.contentHash === undefined ? undefined : `sha512-${e.contentHash}`,
      'stella:direct': String(e.direct),
      'stella:target-frameworks': [...e.frameworks].sort().join(','),
    },
  }));
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const nugetLockAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 32 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith('/packages.lock.json'),
  analyze: parsePackagesLock,
};
