import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Type } from '@fastify/type-provider-typebox';
import { StellaError } from '../common/index.js';
import { openStore, StoreError } from '../store/index.js';
import { buildApp } from './app.js';
import type { QuotaLedger, ServerContext, ServerPart } from './context.js';
import { ApiError, mapError } from './errors.js';
import { createLogger, serializeError, serializeRequest } from './logger.js';
import { Writable } from 'node:stream';

/* buildApp's guarantees, in process (fastify inject): checked route declarations, fail-closed scopes, one error mapping. */

const unusedQuota: QuotaLedger = {
  consume: () => Promise.reject(new Error('quota is not part of these tests')),
  peek: () => Promise.reject(new Error('quota is not part of these tests')),
};

async function context(): Promise<ServerContext> {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  return {
    store: await openStore({ url: ':memory:' }), stellaHome: '/nonexistent', now: () => new Date(0), sleep: async () => undefined,
    logger: createLogger({ destination: sink }), runJobsInProcess: true, quota: unusedQuota, maxUploadBytes: 1024,
  };
}

async function withApp(parts: ServerPart[], fn: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<void>): Promise<void> {
  const ctx = await context();
  try {
    const app = await buildApp(ctx, parts);
    await app.ready();
    await fn(app);
    await app.close();
  } finally {
    await ctx.store.close();
  }
}

describe('buildApp', () => {
  test('an /api/v1 route without config.scope cannot be registered', async () => {
    const ctx = await context();
    try {
      await assert.rejects(buildApp(ctx, [(app) => {
        app.get('/api/v1/unscoped', async () => ({}));
      }]), /GET \/api\/v1\/unscoped must declare config\.scope/);
    } finally {
      await ctx.store.close();
    }
  });

  test('a POST route without a body schema cannot be registered, unless it streams its body', async () => {
    const ctx = await context();
    try {
      await assert.rejects(buildApp(ctx, [(app) => {
        app.post('/api/v1/x', { config: { scope: 'scan' } }, async () => ({}));
      }]), /takes a body: declare schema\.body/);
      const app = await buildApp(ctx, [(a) => {
        a.post('/api/v1/upload', { config: { scope: 'scan', streamedBody: true } }, async () => ({}));
        a.post('/api/v1/json', { config: { scope: 'scan' }, schema: { body: Type.Object({}) } }, async () => ({}));
      }]);
      await app.close();
    } finally {
      await ctx.store.close();
    }
  });

  test('without an auth part, scoped routes refuse to run (401) and public ones answer', async () => {
    await withApp([(app) => {
      app.get('/api/v1/thing', { config: { scope: 'read' } }, async () => ({ ran: true }));
    }], async (app) => {
      const res = await app.inject({ url: '/api/v1/thing' });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'UNAUTHORIZED');
      assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    });
  });

  test('an ApiError carries its status, details and headers (Retry-After with RATE_LIMITED)', async () => {
    await withApp([(app) => {
      app.get('/limited', async () => {
        throw new ApiError('RATE_LIMITED', 'come back tomorrow', { headers: { 'retry-after': '3600' }, details: { remaining: 0 } });
      });
    }], async (app) => {
      const res = await app.inject({ url: '/limited' });
      assert.equal(res.statusCode, 429);
      assert.equal(res.headers['retry-after'], '3600');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.deepEqual(res.json(), { error: { code: 'RATE_LIMITED', message: 'come back tomorrow', details: { remaining: 0 } } });
    });
  });
});

describe('mapError', () => {
  test('typed errors of lower modules map by name and code, or by a declared 4xx status; the rest is INTERNAL', () => {
    assert.deepEqual(mapError(new StoreError('CLOSED', 'the store is closed')).body, { error: { code: 'UNAVAILABLE', message: 'the store is closed' } });
    assert.equal(mapError(new StoreError('CLOSED', 'x')).status, 503);
    class LimitError extends StellaError<'OVER'> {
      readonly statusCode = 429;
    }
    assert.equal(mapError(new LimitError('OVER', 'too many')).body.error.code, 'RATE_LIMITED');
    const hidden = mapError(new StoreError('MIGRATION_FAILED', 'column x of /var/lib/secret'));
    assert.deepEqual(hidden, { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } }, headers: {}, internal: true });
    assert.equal(mapError(new TypeError('undefined is not a function')).body.error.message, 'internal error');
    assert.equal(mapError('a string').status, 500);
  });
});

describe('log serializers', () => {
  test('a request is method, path and route: no address, headers or query', () => {
    const req = {
      id: 'req-1', method: 'GET', url: '/api/v1/advisories?package=secret', routeOptions: { url: '/api/v1/advisories' },
      ip: '198.51.100.9', socket: { remoteAddress: '198.51.100.9' }, headers: { authorization: 'Bearer x' },
    };
    assert.deepEqual(serializeRequest(req), { id: 'req-1', method: 'GET', path: '/api/v1/advisories', route: '/api/v1/advisories' });
  });

  test("an error keeps type, code, message, stack and cause: not Node's rawPacket (the request bytes)", () => {
    const error = Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD', rawPacket: Buffer.from('GET / HTTP/1.1\r\nAuthorization: Bearer x') });
    const out = serializeError(new Error('outer', { cause: error })) as Record<string, unknown>;
    assert.equal(out.message, 'outer');
    const cause = out.cause as Record<string, unknown>;
    assert.deepEqual(Object.keys(cause).sort(), ['code', 'message', 'stack', 'type']);
    assert.equal(cause.code, 'HPE_INVALID_METHOD');
  });
});
