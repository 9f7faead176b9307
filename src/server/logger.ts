import type { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/*
 * The application log (pino, JSON lines on stderr). It never carries a client IP or a credential:
 * the request serializer keeps method, path and id only (no remoteAddress, no headers, no query),
 * errors are reduced to type/code/message/stack (Node's HTTP parser errors carry the raw request
 * bytes, Authorization header included, in `rawPacket`), and credential-looking fields are redacted
 * wherever a caller puts them. The per-request record with the IP is the access log's job, which
 * forgets the IP after 7 days.
 */

export interface CreateLoggerOptions {
  level?: string;
  /** Default: process.stderr. */
  destination?: Writable;
}

/** Credentials, and the headers a proxy puts client IPs in, wherever a caller logs them. */
const SENSITIVE = ['authorization', 'cookie', '["set-cookie"]', 'token', 'password', '["x-forwarded-for"]', '["x-real-ip"]', 'forwarded'];

export const REDACTED_PATHS = [...new Set(SENSITIVE.flatMap((key) => {
  const dotted = key.startsWith('[') ? key : `.${key}`;
  return [key.startsWith('[') ? `headers${key}` : key, `*${dotted}`, `headers${dotted}`, `*.headers${dotted}`];
}))];

interface RequestLike {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  routeOptions?: { url?: unknown };
}

/** method, route and path without the query string; never the socket's address or headers. */
export function serializeRequest(req: RequestLike): Record<string, unknown> {
  const url = typeof req.url === 'string' ? req.url : '';
  const q = url.indexOf('?');
  return {
    id: req.id,
    method: req.method,
    path: q === -1 ? url : url.slice(0, q),
    ...(typeof req.routeOptions?.url === 'string' ? { route: req.routeOptions.url } : {}),
  };
}

export function serializeResponse(res: { statusCode?: unknown }): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

/** type, code, message and stack (and the same of its cause); nothing else the error carries. */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (err.cause !== undefined && depth < 3) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest, res: serializeResponse, err: serializeError },
    },
    options.destination ?? process.stderr,
  );
}
