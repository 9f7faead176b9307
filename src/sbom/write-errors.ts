import { StellaError } from '../common/index.js';

export type SbomWriteErrorCode = 'unknown-format' | 'invalid-clock' | 'invalid-namespace-base';

/** Raised before anything is written: the inputs to a writer are unusable as given. */
export class SbomWriteError extends StellaError<SbomWriteErrorCode> {
  constructor(code: SbomWriteErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'SbomWriteError';
  }
}
