import type { Store } from '../../store/index.js';
import type { Principal, QuotaDecision, QuotaLedger } from '../context.js';
import { ANONYMOUS_POLICY, decide, peekDecision, TOKEN_POLICY, utcDay, type QuotaPolicy } from './policy.js';
import { QuotaError } from './errors.js';

export interface QuotaLedgerOptions {
  now?: () => Date;
  /** Default ANONYMOUS_POLICY (33 a day). */
  anonymous?: QuotaPolicy;
  /** Default TOKEN_POLICY (333 a day). */
  token?: QuotaPolicy;
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * The store-backed ledger: one row per (UTC day, key hash) holding a count, incremented by a single
 * atomic upsert, so every API node shares it and it is exact under concurrent requests.
 */
export function createQuotaLedger(store: Store, options: QuotaLedgerOptions = {}): QuotaLedger {
  const now = options.now ?? (() => new Date());
  const policyOf = (principal: Principal): QuotaPolicy =>
    principal.anonymous ? (options.anonymous ?? ANONYMOUS_POLICY) : (options.token ?? TOKEN_POLICY);
  return {
    async consume(principal: Principal): Promise<QuotaDecision> {
      const at = now();
      const count = await store.authority.consumeQuota(utcDay(at), keyOf(principal));
      return decide(policyOf(principal), count, at);
    },
    async peek(principal: Principal): Promise<QuotaDecision> {
      const at = now();
      const count = await store.authority.peekQuota(utcDay(at), keyOf(principal));
      return peekDecision(policyOf(principal), count, at);
    },
  };
}

// The ledger must never hold a plain IP or token: only a 64-hex-digit hash is accepted as a key.
function keyOf(principal: Principal): string {
  if (!HASH.test(principal.quotaKey)) throw new QuotaError('BAD_KEY', 'a quota key must be a SHA-256 hex digest (never a plain IP or token)');
  return principal.quotaKey;
}

/** Deletes ledger rows of days before yesterday (UTC); returns how many. */
export function pruneQuotaLedger(store: Store, now: Date): Promise<number> {
  return store.authority.pruneQuota(utcDay(new Date(now.getTime() - 86_400_000)));
}
