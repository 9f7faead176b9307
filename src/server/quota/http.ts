import type { FastifyReply, FastifyRequest } from 'fastify';
import type { QuotaDecision, ServerContext } from '../context.js';
import { ApiError } from '../errors.js';

/**
 * The quota headers every scan response carries:
 * - `X-Stella-Quota-Remaining`: scans left today at full speed (0 once throttling starts);
 * - `X-Stella-Quota-Reset`: when the count resets, the next UTC midnight as ISO 8601
 *   (`2024-01-02T00:00:00Z`);
 * - `X-Stella-Quota-Reminder: 1` when the UI should show the reminder banner (absent otherwise).
 */
export function quotaHeaders(reply: FastifyReply, decision: QuotaDecision): void {
  reply.headers(headersOf(decision));
}

/** The quota headers as a record (what `quotaHeaders` sets). */
export function headersOf(decision: QuotaDecision): Record<string, string> {
  return {
    'x-stella-quota-remaining': String(decision.remaining),
    'x-stella-quota-reset': decision.resetAt.toISOString().replace('.000Z', 'Z'),
    ...(decision.reminder ? { 'x-stella-quota-reminder': '1' } : {}),
  };
}

/**
 * Counts one scan for the caller, sets the quota headers, then either waits (5 s or 60 s, through
 * `ctx.sleep`) or throws ApiError RATE_LIMITED (429, `details.reason` QUOTA_EXCEEDED) carrying
 * `Retry-After` = the seconds left until the next UTC midnight, and the quota headers. Call it
 * first thing in a scan-creating route.
 */
export async function applyQuota(request: FastifyRequest, reply: FastifyReply, ctx: Pick<ServerContext, 'quota' | 'sleep'>): Promise<QuotaDecision> {
  const decision = await ctx.quota.consume(request.principal);
  quotaHeaders(reply, decision);
  if (!decision.allowed) {
    const retryAfter = String(decision.retryAfterSeconds);
    reply.header('retry-after', retryAfter);
    throw new ApiError('RATE_LIMITED', `today's scan quota is used up; it resets at ${decision.resetAt.toISOString()}`, {
      details: { reason: 'QUOTA_EXCEEDED', resetAt: decision.resetAt.toISOString(), retryAfterSeconds: decision.retryAfterSeconds },
      headers: { 'retry-after': retryAfter, ...headersOf(decision) },
    });
  }
  if (decision.waitMs > 0) await ctx.sleep(decision.waitMs);
  return decision;
}
