import { StellaError } from '../common/index.js';

export type ReportErrorCode = 'unknown-format' | 'invalid-clock' | 'unknown-package';

export class ReportError extends StellaError<ReportErrorCode> {
  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ReportError';
  }
}
