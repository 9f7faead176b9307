import type { Analyzer, AnalyzerResult, FileInfo } from '../catalog/index.js';
import { CatalogError } from '../catalog/index.js';
import type { ScanIssue } from '../inventory/index.js';
import type { FileConsumer, RawLayer } from '../image/index.js';

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

/**
 * Builds one layer's fragment while the layer streams past: each wanted file is analyzed as soon
 * as it is read and only the results are kept, so memory holds one file, not the layer's files.
 * One bad file is an issue, not a failure.
 */
export class FragmentBuilder implements FileConsumer {
  private readonly results = new Map<string, FragmentFile[]>();
  private readonly issues = new Map<string, ScanIssue[]>();

  constructor(private readonly layer: string, private readonly analyzers: readonly Analyzer[]) {}

  file(path: string, content: Buffer, mode: number): void {
    const info: FileInfo = { size: content.length, mode };
    const files: FragmentFile[] = [];
    const issues: ScanIssue[] = [];
    for (const analyzer of this.analyzers) {
      if (!analyzer.wants(path, info)) continue;
      try {
        files.push({ path, analyzer: analyzer.name, result: analyzer.analyze({ path, content }) });
      } catch (error) {
        if (!(error instanceof CatalogError)) throw error;
        issues.push({ code: error.code, message: error.message, layer: this.layer, path });
      }
    }
    this.results.set(path, files);
    this.issues.set(path, issues);
  }

  forget(path: string): void {
    this.results.delete(path);
    this.issues.delete(path);
  }

  // A hardlink declares what its target declares, at its own path.
  link(path: string, target: string): void {
    const files = this.results.get(target);
    if (files === undefined) return;
    const relocate = (result: AnalyzerResult): AnalyzerResult => (result.packages === undefined ? result
      : { ...result, packages: result.packages.map((p) => (p.location === target ? { ...p, location: path } : p)) });
    this.results.set(path, files.map((f) => ({ ...f, path, result: relocate(f.result) })));
    this.issues.set(path, []);
  }

  finish(raw: RawLayer): LayerFragment {
    for (const [path, content] of raw.files) this.file(path, content, raw.modes.get(path) ?? 0);
    const paths = [...this.results.keys()].sort(byText);
    const issues = paths.flatMap((path) => this.issues.get(path) ?? []);
    for (const skipped of raw.skipped) {
      issues.push({ code: 'FILE_TOO_LARGE', message: `${skipped.path}: ${skipped.size} bytes is over the ${skipped.limit}-byte limit; not analyzed`, layer: this.layer, path: skipped.path });
    }
    return {
      schema: FRAGMENT_SCHEMA,
      layer: this.layer,
      analyzers: analyzerFingerprint(this.analyzers),
      files: paths.flatMap((path) => this.results.get(path) ?? []),
      symlinks: [...raw.symlinks.entries()].sort((a, b) => byText(a[0], b[0])),
      whiteouts: [...raw.whiteouts].sort(byText),
      opaqueDirs: [...raw.opaqueDirs].sort(byText),
      issues,
    };
  }
}

/** A fragment from a walk that kept its files (no streaming consumer). */
export function buildFragment(layer: string, raw: RawLayer, analyzers: readonly Analyzer[]): LayerFragment {
  return new FragmentBuilder(layer, analyzers).finish(raw);
}
