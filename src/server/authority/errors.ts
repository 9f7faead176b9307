import { StellaError } from '../../common/index.js';
import { ApiError, type ApiErrorCode } from '../errors.js';

export type AuthorityErrorCode =
  /** Not a token this instance signed: malformed, bad signature, wrong issuer or claims. */
  | 'INVALID_TOKEN'
  /** Correctly signed but past its `exp`. */
  | 'TOKEN_EXPIRED'
  /** Revoked, or unknown to this instance's token table. */
  | 'TOKEN_REVOKED'
  /** The caller's scopes do not include the one the route requires. */
  | 'INSUFFICIENT_SCOPE'
  /** A malformed scope list, expiry, label or token reference. */
  | 'INVALID_INPUT'
  /** No token has that hash (or hash prefix). */
  | 'TOKEN_NOT_FOUND'
  /** A hash prefix matches more than one token. */
  | 'AMBIGUOUS_TOKEN';

const STATUS: Record<AuthorityErrorCode, number> = {
  INVALID_TOKEN: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  INSUFFICIENT_SCOPE: 403,
  INVALID_INPUT: 400,
  TOKEN_NOT_FOUND: 404,
  AMBIGUOUS_TOKEN: 400,
};

export class AuthorityError extends StellaError<AuthorityErrorCode> {
  /** The HTTP status this error answers with (fastify reads `statusCode`). */
  readonly statusCode: number;

  constructor(code: AuthorityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'AuthorityError';
    this.statusCode = STATUS[code];
  }
}

export function isAuthorityError(value: unknown): value is AuthorityError {
  return value instanceof AuthorityError;
}

const API_CODE: Record<AuthorityErrorCode, ApiErrorCode> = {
  INVALID_TOKEN: 'UNAUTHORIZED',
  TOKEN_EXPIRED: 'UNAUTHORIZED',
  TOKEN_REVOKED: 'UNAUTHORIZED',
  INSUFFICIENT_SCOPE: 'FORBIDDEN',
  INVALID_INPUT: 'VALIDATION',
  TOKEN_NOT_FOUND: 'NOT_FOUND',
  AMBIGUOUS_TOKEN: 'BAD_REQUEST',
};

/**
 * The API error for an authority error: the one error shape, with the precise reason in
 * `details.reason` and, for 401/403, the RFC 6750 `WWW-Authenticate` challenge.
 */
export function toApiError(error: AuthorityError, requiredScope?: string): ApiError {
  const headers: Record<string, string> = {};
  if (error.statusCode === 401) headers['www-authenticate'] = `Bearer error="invalid_token", error_description="${error.code.toLowerCase()}"`;
  if (error.code === 'INSUFFICIENT_SCOPE') headers['www-authenticate'] = `Bearer error="insufficient_scope", scope="${requiredScope ?? ''}"`;
  return new ApiError(API_CODE[error.code], error.message, { cause: error, details: { reason: error.code }, headers });
}
