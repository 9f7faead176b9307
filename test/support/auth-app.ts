import { Writable } from 'node:stream';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { accessLogPart } from '../../src/server/access-log/index.js';
import { authPart, tokenRoutesPart } from '../../src/server/authority/index.js';
import { buildApp, createLogger, type ServerContext, type ServerPart } from '../../src/server/index.js';
import { applyQuota, createQuotaLedger } from '../../src/server/quota/index.js';
import type { Store } from '../../src/store/index.js';

/*
 * The real app (buildApp) with the safeguard parts and a probe scan route that does what the scan
 * route does first: applyQuota. The clock is settable, the throttling waits are recorded instead
 * of slept, and the application log is captured.
 */

export const PROBE_SCANS = '/api/v1/probe-scans';

export interface AuthTestApp {
  app: FastifyInstance;
  ctx: ServerContext;
  /** Every ctx.sleep(ms) call, in call order. */
  sleeps: number[];
  setNow(iso: string | Date): void;
  /** Everything the pino logger wrote so far. */
  logText(): string;
}

const probeScans: ServerPart = (app, ctx) => {
  app.post(PROBE_SCANS, { config: { scope: 'scan' }, schema: { body: Type.Object({}) } }, async (request, reply) => {
    const decision = await applyQuota(request, reply, ctx);
    return { remaining: decision.remaining, waitMs: decision.waitMs, reminder: decision.reminder };
  });
  app.get('/api/v1/probe-scans/:id', { config: { scope: 'read' } }, async () => ({ ok: true }));
  app.get('/api/v1/whoami', { config: { scope: 'read' } }, async (request) => ({
    anonymous: request.principal.anonymous,
    tokenHash: request.principal.tokenHash,
    scopes: [...request.principal.scopes].sort(),
    quotaKey: request.principal.quotaKey,
  }));
  app.get('/api/v1/boom', { config: { scope: 'read' } }, async () => {
    throw new Error('kaboom');
  });
};

export async function authTestApp(store: Store, startIso: string): Promise<AuthTestApp> {
  let t = Date.parse(startIso);
  const now = () => new Date(t);
  const sleeps: number[] = [];
  const log: Buffer[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      log.push(Buffer.from(chunk));
      callback();
    },
  });
  const ctx: ServerContext = {
    store,
    stellaHome: '/nonexistent',
    now,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    logger: createLogger({ level: 'trace', destination }),
    runJobsInProcess: false,
    quota: createQuotaLedger(store, { now }),
    maxUploadBytes: 1024 * 1024,
  };
  const app = await buildApp(ctx, [authPart, accessLogPart, tokenRoutesPart, probeScans]);
  return {
    app,
    ctx,
    sleeps,
    setNow: (iso) => void (t = typeof iso === 'string' ? Date.parse(iso) : iso.getTime()),
    logText: () => Buffer.concat(log).toString('utf8'),
  };
}
