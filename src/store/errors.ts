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
  | 'CLOSED';

export class StoreError extends StellaError<StoreErrorCode> {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

export function isStoreError(value: unknown): value is StoreError {
  return value instanceof StoreError;
}
