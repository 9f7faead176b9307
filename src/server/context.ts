import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';

/*
 * The seams the server's parts are built against (issue 8). app.ts composes them; routes and hooks
 * receive a ServerContext and never reach for globals, so tests inject the clock, the wait function
 * and the store, and an API process keeps no state another node would miss (everything durable is
 * in the store).
 */

/** Token scopes (Authority). */
export const SCOPES = ['scan', 'read', 'feeds', 'offline-kit', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling, set on every request by the auth hook before any route runs. */
export interface Principal {
  /** True without a (valid) bearer token. */
  readonly anonymous: boolean;
  /** Salted SHA-256 of the token id (jti); null when anonymous. Never the token itself. */
  readonly tokenHash: string | null;
  readonly scopes: ReadonlySet<Scope>;
  /**
   * The quota key: the token hash with a token, else a salted SHA-256 of the client IP. Never a
   * plain IP.
   */
  readonly quotaKey: string;
}

/** What the quota ledger says about one more scan (see issue 8, "Quota ledger"). */
export interface QuotaDecision {
  /** false: answer 429 with Retry-After = retryAfterSeconds. */
  readonly allowed: boolean;
  /** Scans left today before throttling starts (0 when at or past the limit). */
  readonly remaining: number;
  /** Next UTC midnight (the reset), as a Date. */
  readonly resetAt: Date;
  readonly retryAfterSeconds: number;
  /** Show the reminder banner (past 200 for a token, 90 % for anonymous). */
  readonly reminder: boolean;
  /** Milliseconds to wait (via ServerContext.sleep) before serving this scan: 0, 5 s or 60 s. */
  readonly waitMs: number;
}

export interface QuotaLedger {
  /** Counts one scan for `principal` atomically (exact under concurrency on both stores). */
  consume(principal: Principal): Promise<QuotaDecision>;
  /** Current state without counting (for GET endpoints that show the banner). */
  peek(principal: Principal): Promise<QuotaDecision>;
}

export interface ServerContext {
  readonly store: Store;
  readonly stellaHome: string;
  readonly now: () => Date;
  /** The throttling waits and a submission's `?wait=` polling; tests inject a recorder instead of sleeping. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Application log (pino). Never given a raw IP or a token. */
  readonly logger: Logger;
  /** SQLite: the server runs queued jobs itself. PostgreSQL: `stella worker` processes do. */
  readonly runJobsInProcess: boolean;
  readonly quota: QuotaLedger;
  /** Largest accepted upload (image archive or SBOM), in bytes. */
  readonly maxUploadBytes: number;
}

/** A group of routes or hooks, registered by app.ts. */
export type ServerPart = (app: FastifyInstance, ctx: ServerContext) => Promise<void> | void;

/** Route option `config: { scope: 'scan' }` asks the auth hook to require that scope. */
export interface RouteScopeConfig {
  scope?: Scope;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    scope?: Scope;
    /**
     * The handler reads the request body as a stream itself (uploads) and enforces its own size
     * limit; app.ts otherwise refuses a POST/PUT/PATCH route without schema.body.
     */
    streamedBody?: boolean;
  }
}

export type { FastifyInstance, FastifyRequest };

/** The one JSON error shape every error response uses. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}
