import type { JsonValue } from '../store/index.js';
import type { JobQueue } from './queue.js';

export interface Schedule {
  readonly kind: string;
  readonly everyMs: number;
  readonly payload?: JsonValue;
  readonly maxAttempts?: number;
}

export interface SchedulerOptions {
  readonly queue: JobQueue;
  readonly schedules: readonly Schedule[];
  readonly signal: AbortSignal;
  /** How often to tick (default: 30 s, or the shortest period if shorter). */
  readonly tickMs?: number;
  readonly log?: (message: string) => void;
}

/**
 * Ticks every schedule until `signal` aborts. Safe to run on every node: each period's instance is
 * enqueued once (see JobQueue.schedule). A failing tick (database briefly away) is logged and
 * retried at the next tick.
 */
export async function runScheduler(options: SchedulerOptions): Promise<void> {
  const log = options.log ?? (() => undefined);
  const shortest = Math.min(...options.schedules.map((s) => s.everyMs));
  const tickMs = options.tickMs ?? Math.min(30_000, shortest);
  while (!options.signal.aborted) {
    for (const s of options.schedules) {
      try {
        const job = await options.queue.schedule(s.kind, s.everyMs, {
          ...(s.payload === undefined ? {} : { payload: s.payload }),
          ...(s.maxAttempts === undefined ? {} : { maxAttempts: s.maxAttempts }),
        });
        if (job !== undefined) log(`scheduler: enqueued ${s.kind} job ${job.id} for ${job.runAt}`);
      } catch (error) {
        log(`scheduler: ${s.kind}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await sleep(tickMs, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
