export { createQuotaLedger, pruneQuotaLedger, type QuotaLedgerOptions } from './ledger.js';
export { ANONYMOUS_POLICY, TOKEN_POLICY, decide, nextUtcMidnight, peekDecision, utcDay, waitFor, type QuotaPolicy } from './policy.js';
export { applyQuota, headersOf as quotaHeaderValues, quotaHeaders } from './http.js';
export { QuotaError, isQuotaError, type QuotaErrorCode } from './errors.js';
