export { buildApp, DEFAULT_BODY_LIMIT, type BuildAppOptions } from './app.js';
export { defaultParts, defaultQuota, type DefaultPartsOptions } from './compose.js';
export {
  SCOPES, type ApiErrorBody, type Principal, type QuotaDecision, type QuotaLedger, type RouteScopeConfig, type Scope,
  type ServerContext, type ServerPart,
} from './context.js';
export { API_ERROR_STATUS, ApiError, ApiErrorSchema, errorBody, isApiError, mapError, type ApiErrorCode } from './errors.js';
export { DOCS_PREFIX, SECURITY_HEADERS, securityHeadersFor } from './headers.js';
export { createLogger, serializeError, serializeRequest, type CreateLoggerOptions } from './logger.js';
export { advisoryRoutes } from './routes/advisories.js';
export { exportRoutes } from './routes/exports.js';
export { feedRoutes, type EnqueueJob, type FeedJobPayload, type FeedRoutesOptions } from './routes/feeds.js';
export { startServer, type RunningServer, type StartServerOptions } from './serve.js';
export {
  ensureSelfSignedCertificate, fingerprintOf, resolveTls, TlsError,
  type ResolvedTls, type ResolveTlsOptions, type SelfSignedCertificate, type TlsErrorCode, type TlsProvider, type TlsProviderContext, type TlsServerOptions,
} from './tls.js';
export {
  ANONYMOUS_SCOPES, Authority, AuthorityError, authorityFor, authPart, createAuthPart, isAuthorityError, normalizeScopes, parseDuration,
  parseScopes, tokenRoutesPart,
  type AuthorityErrorCode, type AuthorityOptions, type AuthPartOptions, type IssuedToken, type IssueRequest, type TokenInfo, type VerifiedToken,
} from './authority/index.js';
export {
  ANONYMOUS_POLICY, applyQuota, createQuotaLedger, pruneQuotaLedger, quotaHeaders, TOKEN_POLICY,
  type QuotaLedgerOptions, type QuotaPolicy,
} from './quota/index.js';
export {
  ACCESS_LOG_RETENTION_JOB, accessLogPart, accessLogRetentionJob, runAccessLogRetention,
  type AccessLogRetentionOptions, type AccessLogRetentionResult,
} from './access-log/index.js';
export { startStellaServer, stellaJobHandlers, type StellaServer, type StellaServerOptions } from './runtime.js';
export { issueAdminToken, seedAdvisories, seedScan } from './seed.js';
export { parseTrustProxy, TrustProxyError, type TrustProxy, type TrustProxyErrorCode } from './trust-proxy.js';
