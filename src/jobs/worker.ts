import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { CompletionEffect, Job, JobLease, Store } from '../store/index.js';
import { JobError, isJobError } from './errors.js';
import type { HandlerRegistry, JobContext } from './handler.js';

/*
 * The consumer side: `concurrency` slots each claim a job, run its handler under a lease kept
 * alive by heartbeats, and complete or fail it — only while the lease is still theirs. Stopping
 * (signal or stop()) ends claiming at once; running jobs get `graceMs` to finish, then their
 * handlers are aborted and the jobs released (queued again, due now) for another worker.
 * On SQLite the server runs this in its own process; on PostgreSQL any number of `stella worker`
 * processes do.
 */

export interface WorkerOptions {
  readonly store: Store;
  readonly handlers: HandlerRegistry;
  /** Unique per process (default: host-pid-random). */
  readonly workerId?: string;
  /** Lease length (default 60 s): a worker silent for this long is presumed dead. */
  readonly leaseMs?: number;
  /** Heartbeat period (default leaseMs / 3). */
  readonly heartbeatMs?: number;
  /** Pause after finding no job (default 1 s). */
  readonly pollMs?: number;
  /** Jobs run at once (default 1). */
  readonly concurrency?: number;
  /** Aborting it stops the worker as stop() does. */
  readonly signal?: AbortSignal;
  /** After a stop, how long running jobs may still finish (default 30 s). */
  readonly graceMs?: number;
  readonly now?: () => Date;
  /** Delay before retrying after the n-th failed attempt (default: retryDelay). */
  readonly retryDelay?: (attempt: number) => number;
  readonly log?: (message: string) => void;
  /** Stop once a claim finds nothing and no job is running (tests, draining). */
  readonly stopWhenIdle?: boolean;
}

export interface WorkerSummary {
  claimed: number;
  succeeded: number;
  /** Failed attempts with a retry scheduled. */
  retried: number;
  dead: number;
  /** Jobs whose lease was lost (expired and reclaimed, or cancelled) before they finished. */
  lost: number;
  /** Jobs given back at shutdown. */
  released: number;
}

export interface WorkerHandle {
  readonly workerId: string;
  /** Cuts the current poll pause short (in-process mode: a job was just enqueued). */
  wake(): void;
  /** Stops claiming; running jobs get `graceMs` (default: the option) to finish. Call again with 0 to force. */
  stop(graceMs?: number): Promise<WorkerSummary>;
  readonly done: Promise<WorkerSummary>;
}

const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 60 * 60_000;

/** Back-off after the n-th failed attempt: 5 s · 2^(n-1), at most an hour. */
export function retryDelay(attempt: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Runs a worker until it is stopped (signal) or, with stopWhenIdle, until the queue is empty. */
export function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  return startWorker(options).done;
}

interface Running {
  readonly lease: JobLease;
  readonly controller: AbortController;
  /** Rejects the race against the handler (lease lost, or shutdown past grace). */
  readonly abandon: (reason: JobError) => void;
}

