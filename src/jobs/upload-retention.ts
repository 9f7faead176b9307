import type { JobHandler } from './handler.js';

/*
 * `upload-retention`, scheduled hourly by `stella serve`: removes uploads nothing will read (see
 * ScanStore.deleteAbandonedBlobs) once they are older than a day. An upload is normally removed in
 * the transaction that stores its scan's results; this sweeps up after a process that died mid-upload
 * or between storing an upload and recording its scan, so the store does not grow by abandoned
 * image archives.
 */

export const UPLOAD_RETENTION_JOB = 'upload-retention';

/** Uploads younger than this are never swept: they may still be streaming in (24 h = 1 GiB at 12 KiB/s). */
export const UPLOAD_MAX_AGE_MS = 24 * 3_600_000;

export interface UploadRetentionDeps {
  /** Default UPLOAD_MAX_AGE_MS. */
  readonly uploadMaxAgeMs?: number;
}

export function uploadRetentionHandler(deps: UploadRetentionDeps = {}): JobHandler {
  return async (_job, ctx) => {
    const before = new Date(ctx.now().getTime() - (deps.uploadMaxAgeMs ?? UPLOAD_MAX_AGE_MS));
    const removed = await ctx.store.scans.deleteAbandonedBlobs(before);
    ctx.log(`upload retention: ${removed.incomplete} incomplete and ${removed.unreferenced} unreferenced uploads from before ${before.toISOString()} removed`);
    return { ...removed, before: before.toISOString() };
  };
}
