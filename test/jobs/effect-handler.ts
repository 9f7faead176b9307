import type { JobHandler } from '../../src/jobs/index.js';
import { writeEffect } from '../support/job-effects.js';

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}

/** The acceptance test's job: writes one effect row (job id, worker) in the completion transaction, after a short pause. */
export function effectHandler(sleepMs: number): JobHandler {
  return async (job, ctx) => {
    ctx.onComplete(writeEffect(job.id, ctx.workerId));
    await pause(sleepMs, ctx.signal);
    return { worker: ctx.workerId };
  };
}

/** `handler` with a pause before and after it, so a kill can land before, during or after its work. */
export function paced(handler: JobHandler, sleepMs: number): JobHandler {
  return async (job, ctx) => {
    await pause(sleepMs / 2, ctx.signal);
    const result = await handler(job, ctx);
    await pause(sleepMs / 2, ctx.signal);
    return result;
  };
}