export function startWorker(options: WorkerOptions): WorkerHandle {
  const workerId = options.workerId ?? defaultWorkerId();
  const leaseMs = options.leaseMs ?? 60_000;
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(leaseMs) && leaseMs >= 100)) throw new JobError('INVALID_INPUT', `leaseMs must be an integer ≥ 100, got ${String(leaseMs)}`);
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 256)) {
    throw new JobError('INVALID_INPUT', `concurrency must be an integer from 1 to 256, got ${String(concurrency)}`);
  }
  const state: WorkerState = {
    options,
    workerId,
    leaseMs,
    heartbeatMs: options.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 3)),
    pollMs: options.pollMs ?? 1_000,
    now: options.now ?? (() => new Date()),
    log: options.log ?? (() => undefined),
    kinds: Object.keys(options.handlers).sort(),
    stopping: new AbortController(),
    running: new Map(),
    wakers: new Set(),
    summary: { claimed: 0, succeeded: 0, retried: 0, dead: 0, lost: 0, released: 0 },
    graceTimer: undefined,
    deadline: Number.POSITIVE_INFINITY,
    finished: false,
    wakeups: 0,
  };
  const stop = (graceMs = options.graceMs ?? 30_000): void => {
    state.stopping.abort();
    wakeAll(state);
    const deadline = Date.now() + graceMs;
    if (deadline >= state.deadline) return;
    state.deadline = deadline;
    clearTimeout(state.graceTimer);
    if (Number.isFinite(graceMs) && !state.finished) {
      state.graceTimer = setTimeout(() => abandonAll(state), Math.max(0, graceMs));
      // Only running jobs need it; it must not keep a finished process alive.
      state.graceTimer.unref();
    }
  };
  if (options.signal?.aborted === true) stop();
  options.signal?.addEventListener('abort', () => stop(), { once: true });
  const done = Promise.all(Array.from({ length: concurrency }, () => slot(state))).then(() => {
    state.finished = true;
    clearTimeout(state.graceTimer);
    return { ...state.summary };
  });
  return {
    workerId,
    wake: () => wakeAll(state),
    stop: (graceMs) => {
      stop(graceMs);
      return done;
    },
    done,
  };
}

interface WorkerState {
  readonly options: WorkerOptions;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly pollMs: number;
  readonly now: () => Date;
  readonly log: (message: string) => void;
  readonly kinds: readonly string[];
  readonly stopping: AbortController;
  readonly running: Map<number, Running>;
  readonly wakers: Set<() => void>;
  readonly summary: WorkerSummary;
  graceTimer: NodeJS.Timeout | undefined;
  deadline: number;
  finished: boolean;
  /** Counts wake() calls (see pause). */
  wakeups: number;
}

function wakeAll(state: WorkerState): void {
  state.wakeups += 1;
  for (const wake of [...state.wakers]) wake();
}

function abandonAll(state: WorkerState): void {
  for (const r of state.running.values()) {
    const reason = new JobError('SHUTDOWN', `worker ${state.workerId} is stopping: job ${r.lease.id} given back`);
    r.controller.abort(reason);
    r.abandon(reason);
  }
}

/**
 * Waits `ms`, or less when woken or stopped. `since` is the wake-up count before the claim that
 * found nothing: a wake-up that came while that claim was in flight cuts the pause at once.
 */
function pause(state: WorkerState, ms: number, since: number): Promise<void> {
  if (state.stopping.signal.aborted || state.wakeups !== since) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      state.wakers.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    state.wakers.add(done);
  });
}

async function slot(state: WorkerState): Promise<void> {
  let errors = 0;
  while (!state.stopping.signal.aborted) {
    let job: Job | undefined;
    const wakeups = state.wakeups;
    try {
      job = await state.options.store.jobs.claim({ workerId: state.workerId, kinds: state.kinds, leaseMs: state.leaseMs, at: state.now() });
      errors = 0;
    } catch (error) {
      errors += 1;
      state.log(`worker ${state.workerId}: claim failed: ${message(error)}`);
      await pause(state, Math.min(30_000, state.pollMs * 2 ** Math.min(errors, 10)), wakeups);
      continue;
    }
    if (job === undefined) {
      if (state.options.stopWhenIdle === true && state.running.size === 0) {
        state.stopping.abort();
        wakeAll(state);
        break;
      }
      await pause(state, state.pollMs, wakeups);
      continue;
    }
    state.summary.claimed += 1;
    await execute(state, job);
  }
}

