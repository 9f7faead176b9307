import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { authTestApp, PROBE_SCANS, type AuthTestApp } from '../../../test/support/auth-app.js';
import { forEachDialect, withStore } from '../../../test/support/store-targets.js';
import { Authority } from './index.js';

interface ErrorJson {
  error: { code: string; message: string; details?: { reason?: string } };
}

function denied(r: LightMyRequestResponse, status: number, code: string, reason: string): void {
  assert.equal(r.statusCode, status, r.body);
  const body = r.json<ErrorJson>();
  assert.equal(body.error.code, code);
  assert.equal(body.error.details?.reason, reason);
  assert.match(String(r.headers['www-authenticate']), /^Bearer error="(invalid_token|insufficient_scope)"/);
  assert.equal(r.headers['x-content-type-options'], 'nosniff', 'security headers on auth errors too');
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function run(t: AuthTestApp, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } finally {
    await t.app.close();
  }
}

await forEachDialect('auth hook and token API', (dialect, factory) => {
  describe(`auth hook and token API on ${dialect}`, () => {
    test('anonymous callers hold scan and read, keyed by a salted IP hash; scoped routes need a token', () =>
      withStore(factory, async (store) => {
        const t = await authTestApp(store, '2024-05-01T10:00:00Z');
        await run(t, async () => {
          const who = await t.app.inject({ method: 'GET', url: '/api/v1/whoami', remoteAddress: '198.51.100.23' });
          assert.equal(who.statusCode, 200);
          const body = who.json<{ anonymous: boolean; tokenHash: string | null; scopes: string[]; quotaKey: string }>();
          assert.deepEqual({ ...body, quotaKey: undefined }, { anonymous: true, tokenHash: null, scopes: ['read', 'scan'], quotaKey: undefined });
          assert.equal(body.quotaKey, await new Authority(store).hashIp('198.51.100.23'));
          assert.match(body.quotaKey, /^[0-9a-f]{64}$/);
          denied(await t.app.inject({ method: 'GET', url: '/api/v1/tokens' }), 403, 'FORBIDDEN', 'INSUFFICIENT_SCOPE');
          denied(await t.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { scopes: ['admin'], expires: '1y' } }), 403, 'FORBIDDEN', 'INSUFFICIENT_SCOPE');
        });
      }));

    test('admin API: create, list, revoke; a revoked token gets 401, never anonymous', () =>
      withStore(factory, async (store) => {
        const t = await authTestApp(store, '2024-05-01T10:00:00Z');
        await run(t, async () => {
          const admin = await new Authority(store, { now: t.ctx.now }).issue({ scopes: ['admin'], expiresInSeconds: 3600, label: 'bootstrap' });
          const created = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(admin.token), payload: { scopes: ['scan', 'read'], expires: '30d', label: 'ci' } });
          assert.equal(created.statusCode, 201, created.body);
          assert.equal(created.headers['cache-control'], 'no-store');
          const issued = created.json<{ token: string; hash: string; scopes: string[]; expiresAt: string; revokedAt: null }>();
          assert.deepEqual(issued.scopes, ['scan', 'read']);
          assert.equal(issued.expiresAt, '2024-05-31T10:00:00.000Z');

          const who = (await t.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer(issued.token) })).json<Record<string, unknown>>();
          assert.deepEqual(who, { anonymous: false, tokenHash: issued.hash, scopes: ['read', 'scan'], quotaKey: issued.hash });
          // Scope enforcement: a scan token is not an admin.
          denied(await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(issued.token) }), 403, 'FORBIDDEN', 'INSUFFICIENT_SCOPE');
          assert.equal((await t.app.inject({ method: 'POST', url: PROBE_SCANS, headers: bearer(issued.token), payload: {} })).statusCode, 200);

          const listed = await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(admin.token) });
          assert.equal(listed.statusCode, 200);
          const { tokens } = listed.json<{ tokens: { hash: string; label: string }[] }>();
          assert.deepEqual(tokens.map((x) => x.label).sort(), ['bootstrap', 'ci']);
          assert.ok(!listed.body.includes(issued.token) && !listed.body.includes(admin.token), 'list never shows a token');
          assert.ok(!listed.body.includes('"token"'));

          const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${issued.hash}`, headers: bearer(admin.token) });
          assert.equal(revoked.statusCode, 200);
          assert.equal(revoked.json<{ revokedAt: string }>().revokedAt, '2024-05-01T10:00:00.000Z');
          denied(await t.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer(issued.token) }), 401, 'UNAUTHORIZED', 'TOKEN_REVOKED');
          // No fallback to anonymous, even on routes anonymous callers may use.
          denied(await t.app.inject({ method: 'GET', url: '/healthz', headers: bearer(issued.token) }), 401, 'UNAUTHORIZED', 'TOKEN_REVOKED');

          const unknown = await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${'0'.repeat(64)}`, headers: bearer(admin.token) });
          assert.equal(unknown.statusCode, 404);
          assert.equal(unknown.json<ErrorJson>().error.code, 'NOT_FOUND');
          const malformed = await t.app.inject({ method: 'DELETE', url: '/api/v1/tokens/xyz', headers: bearer(admin.token) });
          assert.equal(malformed.statusCode, 400);
          for (const payload of [{ scopes: ['root'], expires: '1d' }, { scopes: [], expires: '1d' }, { scopes: ['scan'], expires: 'forever' }, { scopes: ['scan'], expires: '1d', extra: 1 }]) {
            const bad = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(admin.token), payload });
            assert.equal(bad.statusCode, 400, JSON.stringify(payload));
            assert.equal(bad.json<ErrorJson>().error.code, 'VALIDATION');
          }
        });
      }));

    test('expired, tampered and malformed credentials get 401', () =>
      withStore(factory, async (store) => {
        const t = await authTestApp(store, '2024-05-01T10:00:00Z');
        await run(t, async () => {
          const { token } = await new Authority(store, { now: t.ctx.now }).issue({ scopes: ['scan'], expiresInSeconds: 3600 });
          assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer(token) })).statusCode, 200);
          const [h, p, s] = token.split('.') as [string, string, string];
          const tampered = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
          denied(await t.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer(tampered) }), 401, 'UNAUTHORIZED', 'INVALID_TOKEN');
          denied(await t.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'UNAUTHORIZED', 'INVALID_TOKEN');
          denied(await t.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: { authorization: 'Bearer' } }), 401, 'UNAUTHORIZED', 'INVALID_TOKEN');
          denied(await t.app.inject({ method: 'GET', url: '/no/such/route', headers: bearer('x.y.z') }), 401, 'UNAUTHORIZED', 'INVALID_TOKEN');
          t.setNow('2024-05-01T11:00:00Z');
          denied(await t.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer(token) }), 401, 'UNAUTHORIZED', 'TOKEN_EXPIRED');
          denied(await t.app.inject({ method: 'POST', url: PROBE_SCANS, headers: bearer(token), payload: {} }), 401, 'UNAUTHORIZED', 'TOKEN_EXPIRED');
          assert.equal(await store.authority.peekQuota('2024-05-01', await new Authority(store).hashIp('127.0.0.1')), 0, 'a refused token never counts as an anonymous scan');
        });
      }));
  });
});
