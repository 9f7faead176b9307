import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ApiError, createLogger, startServer, type Principal, type RunningServer, type Scope, type ServerPart, type StartServerOptions } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';

/*
 * Real servers on 127.0.0.1 port 0 for the server tests: a fresh SQLite store under a temporary
 * $STELLA_HOME, the start banner and the application log captured, no signal handlers.
 */

export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * Sets a principal holding `scopes` and enforces route scopes (403), the way the auth part does,
 * so route tests do not depend on tokens.
 */
export function principalPart(scopes: readonly Scope[]): ServerPart {
  return (app) => {
    app.addHook('onRequest', async (request) => {
      const principal: Principal = { anonymous: true, tokenHash: null, scopes: new Set(scopes), quotaKey: 'f'.repeat(64) };
      request.principal = principal;
      const scope = request.routeOptions.config.scope;
      if (scope !== undefined && !principal.scopes.has(scope)) throw new ApiError('FORBIDDEN', `needs scope ${scope}`);
    });
  };
}

export interface TestServer {
  server: RunningServer;
  home: string;
  store: Store;
  banner: Capture;
  log: Capture;
  dispose(): Promise<void>;
}

export async function startTestServer(options: Partial<StartServerOptions> & { home?: string } = {}): Promise<TestServer> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'stella-server-'));
  const store = options.store ?? (await openStore({ stellaHome: home, url: `sqlite:${join(home, 'stella.db')}` }));
  const banner = new Capture();
  const log = new Capture();
  let server: RunningServer;
  try {
    server = await startServer({
      port: 0,
      handleSignals: false,
      logger: createLogger({ destination: log }),
      stderr: banner,
      ...options,
      stellaHome: home,
      store,
    });
  } catch (error) {
    if (options.store === undefined) await store.close();
    if (options.home === undefined) rmSync(home, { recursive: true, force: true });
    throw error;
  }
  return {
    server, home, store, banner, log,
    async dispose() {
      await server.close();
      if (options.home === undefined) rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  method?: string;
  /** Sent as is (no normalization of `..`). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Trusted certificate for https URLs (the server's own). */
  ca?: string;
}

/** One request over a fresh connection (https with `ca` verification, or plain http). */
export function send(baseUrl: string, options: RequestOptions): Promise<Response> {
  const url = new URL(baseUrl);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)({
      host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path,
      headers: { connection: 'close', ...options.headers }, agent: false,
      ...(secure ? { ca: options.ca } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: <T>() => JSON.parse(text) as T });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The security headers every response must carry (values as the issue states them). */
export function assertSecurityHeaders(assert: { equal(a: unknown, b: unknown, m?: string): void; match(a: string, r: RegExp, m?: string): void }, headers: IncomingHttpHeaders, what: string): void {
  assert.equal(headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', `${what}: HSTS`);
  assert.match(String(headers['content-security-policy']), /^default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'/, `${what}: CSP`);
  assert.equal(headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.equal(headers['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
  assert.equal(headers['cross-origin-opener-policy'], 'same-origin', `${what}: COOP`);
  assert.match(String(headers['permissions-policy']), /camera=\(\).*geolocation=\(\).*microphone=\(\)/, `${what}: Permissions-Policy`);
}
