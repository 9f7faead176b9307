import { StellaError } from '../../common/index.js';

export type TrivyDbErrorCode =
  /** The output directory exists and is not empty (an export never mixes with old files). */
  | 'OUT_NOT_EMPTY'
  /** No export clock: no `now`, no SOURCE_DATE_EPOCH and the store has never merged. */
  | 'NO_CLOCK'
  /** SOURCE_DATE_EPOCH, `now`, `updateIntervalMs` or another option is malformed. */
  | 'BAD_OPTION'
  /** The delta base is not a Trivy DB export (no oci/index.json, no manifest tagged "2"…). */
  | 'BAD_BASE'
  /** A stored advisory is not valid JSON or not a canonical Advisory. */
  | 'BAD_RECORD'
  /** The store merged while the export read it: the DB would mix two states. */
  | 'STORE_CHANGED';

export class TrivyDbError extends StellaError<TrivyDbErrorCode> {
  constructor(code: TrivyDbErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TrivyDbError';
  }
}

export function isTrivyDbError(value: unknown): value is TrivyDbError {
  return value instanceof TrivyDbError;
}
