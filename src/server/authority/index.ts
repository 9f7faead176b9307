export { Authority, normalizeScopes, parseDuration, parseScopes, type AuthorityOptions, type IssuedToken, type IssueRequest, type TokenInfo, type VerifiedToken } from './authority.js';
export { ANONYMOUS_SCOPES, authPart, authorityFor, createAuthPart, type AuthPartOptions } from './hook.js';
export { tokenRoutesPart } from './routes.js';
export { AuthorityError, isAuthorityError, type AuthorityErrorCode } from './errors.js';
export { hmacIp, loadAccessLogKey, SECRET_NAMES, TOKEN_ALG } from './secrets.js';
