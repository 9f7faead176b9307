import { createJobQueue, JOB_KINDS, jobHandlers, runScheduler, startWorker, type HandlerDeps, type HandlerRegistry, type JobQueue, type WorkerHandle } from '../jobs/index.js';
import type { JsonValue } from '../store/index.js';
import { ACCESS_LOG_RETENTION_JOB, accessLogRetentionJob } from './access-log/index.js';
import { defaultParts, defaultQuota } from './compose.js';
import { startServer, type RunningServer, type StartServerOptions } from './serve.js';

/*
 * The whole `stella serve`: the API (startServer + defaultParts), the store-backed job queue its
 * routes enqueue into, the hourly access-log and upload retention schedules, and — on the embedded SQLite
 * default — an in-process worker that runs the jobs. On PostgreSQL the jobs are left to any
 * number of `stella worker` processes.
 */

const HOUR_MS = 3_600_000;

export interface StellaServerOptions extends Omit<StartServerOptions, 'parts' | 'quota' | 'beforeClose'> {
  /** Forbid feed jobs from reaching the network. */
  offline?: boolean;
  /** In-process worker concurrency (default 2). */
  workerConcurrency?: number;
  /** Scans of `{"image": ref}`: false refuses them (403); default true. */
  registryScans?: boolean;
  /** Internal registry addresses scans may reach anyway (CIDRs; see HandlerDeps.registryAllow). */
  registryAllow?: readonly string[];
}

export interface StellaServer extends RunningServer {
  readonly queue: JobQueue;
  /** The in-process worker (SQLite), if any. */
  readonly worker?: WorkerHandle;
}

/**
 * Every job kind a Stella node runs: the jobs layer's own (scan, feed-run) and the server's
 * access-log retention, which the server schedules hourly — so `stella worker` on PostgreSQL runs
 * it too.
 */
export function stellaJobHandlers(deps: HandlerDeps): HandlerRegistry {
  return { ...jobHandlers(deps), [ACCESS_LOG_RETENTION_JOB]: accessLogRetentionJob };
}

export async function startStellaServer(options: StellaServerOptions): Promise<StellaServer> {
  let queue: JobQueue | undefined;
  let worker: WorkerHandle | undefined;
  const enqueue = async (kind: string, payload: object, opts: { dedupeKey?: string } = {}): Promise<{ id: number }> => {
    if (queue === undefined) throw new Error('the job queue is not ready');
    const result = await queue.enqueue(kind, payload as JsonValue, opts);
    return { id: result.job.id };
  };
  const scheduler = new AbortController();
  let scheduling: Promise<void> = Promise.resolve();
  const running = await startServer({
    ...options,
    quota: defaultQuota,
    // Shutdown order: no new scheduled jobs, the worker finishes or releases its jobs, then the
    // server and the store close.
    beforeClose: async () => {
      scheduler.abort();
      await scheduling.catch(() => undefined);
      await worker?.stop();
    },
    parts: (ctx) => {
      queue = createJobQueue({ store: ctx.store, now: ctx.now, onEnqueue: () => worker?.wake() });
      return defaultParts({
        enqueue,
        ...(options.version === undefined ? {} : { toolVersion: options.version }),
        ...(options.registryScans === undefined ? {} : { registryScans: options.registryScans }),
      })(ctx);
    },
  });
  const { context } = running;
  const jobQueue = queue!;
  const log = (message: string): void => context.logger.info(message);
  if (context.runJobsInProcess) {
    worker = startWorker({
      store: context.store,
      now: context.now,
      concurrency: options.workerConcurrency ?? 2,
      log,
      handlers: stellaJobHandlers({
        stellaHome: context.stellaHome, ...(options.offline === undefined ? {} : { offline: options.offline }), maxSbomBytes: context.maxUploadBytes,
        ...(options.registryAllow === undefined ? {} : { registryAllow: options.registryAllow }),
      }),
    });
  }
  scheduling = runScheduler({
    queue: jobQueue,
    schedules: [{ kind: ACCESS_LOG_RETENTION_JOB, everyMs: HOUR_MS }, { kind: JOB_KINDS.uploadRetention, everyMs: HOUR_MS }],
    signal: scheduler.signal,
    log,
  });
  return { ...running, queue: jobQueue, ...(worker === undefined ? {} : { worker }) };
}
