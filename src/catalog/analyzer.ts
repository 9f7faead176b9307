import { StellaError } from '../common/index.js';
import type { Distro, PackageDraft, ScanIssue } from '../inventory/index.js';

export type CatalogErrorCode = 'MALFORMED_FILE' | 'UNSUPPORTED_FORMAT' | 'TOO_LARGE';

/** A malformed package database or manifest: it loses that file only, never the scan. */
export class CatalogError extends StellaError<CatalogErrorCode> {
  constructor(code: CatalogErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CatalogError';
  }
}

export interface FileInfo {
  readonly size: number;
  /** Permission bits (0o755…). */
  readonly mode: number;
}

/** One file handed to an analyzer: absolute, normalized path inside the image, whole content. */
export interface AnalyzerFile {
  readonly path: string;
  readonly content: Buffer;
}

/** What an OS-release-like file says, with a priority: higher wins when several files speak. */
export interface DistroHint {
  readonly distro: Distro;
  readonly priority: number;
}

export interface AnalyzerResult {
  readonly packages?: readonly PackageDraft[];
  readonly distro?: DistroHint;
  /** Problems inside the file that lost part of it (one bad stanza), not the whole. */
  readonly issues?: readonly ScanIssue[];
}

/**
 * A cataloger for one kind of file. It sees one file at a time and keeps no state, so results
 * can be computed per layer and cached by (layer diffID, analyzer name, analyzer version).
 * `analyze` throws CatalogError for a file it cannot read at all.
 */
export interface Analyzer {
  readonly name: string;
  /** Bump when the result for the same input changes: cached layer fragments are invalidated. */
  readonly version: number;
  /**
   * Cheap test called for every regular file of every layer: the path, and when known its size
   * and mode (an analyzer of Go or Rust binaries wants executables wherever they are).
   */
  wants(path: string, info?: FileInfo): boolean;
  /** Largest file this analyzer accepts (bytes); bigger files become a TOO_LARGE issue. */
  readonly maxFileSize: number;
  analyze(file: AnalyzerFile): AnalyzerResult;
}
