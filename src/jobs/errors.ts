import { StellaError } from '../common/index.js';

export type JobErrorCode =
  /** A payload or option is malformed; the job is not retried. */
  | 'INVALID_INPUT'
  /** A handler says retrying cannot help (the job goes straight to dead). */
  | 'NO_RETRY'
  /** The worker no longer holds the job's lease (it expired and was reclaimed, or the job was cancelled). */
  | 'LEASE_LOST'
  /** The worker is shutting down and gave the job back. */
  | 'SHUTDOWN'
  /** No handler is registered for a kind. */
  | 'UNKNOWN_KIND';

export class JobError extends StellaError<JobErrorCode> {
  constructor(code: JobErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'JobError';
  }
}

export function isJobError(value: unknown): value is JobError {
  return value instanceof JobError;
}
