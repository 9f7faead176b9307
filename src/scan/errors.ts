import { StellaError } from '../common/index.js';

export type ScanErrorCode =
  /** A layer fragment (uploaded by a CI builder, or read back from the store) has the wrong shape. */
  | 'BAD_FRAGMENT'
  /** A fragment was made by other analyzers (names or versions) than this server runs. */
  | 'FRAGMENT_ANALYZERS'
  /** What to scan is malformed or unsupported (no path or reference, an unknown SBOM type). */
  | 'BAD_TARGET'
  /** The scan (or its upload) is not in the store. */
  | 'NOT_FOUND'
  /** Advisory data could not be read (snapshot folder missing, store unreachable). */
  | 'ADVISORIES';

export class ScanError extends StellaError<ScanErrorCode> {
  constructor(code: ScanErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ScanError';
  }
}

export function isScanError(value: unknown): value is ScanError {
  return value instanceof ScanError;
}
