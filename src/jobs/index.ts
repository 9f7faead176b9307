/*
 * Jobs (issue 8): a store-backed queue with leases, retries and a periodic scheduler.
 *
 *   const queue = createJobQueue({ store, onEnqueue: () => worker.wake() });
 *   const worker = startWorker({ store, handlers: jobHandlers(deps), signal });   // in process (SQLite)
 *   await queue.enqueue('feed-run', { source: 'osv' });
 *   void runScheduler({ queue, schedules: [{ kind: 'access-log-retention', everyMs: 3_600_000 }], signal });
 *
 * On PostgreSQL, `stella worker` processes run `runWorker` instead.
 */
export { JobError, isJobError, type JobErrorCode } from './errors.js';
export type { HandlerRegistry, JobContext, JobHandler } from './handler.js';
export {
  createJobQueue, periodStart, scheduleKey,
  type EnqueueOptions, type EnqueueResult, type JobQueue, type JobQueueOptions, type ScheduleOptions,
} from './queue.js';
export { runScheduler, type Schedule, type SchedulerOptions } from './scheduler.js';
export {
  defaultWorkerId, retryDelay, runWorker, startWorker, type WorkerHandle, type WorkerOptions, type WorkerSummary,
} from './worker.js';
export { feedRunHandler, parseFeedRunPayload, type FeedRunDeps, type FeedRunPayload } from './feed-run.js';
export { JOB_KINDS, jobHandlers, type HandlerDeps } from './handlers.js';
export { scanRunHandler, type ScanRunDeps } from './scan-run.js';
export { UPLOAD_MAX_AGE_MS, UPLOAD_RETENTION_JOB, uploadRetentionHandler, type UploadRetentionDeps } from './upload-retention.js';
export type { Job, JobFilter, JobStatus } from '../store/index.js';
