import type { Job, JobFilter, JsonValue, Store } from '../store/index.js';
import { JobError } from './errors.js';

/*
 * The producer side of the queue, used by the API (scan uploads, feed triggers), the scheduler and
 * the CLI. Stateless: everything lives in the store, so any API node may enqueue and any worker
 * may run the job.
 */

export interface EnqueueOptions {
  /** Not before this time (default: now). */
  readonly runAt?: Date;
  /** Default 5. */
  readonly maxAttempts?: number;
  /** Idempotent enqueue: while a job with this key exists (in any state), enqueue returns it instead. */
  readonly dedupeKey?: string;
}

export interface EnqueueResult {
  readonly job: Job;
  /** False when `dedupeKey` named an existing job. */
  readonly created: boolean;
}

export interface ScheduleOptions {
  readonly payload?: JsonValue;
  readonly maxAttempts?: number;
}

export interface JobQueue {
  enqueue(kind: string, payload: JsonValue, options?: EnqueueOptions): Promise<EnqueueResult>;
  get(id: number): Promise<Job | undefined>;
  /** Newest first. */
  list(filter?: JobFilter): Promise<Job[]>;
  /** Cancels a queued, failed or running job; false when it does not exist or already finished. */
  cancel(id: number): Promise<boolean>;
  /**
   * One tick of a periodic schedule: makes sure the current period (`everyMs`, aligned to the Unix
   * epoch) has its one instance of `kind`. The dedupe key is `schedule:<kind>:<period start>`, so any
   * number of nodes ticking in the same period enqueue it once; and while an earlier instance has
   * not started yet, no new one is added (at most one pending instance). Returns the job enqueued,
   * or undefined when there was nothing to do.
   */
  schedule(kind: string, everyMs: number, options?: ScheduleOptions): Promise<Job | undefined>;
}

export interface JobQueueOptions {
  readonly store: Store;
  readonly now?: () => Date;
  /** Called after a job is created (in-process mode: wake the local worker). */
  readonly onEnqueue?: (job: Job) => void;
}

/** The start of the period of length `everyMs` containing `at` (periods aligned to the Unix epoch). */
export function periodStart(at: Date, everyMs: number): Date {
  return new Date(Math.floor(at.getTime() / everyMs) * everyMs);
}

export function scheduleKey(kind: string, start: Date): string {
  return `schedule:${kind}:${start.toISOString()}`;
}

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  const queue: JobQueue = {
    async enqueue(kind, payload, enqueueOptions = {}) {
      const result = await store.jobs.enqueue(
        {
          kind,
          payload,
          ...(enqueueOptions.runAt === undefined ? {} : { runAt: enqueueOptions.runAt }),
          ...(enqueueOptions.maxAttempts === undefined ? {} : { maxAttempts: enqueueOptions.maxAttempts }),
          ...(enqueueOptions.dedupeKey === undefined ? {} : { dedupeKey: enqueueOptions.dedupeKey }),
        },
        now(),
      );
      if (result.created) options.onEnqueue?.(result.job);
      return result;
    },
    get: (id) => store.jobs.get(id),
    list: (filter) => store.jobs.list(filter),
    cancel: (id) => store.jobs.cancel(id, now()),
    async schedule(kind, everyMs, scheduleOptions = {}) {
      if (!Number.isInteger(everyMs) || everyMs < 1000) {
        throw new JobError('INVALID_INPUT', `a schedule period must be a whole number of milliseconds ≥ 1000, got ${String(everyMs)}`);
      }
      const start = periodStart(now(), everyMs);
      const key = scheduleKey(kind, start);
      const pending = await store.jobs.list({ kind, status: ['queued', 'failed'], limit: 1000 });
      if (pending.some((j) => j.dedupeKey !== null && j.dedupeKey.startsWith(`schedule:${kind}:`))) return undefined;
      const result = await queue.enqueue(kind, scheduleOptions.payload ?? null, {
        runAt: start,
        dedupeKey: key,
        ...(scheduleOptions.maxAttempts === undefined ? {} : { maxAttempts: scheduleOptions.maxAttempts }),
      });
      return result.created ? result.job : undefined;
    },
  };
  return queue;
}
