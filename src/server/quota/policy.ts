import type { QuotaDecision } from '../context.js';

/*
 * The quota policy (issue 8), as a pure function of "this is scan number n today":
 *
 *   n ≤ limit                            served at once
 *   limit < n ≤ limit + 30               served after 5 s
 *   limit + 30 < n ≤ limit + 30 + 30     served after 60 s
 *   n > limit + 60                       429, Retry-After = seconds to the next UTC midnight
 *
 * Where "a client that keeps going" turns into 429: after a second block of 30 throttled scans
 * (the 60 s ones). Two reasons for a count rather than "a scan sent while the previous one still
 * waits": the ledger may hold only (day, key hash, count), so it has no per-client timestamps, and
 * a count gives every API node the same answer for the same request without shared clocks. By then
 * the client has been told 60 times (Remaining: 0) and has spent 2.5 min + 30 min being slowed
 * down; 30 more full minutes of held connections is the most a client may cost us per day.
 *
 * Limits: 33 scans a day anonymous, 333 with a token. Reminder banner once past 200 for a token,
 * past 90 % of the limit (scan 30 of 33) anonymous. Scans refused with 429 still count (the count
 * is of scan requests): the answer stays 429 until the day turns.
 */
export interface QuotaPolicy {
  readonly limit: number;
  /** The reminder shows once the count is past this (200 for tokens, 29.7 anonymous). */
  readonly reminderAfter: number;
  readonly slowScans: number;
  readonly slowWaitMs: number;
  readonly slowerScans: number;
  readonly slowerWaitMs: number;
}

export const TOKEN_POLICY: QuotaPolicy = { limit: 333, reminderAfter: 200, slowScans: 30, slowWaitMs: 5_000, slowerScans: 30, slowerWaitMs: 60_000 };
export const ANONYMOUS_POLICY: QuotaPolicy = { ...TOKEN_POLICY, limit: 33, reminderAfter: 33 * 0.9 };

const DAY_MS = 86_400_000;

/** The UTC day `now` falls in, as YYYY-MM-DD (the ledger's day key). */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** The next UTC midnight after `now` (a time exactly at midnight resets at the following one). */
export function nextUtcMidnight(now: Date): Date {
  return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
}

/** The wait for scan number `n` today, or null when it is refused. */
export function waitFor(policy: QuotaPolicy, n: number): number | null {
  const over = n - policy.limit;
  if (over <= 0) return 0;
  if (over <= policy.slowScans) return policy.slowWaitMs;
  if (over <= policy.slowScans + policy.slowerScans) return policy.slowerWaitMs;
  return null;
}

/**
 * The decision for scan number `n` (counted: n is the count including this scan). `remaining` is
 * what is left at full speed after it; `retryAfterSeconds` is always the time to the reset (it is
 * what Retry-After carries when `allowed` is false).
 */
export function decide(policy: QuotaPolicy, n: number, now: Date): QuotaDecision {
  const resetAt = nextUtcMidnight(now);
  const wait = waitFor(policy, n);
  return {
    allowed: wait !== null,
    remaining: Math.max(0, policy.limit - n),
    resetAt,
    retryAfterSeconds: Math.ceil((resetAt.getTime() - now.getTime()) / 1000),
    reminder: n > policy.reminderAfter,
    waitMs: wait ?? 0,
  };
}

/**
 * The state after `count` scans, without counting one: `remaining` and `reminder` describe now,
 * `allowed` and `waitMs` what the next scan would get.
 */
export function peekDecision(policy: QuotaPolicy, count: number, now: Date): QuotaDecision {
  const next = decide(policy, count + 1, now);
  return { ...next, remaining: Math.max(0, policy.limit - count), reminder: count > policy.reminderAfter };
}
