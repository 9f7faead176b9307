import { StellaError } from '../common/index.js';

/**
 * UNKNOWN_FORMAT: not an SBOM format we read; UNSUPPORTED_VERSION: a known format in a version we do
 * not read; MALFORMED: the format is known but the document is broken as a whole; TOO_LARGE: refused
 * before parsing.
 */
export type SbomReadErrorCode = 'UNKNOWN_FORMAT' | 'UNSUPPORTED_VERSION' | 'MALFORMED' | 'TOO_LARGE';

/** A whole SBOM document that cannot be read. One bad component is a ScanIssue instead. */
export class SbomError extends StellaError<SbomReadErrorCode> {
  constructor(code: SbomReadErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'SbomError';
  }
}
