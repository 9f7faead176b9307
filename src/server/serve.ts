import { createServer as createHttpsServer } from 'node:https';
import type { Writable } from 'node:stream';
import type { FastifyInstance, FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import { openStore, type Store } from '../store/index.js';
import { buildApp } from './app.js';
import type { QuotaLedger, ServerContext, ServerPart } from './context.js';
import { ApiError } from './errors.js';
import { createLogger } from './logger.js';
import { resolveTls } from './tls.js';
import type { TrustProxy } from './trust-proxy.js';

/*
 * `stella serve`: open the store, resolve TLS, build the app with the given parts, listen, and
 * close everything on SIGTERM/SIGINT (in-flight requests finish; idle keep-alive sockets close).
 */

export interface StartServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8443; 0 picks a free port. */
  port?: number;
  stellaHome: string;
  /** Default: $STELLA_DATABASE_URL, else SQLite under stellaHome. Ignored when `store` is given. */
  databaseUrl?: string;
  /** An opened store to serve (tests); closed with the server. */
  store?: Store;
  tlsCert?: string;
  tlsKey?: string;
  /** ESM module whose default export returns secure-context options (the only way to allow TLS 1.2). */
  tlsProvider?: string;
  /** Plain HTTP (logs a warning). */
  insecureHttp?: boolean;
  /** Reverse proxies trusted to name the client in X-Forwarded-For (parseTrustProxy); default none. */
  trustProxy?: TrustProxy;
  /** Registered after the core in this order (the auth hook first, then routes). */
  parts?: (ctx: ServerContext) => readonly ServerPart[] | Promise<readonly ServerPart[]>;
  /** The quota ledger over the opened store. Without one, scans answer 503 (nothing is counted). */
  quota?: (store: Store, now: () => Date) => QuotaLedger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
  /** Where the start banner (URL, certificate fingerprint, warnings) goes; default process.stderr. */
  stderr?: Writable;
  bodyLimit?: number;
  /** Default 1 GiB. */
  maxUploadBytes?: number;
  /** Default: true on SQLite, false on PostgreSQL (workers run the jobs). */
  runJobsInProcess?: boolean;
  /** Install SIGTERM/SIGINT handlers that close the server (default true). */
  handleSignals?: boolean;
  /** Runs first when the server closes (by close() or a signal): stop what uses the store. */
  beforeClose?: () => Promise<void>;
  version?: string;
}

export interface RunningServer {
  url: string;
  /** SHA-256 of the served certificate (colon hex); undefined over plain HTTP. */
  fingerprint?: string;
  app: FastifyInstance;
  context: ServerContext;
  /** Stops listening, lets in-flight requests finish, closes the store. Idempotent. */
  close(): Promise<void>;
  /** Settles when the server has closed (by close() or a signal). */
  closed: Promise<void>;
}

const DEFAULT_MAX_UPLOAD = 1024 * 1024 * 1024;

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? createLogger();
  const say = (line: string): void => {
    (options.stderr ?? process.stderr).write(`stella serve: ${line}\n`);
  };
  const now = options.now ?? (() => new Date());
  const tls = options.insecureHttp === true ? undefined : await resolveTls({
    stellaHome: options.stellaHome,
    ...(options.tlsCert === undefined ? {} : { certFile: options.tlsCert }),
    ...(options.tlsKey === undefined ? {} : { keyFile: options.tlsKey }),
    ...(options.tlsProvider === undefined ? {} : { provider: options.tlsProvider }),
    now,
  });
  const store = options.store ?? await openStore({
    ...(options.databaseUrl === undefined ? {} : { url: options.databaseUrl }),
    stellaHome: options.stellaHome,
    now,
  });
  const context: ServerContext = {
    store,
    stellaHome: options.stellaHome,
    now,
    sleep: options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms))),
    logger,
    runJobsInProcess: options.runJobsInProcess ?? store.dialect === 'sqlite',
    quota: options.quota === undefined ? missingQuota : options.quota(store, now),
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD,
  };
  let app: FastifyInstance;
  try {
    const parts = options.parts === undefined ? [] : await options.parts(context);
    const serverFactory: FastifyServerFactory | undefined =
      tls === undefined ? undefined : (handler) => createHttpsServer(tls.options, handler);
    app = await buildApp(context, parts, {
      ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
      ...(serverFactory === undefined ? {} : { serverFactory }),
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    });
    await app.listen({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 8443,
      // fastify names the scheme from its own https option, which a server factory bypasses.
      listenTextResolver: (address) => `Server listening at ${tls === undefined ? address : address.replace(/^http:/, 'https:')}`,
    });
  } catch (error) {
    if (options.store === undefined) await store.close();
    throw error;
  }
  const url = urlOf(app, tls === undefined ? 'http' : 'https');
  announce(say, logger, url, tls, options.insecureHttp === true);
  return lifecycle(app, context, url, tls?.fingerprint, options.handleSignals !== false, options.beforeClose);
}

function announce(say: (line: string) => void, logger: Logger, url: string, tls: Awaited<ReturnType<typeof resolveTls>> | undefined, insecure: boolean): void {
  if (insecure) {
    const warning = 'WARNING: serving plain HTTP (--insecure-http): tokens and data cross the network unencrypted';
    logger.warn(warning);
    say(warning);
  }
  if (tls !== undefined) {
    if (tls.provider !== undefined) {
      logger.info({ provider: tls.provider, minVersion: tls.options.minVersion }, 'TLS provider in use');
      say(`TLS provider ${tls.provider} (minimum ${String(tls.options.minVersion)})`);
    }
    const where = tls.certificate === 'generated' ? `generated ${tls.certPath ?? ''}` : tls.certificate === 'reused' ? `self-signed ${tls.certPath ?? ''}` : (tls.certPath ?? 'from the provider');
    say(`TLS certificate (${where})`);
    if (tls.fingerprint !== undefined) say(`TLS certificate SHA-256 fingerprint ${tls.fingerprint}`);
  }
  say(`listening on ${url}`);
}

function lifecycle(
  app: FastifyInstance, context: ServerContext, url: string, fingerprint: string | undefined, handleSignals: boolean,
  beforeClose: (() => Promise<void>) | undefined,
): RunningServer {
  let closing: Promise<void> | undefined;
  let settle: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    context.logger.info({ signal }, 'shutting down');
    void close();
  };
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (handleSignals) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      try {
        await beforeClose?.();
        await app.close();
      } finally {
        await context.store.close();
        settle();
      }
    })();
    return closing;
  };
  if (handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { url, ...(fingerprint === undefined ? {} : { fingerprint }), app, context, close, closed };
}

function urlOf(app: FastifyInstance, scheme: 'http' | 'https'): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on a TCP port');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
}

/** Without a ledger nothing can be counted, so scans are refused (503) rather than served uncounted. */
const missingQuota: QuotaLedger = {
  consume: () => Promise.reject(new ApiError('UNAVAILABLE', 'no quota ledger is configured on this server')),
  peek: () => Promise.reject(new ApiError('UNAVAILABLE', 'no quota ledger is configured on this server')),
};
