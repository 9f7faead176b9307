import { isScanError, scanJobHandler, type ScanJobOptions } from '../scan/index.js';
import type { JsonValue, Store } from '../store/index.js';
import { JobError } from './errors.js';
import type { JobHandler } from './handler.js';

/*
 * `scan`: adapts the scan service's job function (src/scan/job.ts) to the queue. Its effect is
 * idempotent, keyed by the scan id: the results and the scan's status are written in one
 * transaction, and a scan already finished is skipped, so a re-run after a lost lease overwrites
 * instead of adding. A malformed payload or a scan missing from the store cannot get better by
 * retrying: the job goes straight to dead.
 */

export type ScanRunDeps = Omit<ScanJobOptions, 'now'>;

export function scanRunHandler(deps: ScanRunDeps): JobHandler {
  const perStore = new WeakMap<Store, ReturnType<typeof scanJobHandler>>();
  return async (job, ctx) => {
    let run = perStore.get(ctx.store);
    if (run === undefined) {
      run = scanJobHandler(ctx.store, { ...deps, now: ctx.now });
      perStore.set(ctx.store, run);
    }
    try {
      const result = await run(job.payload, { attempt: job.attempts, maxAttempts: job.maxAttempts });
      return { ...result } as JsonValue;
    } catch (error) {
      if (isScanError(error) && (error.code === 'BAD_TARGET' || error.code === 'NOT_FOUND')) {
        throw new JobError('INVALID_INPUT', `scan job ${job.id}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  };
}
