import { StellaError } from '../common/index.js';

export type StoreErrorCode =
  /** The database URL names no dialect this build supports (neither SQLite nor `postgres://`). */
  | 'BAD_URL'
  /** An option or argument is malformed (for example a PostgreSQL schema name that is not an identifier). */
  | 'INVALID_INPUT'
  /** The database could not be opened or reached. */
  | 'OPEN_FAILED'
  /** A schema migration failed; the database is left at the last migration that succeeded. */
  | 'MIGRATION_FAILED'
  /** The store was used after `close()`. */
  | 'CLOSED'
  /** An upload blob grew past its size limit (nothing of it is kept). */
  | 'TOO_LARGE'
  /** A blob (or one of its chunks) is not in the store, or not complete. */
  | 'NOT_FOUND'
  /** A blob read back does not hash to what was stored. */
  | 'CORRUPT';

export class StoreError extends StellaError<StoreErrorCode> {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

export function isStoreError(value: unknown): value is StoreError {
  return value instanceof StoreError;
}
