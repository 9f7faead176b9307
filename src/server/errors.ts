import { STATUS_CODES } from 'node:http';
import { Type } from '@fastify/type-provider-typebox';
import { isStellaError, StellaError } from '../common/index.js';
import type { ApiErrorBody } from './context.js';

/*
 * The one place that maps errors to HTTP: every error response is an ApiErrorBody with one of these
 * codes. Routes throw ApiError; errors from fastify (bad JSON, too large, schema validation) and
 * typed errors from lower modules are translated here; anything else is a 500 whose message never
 * leaves the process (it is logged, the client gets "internal error").
 */

export const API_ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export class ApiError extends StellaError<ApiErrorCode> {
  readonly statusCode: number;
  readonly details: unknown;
  /** Extra response headers (e.g. Retry-After with RATE_LIMITED). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: { cause?: unknown; details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.statusCode = API_ERROR_STATUS[code];
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** TypeBox schema of ApiErrorBody (registered as the shared schema `ApiError`). */
export const ApiErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: Object.keys(API_ERROR_STATUS).join(', ') }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ApiError', title: 'ApiError', description: 'The one error shape of every error response' },
);

export function errorBody(code: ApiErrorCode, message: string, details?: unknown): ApiErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/**
 * Typed errors of lower modules that mean something to a client, by `name:code`. A typed error
 * not listed that declares a 4xx `statusCode` maps by that status; anything else is INTERNAL.
 */
const DOMAIN_ERRORS: Readonly<Record<string, ApiErrorCode>> = {
  'StoreError:CLOSED': 'UNAVAILABLE',
  'StoreError:OPEN_FAILED': 'UNAVAILABLE',
  'StoreError:INVALID_INPUT': 'VALIDATION',
  'StoreError:TOO_LARGE': 'PAYLOAD_TOO_LARGE',
  'StoreError:NOT_FOUND': 'NOT_FOUND',
  'FeedError:BAD_OPTION': 'VALIDATION',
  'QuotaError:QUOTA_EXCEEDED': 'RATE_LIMITED',
};

/** fastify's own client errors (FST_ERR_*), by code. */
const FASTIFY_ERRORS: Readonly<Record<string, ApiErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_VALIDATION: 'VALIDATION',
};

export interface MappedError {
  status: number;
  body: ApiErrorBody;
  headers: Readonly<Record<string, string>>;
  /** True for 5xx: the caller logs the original error. */
  internal: boolean;
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  validation?: { instancePath?: string; message?: string; keyword?: string; params?: unknown }[];
  validationContext?: string;
  message?: unknown;
}

/** Maps any thrown value to the status, body and headers of the response. */
export function mapError(error: unknown): MappedError {
  if (isApiError(error)) {
    return {
      status: error.statusCode,
      body: errorBody(error.code, error.message, error.details),
      headers: error.headers,
      internal: error.statusCode >= 500 && error.code === 'INTERNAL',
    };
  }
  if (isStellaError(error)) {
    const code = DOMAIN_ERRORS[`${error.name}:${error.code}`] ?? codeOfStatus((error as { statusCode?: unknown }).statusCode);
    if (code !== undefined) return plain(code, error.message);
    return internalError();
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as FastifyLikeError;
  if (Array.isArray(e.validation)) {
    const where = typeof e.validationContext === 'string' ? e.validationContext : 'request';
    const details = e.validation.map((v) => ({ in: where, path: v.instancePath ?? '', message: v.message ?? 'invalid' }));
    return plain('VALIDATION', `invalid ${where}: ${details.map((d) => `${d.path || '/'} ${d.message}`).join('; ')}`, details);
  }
  const fastifyCode = typeof e.code === 'string' ? FASTIFY_ERRORS[e.code] : undefined;
  if (fastifyCode !== undefined) return plain(fastifyCode, safeMessage(e.message, fastifyCode));
  // Other fastify client errors carry a 4xx statusCode and a message written for clients.
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (typeof e.code === 'string' && e.code.startsWith('FST_ERR_') && status >= 400 && status < 500) {
    return { status, body: errorBody(status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', safeMessage(e.message, 'BAD_REQUEST')), headers: {}, internal: false };
  }
  return internalError();
}

/** A typed error that declares a 4xx `statusCode` is a client error: its code by that status. */
function codeOfStatus(status: unknown): ApiErrorCode | undefined {
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const byStatus: Record<number, ApiErrorCode> = {
    401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 409: 'CONFLICT',
    413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED',
  };
  return byStatus[status] ?? 'BAD_REQUEST';
}

function plain(code: ApiErrorCode, message: string, details?: unknown): MappedError {
  return { status: API_ERROR_STATUS[code], body: errorBody(code, message, details), headers: {}, internal: code === 'INTERNAL' };
}

function internalError(): MappedError {
  return plain('INTERNAL', 'internal error');
}

function safeMessage(message: unknown, code: ApiErrorCode): string {
  return typeof message === 'string' && message !== '' ? message.slice(0, 500) : (STATUS_CODES[API_ERROR_STATUS[code]] ?? code);
}