async function execute(state: WorkerState, job: Job): Promise<void> {
  const { store } = state.options;
  const lease: JobLease = { id: job.id, workerId: state.workerId, attempt: job.attempts };
  const controller = new AbortController();
  let abandon: (reason: JobError) => void = () => undefined;
  const abandoned = new Promise<never>((_, reject) => {
    abandon = reject;
  });
  abandoned.catch(() => undefined);
  state.running.set(job.id, { lease, controller, abandon });
  const effects: CompletionEffect[] = [];
  const heartbeat = async (): Promise<void> => {
    if (controller.signal.aborted) throw controller.signal.reason as Error;
    if (await store.jobs.heartbeat(lease, state.leaseMs, state.now())) return;
    const lost = new JobError('LEASE_LOST', `job ${job.id} attempt ${job.attempts}: the lease is no longer held by ${state.workerId}`);
    controller.abort(lost);
    abandon(lost);
    throw lost;
  };
  let beating = false;
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    heartbeat()
      .catch((error: unknown) => isJobError(error) || state.log(`worker ${state.workerId}: heartbeat of job ${job.id} failed: ${message(error)}`))
      .finally(() => {
        beating = false;
      });
  }, state.heartbeatMs);
  const ctx: JobContext = {
    signal: controller.signal,
    heartbeat,
    store,
    now: state.now,
    workerId: state.workerId,
    log: state.log,
    onComplete: (effect) => void effects.push(effect),
  };
  try {
    const handler = state.options.handlers[job.kind];
    if (handler === undefined) throw new JobError('UNKNOWN_KIND', `no handler for job kind ${JSON.stringify(job.kind)}`);
    const result = await Promise.race([handler(job, ctx), abandoned]);
    if (controller.signal.aborted) throw controller.signal.reason as Error;
    const effect: CompletionEffect | undefined = effects.length === 0 ? undefined : async (tx) => {
      for (const e of effects) await e(tx);
    };
    if (await store.jobs.complete(lease, result ?? null, state.now(), effect)) state.summary.succeeded += 1;
    else lost(state, job, 'before it could complete');
  } catch (error) {
    await settleFailure(state, job, lease, controller.signal.aborted ? (controller.signal.reason as unknown) : error);
  } finally {
    clearInterval(timer);
    state.running.delete(job.id);
  }
}

function lost(state: WorkerState, job: Job, when: string): void {
  state.summary.lost += 1;
  state.log(`worker ${state.workerId}: job ${job.id} (${job.kind}) attempt ${job.attempts}: lease lost ${when}; its effect was not written`);
}

async function settleFailure(state: WorkerState, job: Job, lease: JobLease, error: unknown): Promise<void> {
  const { store } = state.options;
  try {
    if (isJobError(error) && error.code === 'LEASE_LOST') return lost(state, job, 'while running');
    if (isJobError(error) && error.code === 'SHUTDOWN') {
      if (await store.jobs.release(lease, state.now())) state.summary.released += 1;
      state.log(`worker ${state.workerId}: released job ${job.id} (${job.kind}) at shutdown`);
      return;
    }
    const permanent = isJobError(error) && ['NO_RETRY', 'INVALID_INPUT', 'UNKNOWN_KIND'].includes(error.code);
    const retry = !permanent && job.attempts < job.maxAttempts;
    const delay = (state.options.retryDelay ?? retryDelay)(job.attempts);
    const retryAt = retry ? new Date(state.now().getTime() + delay) : null;
    const text = isJobError(error) ? `${error.code}: ${error.message}` : message(error);
    if (!(await store.jobs.fail(lease, text, retryAt, state.now()))) return lost(state, job, 'before its failure was recorded');
    if (retry) state.summary.retried += 1;
    else state.summary.dead += 1;
    state.log(`worker ${state.workerId}: job ${job.id} (${job.kind}) attempt ${job.attempts} failed: ${text}; ${retry ? `retry at ${retryAt?.toISOString() ?? ''}` : 'dead'}`);
  } catch (writeError) {
    // The store is unreachable: the lease will expire and another worker (or this one) retries.
    state.log(`worker ${state.workerId}: cannot record the outcome of job ${job.id}: ${message(writeError)}`);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
