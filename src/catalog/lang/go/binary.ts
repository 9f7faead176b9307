import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import type { Analyzer, AnalyzerFile, AnalyzerResult, FileInfo } from '../../analyzer.js';
import { EXECUTABLE_MAX_SIZE, openExecutables, wantsExecutable } from '../binary/index.js';
import { readRawBuildInfo, type RawBuildInfo } from './buildinfo.js';
import { parseModinfo, type GoModule } from './modinfo.js';
import { goDraft, isDirectoryPath, stdlibVersion } from './package.js';

/*
 * Go executables (ELF, PE, Mach-O, each slice of a fat Mach-O until one has build info): the
 * modules `go version -m` lists, as installed packages —
 *  - the main module (`mod` line), version as written, "(devel)" included, marked stella:go-main;
 *  - each dependency (`dep`); a module replacement (`=>` path version) is reported as the
 *    replacement, the original kept in stella:go-replaced-path / -version; a directory
 *    replacement ("./staging/src/k8s.io/api") is no module: the original path is reported with the
 *    replacement's version "(devel)", the directory in stella:go-replace-dir;
 *  - the toolchain as module `stdlib`, version "v1.19.8" from "go1.19.8" (raw in stella:go-toolchain).
 * stella:project is the main module path, so a go.mod of the same module (declaring) and the
 * binary (installed) reconcile; without a main module (GOPATH builds) it is the binary's own path.
 */

const NAME = 'go-binary';

interface Context {
  readonly location: string;
  readonly project: string;
}

function moduleDraft(mod: GoModule, ctx: Context, extra: Record<string, string>): PackageDraft {
  const properties: Record<string, string> = { 'stella:evidence': 'installed', 'stella:project': ctx.project, ...extra };
  const replace = mod.replace;
  if (replace === undefined) {
    if (mod.sum !== '') properties['stella:integrity'] = mod.sum;
    return goDraft(mod.path, mod.version, ctx.location, NAME, properties);
  }
  properties['stella:go-replaced-path'] = mod.path;
  properties['stella:go-replaced-version'] = mod.version;
  if (isDirectoryPath(replace.path)) {
    properties['stella:go-replace-dir'] = replace.path;
    return goDraft(mod.path, replace.version, ctx.location, NAME, properties);
  }
  if (replace.sum !== '') properties['stella:integrity'] = replace.sum;
  return goDraft(replace.path, replace.version, ctx.location, NAME, properties);
}

function stdlibDraft(goVersion: string, ctx: Context): PackageDraft {
  const version = stdlibVersion(goVersion) ?? '(devel)';
  return goDraft('stdlib', version, ctx.location, NAME, {
    'stella:evidence': 'installed', 'stella:project': ctx.project, 'stella:go-toolchain': goVersion,
  });
}

/** The packages of one Go build: main module, dependencies, stdlib. */
export function goBuildPackages(raw: RawBuildInfo, location: string): AnalyzerResult {
  const info = parseModinfo(raw.modinfo);
  const ctx: Context = { location, project: info.main?.path ?? location };
  const packages: PackageDraft[] = [];
  if (info.main !== undefined && info.main.path !== '') packages.push(moduleDraft(info.main, ctx, { 'stella:go-main': 'true' }));
  for (const dep of info.deps) packages.push(moduleDraft(dep, ctx, {}));
  packages.push(stdlibDraft(raw.goVersion, ctx));
  const issues: ScanIssue[] = info.errors.map((e) => ({ code: 'MALFORMED_RECORD', message: `Go build info ${e}; line skipped`, path: location }));
  return issues.length > 0 ? { packages, issues } : { packages };
}

export function analyzeGoBinary(file: AnalyzerFile): AnalyzerResult {
  for (const exe of openExecutables(file.content)) {
    const raw = readRawBuildInfo(exe);
    if (raw !== undefined) return goBuildPackages(raw, file.path);
  }
  return {};
}

export const goBinaryAnalyzer: Analyzer = {
  name: NAME,
  version: 1,
  maxFileSize: EXECUTABLE_MAX_SIZE,
  wants: (_path: string, info?: FileInfo): boolean => wantsExecutable(info),
  analyze: analyzeGoBinary,
};
