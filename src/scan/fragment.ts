import type { Analyzer, AnalyzerResult, FileInfo } from '../catalog/index.js';
import { CatalogError } from '../catalog/index.js';
import type { ScanIssue } from '../inventory/index.js';
import type { RawLayer } from '../image/index.js';

/** Bump when the fragment layout changes: old cache entries are then ignored. */
export const FRAGMENT_SCHEMA = 2;

export interface FragmentFile {
  readonly path: string;
  readonly analyzer: string;
  readonly result: AnalyzerResult;
}

/**
 * What one layer contributes, reduced to what the merge needs: analyzer results for the files
 * analyzers wanted, and the layer's links and deletions. JSON-serializable; cached per diffID.
 */
export interface LayerFragment {
  readonly schema: number;
  /** diffID of the layer, or "dir:" for a root filesystem directory. */
  readonly layer: string;
  /** Analyzer names and versions that produced it, e.g. "apk@1,dpkg@1". */
  readonly analyzers: string;
  readonly files: readonly FragmentFile[];
  readonly symlinks: ReadonlyArray<readonly [string, string]>;
  readonly whiteouts: readonly string[];
  readonly opaqueDirs: readonly string[];
  readonly issues: readonly ScanIssue[];
}

export function analyzerFingerprint(analyzers: readonly Analyzer[]): string {
  return analyzers.map((a) => `${a.name}@${a.version}`).sort().join(',');
}

export function wantedBy(analyzers: readonly Analyzer[]): (path: string, info?: FileInfo) => boolean {
  return (path, info) => analyzers.some((a) => a.wants(path, info));
}

export function maxFileSizeFor(analyzers: readonly Analyzer[]): (path: string, info?: FileInfo) => number {
  return (path, info) => Math.max(0, ...analyzers.filter((a) => a.wants(path, info)).map((a) => a.maxFileSize));
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Runs every interested analyzer on every captured file; one bad file is an issue, not a failure. */
export function buildFragment(layer: string, raw: RawLayer, analyzers: readonly Analyzer[]): LayerFragment {
  const files: FragmentFile[] = [];
  const issues: ScanIssue[] = [];
  for (const path of [...raw.files.keys()].sort(byText)) {
    const content = raw.files.get(path) as Buffer;
    const info: FileInfo = { size: content.length, mode: raw.modes.get(path) ?? 0 };
    for (const analyzer of analyzers) {
      if (!analyzer.wants(path, info)) continue;
      try {
        const result = analyzer.analyze({ path, content });
        files.push({ path, analyzer: analyzer.name, result });
      } catch (error) {
        if (!(error instanceof CatalogError)) throw error;
        issues.push({ code: error.code, message: error.message, layer, path });
      }
    }
  }
  for (const skipped of raw.skipped) {
    issues.push({ code: 'FILE_TOO_LARGE', message: `${skipped.path}: ${skipped.size} bytes is over the ${skipped.limit}-byte limit; not analyzed`, layer, path: skipped.path });
  }
  return {
    schema: FRAGMENT_SCHEMA,
    layer,
    analyzers: analyzerFingerprint(analyzers),
    files,
    symlinks: [...raw.symlinks.entries()].sort((a, b) => byText(a[0], b[0])),
    whiteouts: [...raw.whiteouts].sort(byText),
    opaqueDirs: [...raw.opaqueDirs].sort(byText),
    issues,
  };
}
