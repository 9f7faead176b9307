import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { isRecord, nugetDraft, parseJsonFile } from './nuget.js';

/*
 * `<app>.deps.json`, written by `dotnet build/publish` next to the app: what the host loads.
 * `libraries` is the flat list ("Id/Version" → {type, serviceable, sha512, path}); `type`
 * "package" is a NuGet package, "runtimepack" the runtime a self-contained app carries
 * ("runtimepack.Microsoft.NETCore.App.Runtime.linux-x64" is the NuGet package of that id);
 * "project" (the app itself, the projects it references) and "reference"/"referenceassembly"
 * are not NuGet packages and are skipped.
 */

const FOUND_BY = 'dotnet-deps';
const RUNTIMEPACK = 'runtimepack.';

function splitKey(key: string): { id: string; version: string } | undefined {
  const slash = key.lastIndexOf('/');
  if (slash <= 0 || slash === key.length - 1) return undefined;
  return { id: key.slice(0, slash), version: key.slice(slash + 1) };
}

function toDraft(key: string, library: unknown, path: string): PackageDraft | string | undefined {
  if (!isRecord(library)) return `library "${key}" is not an object`;
  const type = library.type;
  if (type !== 'package' && type !== 'runtimepack') return undefined;
  const parts = splitKey(key);
  if (parts === undefined) return `library key "${key}" is not "Id/Version"`;
  const id = type === 'runtimepack' && parts.id.startsWith(RUNTIMEPACK) ? parts.id.slice(RUNTIMEPACK.length) : parts.id;
  const sha512 = typeof library.sha512 === 'string' && library.sha512 !== '' ? library.sha512 : undefined;
  return nugetDraft({
    id, version: parts.version, path, foundBy: FOUND_BY, evidence: 'installed',
    extra: {
      'stella:integrity': sha512,
      'stella:serviceable': typeof library.serviceable === 'boolean' ? String(library.serviceable) : undefined,
      'stella:nuget-library-type': type,
    },
  });
}

export function parseDepsJson(file: AnalyzerFile): AnalyzerResult {
  const doc = parseJsonFile(file.path, file.content, 'a .NET deps.json');
  if (!isRecord(doc) || (!isRecord(doc.targets) && !isRecord(doc.libraries))) {
    throw new CatalogError('MALFORMED_FILE', `${file.path} has neither "targets" nor "libraries": not a .NET deps.json`);
  }
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  for (const [key, library] of Object.entries(isRecord(doc.libraries) ? doc.libraries : {})) {
    const outcome = toDraft(key, library, file.path);
    if (typeof outcome === 'string') issues.push({ code: 'MALFORMED_RECORD', message: `deps.json entry skipped: ${outcome}`, path: file.path });
    else if (outcome !== undefined) packages.push(outcome);
  }
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const dotnetDepsAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 32 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith('.deps.json'),
  analyze: parseDepsJson,
};
