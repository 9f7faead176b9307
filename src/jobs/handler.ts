import type { CompletionEffect, Job, JsonValue, Store } from '../store/index.js';

/*
 * What a job handler sees. "Exactly once in effect": a job may run more than once (its worker
 * died, its lease expired), but only the run that still owns the lease can mark it succeeded. A
 * handler therefore writes its effect in one of two ways:
 *   1. through `ctx.onComplete(tx => …)`: the write commits in the same transaction that marks the
 *      job succeeded, and is rolled back if the lease was lost meanwhile; or
 *   2. idempotently, keyed by the job id (or by content: an upsert, a replace-by-key), so a repeated
 *      run overwrites rather than duplicates.
 * Inside an `onComplete` effect use only `tx` (on SQLite the store's one connection is held by the
 * transaction, so a call through `ctx.store` there would wait forever).
 */

export interface JobContext {
  /** Aborted when the lease is lost or the worker is shutting down past its grace period. */
  readonly signal: AbortSignal;
  /** Extends the lease now (the worker also does so on a timer); throws JobError LEASE_LOST when it is gone. */
  heartbeat(): Promise<void>;
  readonly store: Store;
  readonly now: () => Date;
  readonly workerId: string;
  readonly log: (message: string) => void;
  /** Registers a write committed atomically with the job's completion (see above). */
  onComplete(effect: CompletionEffect): void;
}

/** Returns the job's result (stored as JSON); throw to fail the attempt (JobError NO_RETRY / INVALID_INPUT: no retry). */
export type JobHandler = (job: Job, ctx: JobContext) => Promise<JsonValue | undefined>;

export type HandlerRegistry = Readonly<Record<string, JobHandler>>;
