import { StellaError } from '../../common/index.js';

export type QuotaErrorCode =
  /** A quota key that is not a SHA-256 digest (a bug: plain IPs and tokens never reach the ledger). */
  'BAD_KEY';

export class QuotaError extends StellaError<QuotaErrorCode> {
  constructor(code: QuotaErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'QuotaError';
  }
}

export function isQuotaError(value: unknown): value is QuotaError {
  return value instanceof QuotaError;
}
