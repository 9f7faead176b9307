import { StellaError } from '../../../common/index.js';

/**
 * MALFORMED_DATABASE: the database file as a whole cannot be read (bad magic, meta page, schema).
 * MALFORMED_RECORD: one stored record (a header blob, a BDB overflow chain, an NDB blob) is damaged;
 * the other records are still read.
 */
export type RpmdbErrorCode = 'MALFORMED_DATABASE' | 'MALFORMED_RECORD';

export class RpmdbError extends StellaError<RpmdbErrorCode> {
  constructor(code: RpmdbErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RpmdbError';
  }
}

/** One record of a package store: the header blob, or why it could not be had. */
export type RpmdbRecord =
  | { readonly instance: number; readonly blob: Uint8Array }
  | { readonly instance: number; readonly error: string };
