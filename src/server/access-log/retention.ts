import type { JobHandler } from '../../jobs/index.js';
import type { Store } from '../../store/index.js';
import { hmacIp, loadAccessLogKey } from '../authority/index.js';
import { pruneQuotaLedger } from '../quota/index.js';

/** The job kind the scheduler enqueues hourly (see accessLogRetentionJob). */
export const ACCESS_LOG_RETENTION_JOB = 'access-log-retention';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface AccessLogRetentionOptions {
  now?: () => Date;
  /** HMAC key; default: the instance's access-log key from the store. */
  key?: Buffer;
  /** Raw IPs older than this are replaced. Default 7 days. */
  maxAgeMs?: number;
  /** How often the job runs (default hourly): IPs due before the next run are replaced now. */
  intervalMs?: number;
}

export interface AccessLogRetentionResult {
  /** Rows whose raw IP was replaced by HMAC-SHA-256(key, ip). */
  hashed: number;
  /** Rows older than this (ISO-8601) hold no raw IP any more. */
  cutoff: string;
}

/**
 * Replaces the raw client IP of every access-log row older than `maxAgeMs - intervalMs` with a
 * keyed SHA-256 (HMAC under an instance secret, so the same client stays recognisable in old rows
 * without the IP being recoverable from the log alone). Running hourly, no raw IP is kept longer
 * than 7 days. Idempotent: hashed rows are not touched again.
 */
export async function runAccessLogRetention(store: Store, options: AccessLogRetentionOptions = {}): Promise<AccessLogRetentionResult> {
  const now = (options.now ?? (() => new Date()))();
  const key = options.key ?? (await loadAccessLogKey(store));
  const cutoff = new Date(now.getTime() - (options.maxAgeMs ?? 7 * DAY_MS) + (options.intervalMs ?? HOUR_MS));
  const hashed = await store.authority.hashAccessLogIps(cutoff, (ip) => hmacIp(key, ip));
  return { hashed, cutoff: cutoff.toISOString() };
}

/**
 * The hourly job: access-log retention, and quota-ledger rows of days before yesterday deleted
 * (they hold only hashes and counts, but nothing needs them once their day is over).
 */
export const accessLogRetentionJob: JobHandler = async (_job, ctx) => {
  const result = await runAccessLogRetention(ctx.store, { now: ctx.now });
  const quotaRowsPruned = await pruneQuotaLedger(ctx.store, ctx.now());
  ctx.log(`access-log retention: ${result.hashed} IPs replaced (rows before ${result.cutoff}), ${quotaRowsPruned} old quota rows pruned`);
  return { hashed: result.hashed, cutoff: result.cutoff, quotaRowsPruned };
};
