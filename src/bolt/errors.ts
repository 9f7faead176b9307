import { StellaError } from '../common/index.js';

export type BoltErrorCode =
  /** Not a bbolt file: too short, bad magic, unsupported version or page size. */
  | 'INVALID_FILE'
  /** Both meta pages fail their FNV-1a checksum (one bad meta is tolerated, as bbolt does). */
  | 'CHECKSUM'
  /** A page or element points outside the file, has the wrong type or id, or a bucket value is malformed. */
  | 'CORRUPT'
  /** An empty key, a key longer than 32768 bytes, or a value put into the root bucket. */
  | 'INVALID_KEY'
  /** A key is used both as a value and as a nested bucket. */
  | 'KEY_IS_BUCKET'
  /** A value longer than bbolt's MaxValueSize, or a file past bbolt's limits. */
  | 'TOO_LARGE';

export class BoltError extends StellaError<BoltErrorCode> {
  constructor(code: BoltErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'BoltError';
  }
}
