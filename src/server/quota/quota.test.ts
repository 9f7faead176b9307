import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { authTestApp, PROBE_SCANS } from '../../../test/support/auth-app.js';
import { forEachDialect, withStore } from '../../../test/support/store-targets.js';
import { Authority } from '../authority/index.js';
import type { Principal } from '../context.js';
import { ANONYMOUS_POLICY, createQuotaLedger, decide, nextUtcMidnight, TOKEN_POLICY, utcDay, waitFor } from './index.js';

const key = (name: string) => createHash('sha256').update(name).digest('hex');
const anonymous = (name: string): Principal => ({ anonymous: true, tokenHash: null, scopes: new Set(['scan', 'read']), quotaKey: key(name) });
const withToken = (name: string): Principal => ({ anonymous: false, tokenHash: key(name), scopes: new Set(['scan']), quotaKey: key(name) });

function tally(values: readonly (number | string)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

describe('quota policy', () => {
  test('33 free, 30 at 5 s, 30 at 60 s, then refused (anonymous)', () => {
    const waits = Array.from({ length: 100 }, (_, i) => waitFor(ANONYMOUS_POLICY, i + 1));
    assert.deepEqual(tally(waits.map((w) => (w === null ? 'refused' : w))), { 0: 33, 5000: 30, 60000: 30, refused: 7 });
    assert.equal(waitFor(ANONYMOUS_POLICY, 33), 0);
    assert.equal(waitFor(ANONYMOUS_POLICY, 34), 5000);
    assert.equal(waitFor(ANONYMOUS_POLICY, 63), 5000);
    assert.equal(waitFor(ANONYMOUS_POLICY, 64), 60000);
    assert.equal(waitFor(ANONYMOUS_POLICY, 93), 60000);
    assert.equal(waitFor(ANONYMOUS_POLICY, 94), null);
    assert.equal(waitFor(TOKEN_POLICY, 333), 0);
    assert.equal(waitFor(TOKEN_POLICY, 334), 5000);
    assert.equal(waitFor(TOKEN_POLICY, 363), 5000);
    assert.equal(waitFor(TOKEN_POLICY, 364), 60000);
    assert.equal(waitFor(TOKEN_POLICY, 393), 60000);
    assert.equal(waitFor(TOKEN_POLICY, 394), null);
  });

  test('reminder past 90 % anonymous (scan 30) and past 200 with a token', () => {
    const at = new Date('2024-03-10T12:00:00Z');
    assert.equal(decide(ANONYMOUS_POLICY, 29, at).reminder, false);
    assert.equal(decide(ANONYMOUS_POLICY, 30, at).reminder, true);
    assert.equal(decide(TOKEN_POLICY, 200, at).reminder, false);
    assert.equal(decide(TOKEN_POLICY, 201, at).reminder, true);
  });

  test('reset at the next UTC midnight; Retry-After counts the seconds to it', () => {
    assert.equal(nextUtcMidnight(new Date('2024-03-10T18:30:15Z')).toISOString(), '2024-03-11T00:00:00.000Z');
    assert.equal(nextUtcMidnight(new Date('2024-03-11T00:00:00Z')).toISOString(), '2024-03-12T00:00:00.000Z');
    assert.equal(nextUtcMidnight(new Date('2024-12-31T23:59:59.999Z')).toISOString(), '2025-01-01T00:00:00.000Z');
    assert.equal(utcDay(new Date('2024-02-29T23:59:59.999Z')), '2024-02-29');
    const d = decide(ANONYMOUS_POLICY, 94, new Date('2024-03-10T18:30:15Z'));
    assert.equal(d.allowed, false);
    assert.equal(d.retryAfterSeconds, 5 * 3600 + 29 * 60 + 45);
    assert.equal(decide(ANONYMOUS_POLICY, 94, new Date('2024-03-10T23:59:59.250Z')).retryAfterSeconds, 1);
  });
});

await forEachDialect('quota ledger', (dialect, factory) => {
  describe(`quota ledger on ${dialect}`, () => {
    test('100 concurrent consumes on one key count exactly', () =>
      withStore(factory, async (store) => {
        const now = () => new Date('2024-03-10T12:00:00Z');
        const ledger = createQuotaLedger(store, { now });
        const anon = anonymous('198.51.100.7');
        const decisions = await Promise.all(Array.from({ length: 100 }, () => ledger.consume(anon)));
        assert.equal(await store.authority.peekQuota('2024-03-10', anon.quotaKey), 100);
        assert.deepEqual(tally(decisions.map((d) => (d.allowed ? d.waitMs : 'refused'))), { 0: 33, 5000: 30, 60000: 30, refused: 7 });
        // Each count 1..100 was handed out exactly once: the 33 free ones left 32..0 remaining.
        assert.deepEqual(decisions.filter((d) => d.waitMs === 0 && d.allowed).map((d) => d.remaining).sort((a, b) => a - b), Array.from({ length: 33 }, (_, i) => i));
        const token = withToken('ci');
        const tokenDecisions = await Promise.all(Array.from({ length: 100 }, () => ledger.consume(token)));
        assert.ok(tokenDecisions.every((d) => d.allowed && d.waitMs === 0));
        assert.deepEqual(tokenDecisions.map((d) => d.remaining).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => 233 + i));
        assert.equal((await ledger.peek(token)).remaining, 233);
        assert.equal(await store.authority.peekQuota('2024-03-10', anon.quotaKey), 100, 'keys do not mix');
      }));

    test('peek does not count; a new UTC day starts from zero; only hashes are accepted as keys', () =>
      withStore(factory, async (store) => {
        let t = Date.parse('2024-03-10T23:59:59.000Z');
        const ledger = createQuotaLedger(store, { now: () => new Date(t) });
        const anon = anonymous('192.0.2.1');
        for (let i = 0; i < 29; i++) await ledger.consume(anon);
        const peek = await ledger.peek(anon);
        assert.deepEqual({ ...peek, resetAt: peek.resetAt.toISOString() }, {
          allowed: true, remaining: 4, resetAt: '2024-03-11T00:00:00.000Z', retryAfterSeconds: 1, reminder: false, waitMs: 0,
        });
        assert.equal((await ledger.consume(anon)).reminder, true, 'scan 30 of 33');
        for (let i = 0; i < 63; i++) await ledger.consume(anon);
        assert.equal((await ledger.consume(anon)).allowed, false);
        assert.equal((await ledger.peek(anon)).allowed, false);
        t = Date.parse('2024-03-11T00:00:00.000Z');
        const fresh = await ledger.consume(anon);
        assert.equal(fresh.allowed, true);
        assert.equal(fresh.remaining, 32);
        assert.equal(fresh.reminder, false);
        assert.equal(fresh.retryAfterSeconds, 86_400);
        await assert.rejects(ledger.consume({ ...anon, quotaKey: '192.0.2.1' }), /SHA-256/);
        await assert.rejects(ledger.consume({ ...anon, quotaKey: key('x').toUpperCase() }), /SHA-256/);
      }));

    test('over real HTTP: 100 concurrent scans count exactly, wait 5 s ×30 then 60 s ×30, then 429', () =>
      withStore(factory, async (store) => {
        const t = await authTestApp(store, '2024-03-10T18:30:15Z');
        try {
          await t.app.listen({ host: '127.0.0.1', port: 0 });
          const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
          const post = (headers: Record<string, string> = {}) =>
            fetch(`${base}${PROBE_SCANS}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
          const responses = await Promise.all(Array.from({ length: 100 }, () => post()));
          const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Record<string, unknown>>));
          assert.deepEqual(tally(responses.map((r) => r.status)), { 200: 93, 429: 7 });
          assert.deepEqual(tally(t.sleeps), { 5000: 30, 60000: 30 });
          const ipKey = await new Authority(store).hashIp('127.0.0.1');
          assert.equal(await store.authority.peekQuota('2024-03-10', ipKey), 100);
          for (const [i, r] of responses.entries()) {
            assert.equal(r.headers.get('x-stella-quota-reset'), '2024-03-11T00:00:00Z');
            assert.match(r.headers.get('x-stella-quota-remaining') ?? '', /^\d+$/);
            if (r.status !== 429) continue;
            assert.equal(r.headers.get('retry-after'), String(5 * 3600 + 29 * 60 + 45));
            assert.equal(r.headers.get('x-stella-quota-remaining'), '0');
            assert.equal(r.headers.get('x-stella-quota-reminder'), '1');
            assert.equal(r.headers.get('content-security-policy')?.startsWith("default-src 'self'"), true);
            assert.deepEqual((bodies[i] as { error: { code: string; details: unknown } }).error.code, 'RATE_LIMITED');
          }
          assert.equal(responses.filter((r) => r.headers.get('x-stella-quota-reminder') === '1').length, 100 - 29);

          // With a token: its own ledger row, 333 a day.
          const { token, hash } = await new Authority(store, { now: t.ctx.now }).issue({ scopes: ['scan'], expiresInSeconds: 3600 });
          t.sleeps.length = 0;
          const tokenResponses = await Promise.all(Array.from({ length: 100 }, () => post({ authorization: `Bearer ${token}` })));
          assert.deepEqual(tally(tokenResponses.map((r) => r.status)), { 200: 100 });
          assert.deepEqual(t.sleeps, []);
          assert.equal(await store.authority.peekQuota('2024-03-10', hash), 100);
          assert.deepEqual(tokenResponses.map((r) => Number(r.headers.get('x-stella-quota-remaining'))).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => 233 + i));
        } finally {
          await t.app.close();
        }
      }));

    test('in order: headers, reminder at scan 30, exact waits, 429 until the UTC day turns', () =>
      withStore(factory, async (store) => {
        const t = await authTestApp(store, '2024-03-10T23:00:00Z');
        try {
          const scan = () => t.app.inject({ method: 'POST', url: PROBE_SCANS, payload: {}, remoteAddress: '203.0.113.9' });
          const seen: { status: number; remaining: string | undefined; reminder: string | undefined; retry: string | undefined }[] = [];
          for (let i = 0; i < 95; i++) {
            const r = await scan();
            seen.push({ status: r.statusCode, remaining: r.headers['x-stella-quota-remaining'] as string, reminder: r.headers['x-stella-quota-reminder'] as string | undefined, retry: r.headers['retry-after'] as string | undefined });
          }
          assert.deepEqual(seen[0], { status: 200, remaining: '32', reminder: undefined, retry: undefined });
          assert.deepEqual(seen[28], { status: 200, remaining: '4', reminder: undefined, retry: undefined });
          assert.deepEqual(seen[29], { status: 200, remaining: '3', reminder: '1', retry: undefined });
          assert.deepEqual(seen[32], { status: 200, remaining: '0', reminder: '1', retry: undefined });
          assert.deepEqual(seen[93], { status: 429, remaining: '0', reminder: '1', retry: '3600' });
          assert.deepEqual(t.sleeps, [...Array<number>(30).fill(5000), ...Array<number>(30).fill(60000)]);
          t.setNow('2024-03-10T23:59:59.900Z');
          assert.equal((await scan()).headers['retry-after'], '1');
          t.setNow('2024-03-11T00:00:00.000Z');
          const next = await scan();
          assert.equal(next.statusCode, 200);
          assert.equal(next.headers['x-stella-quota-remaining'], '32');
          assert.equal(next.headers['x-stella-quota-reset'], '2024-03-12T00:00:00Z');
          // A GET under scope read is not a scan: no quota consumed.
          assert.equal((await t.app.inject({ method: 'GET', url: `${PROBE_SCANS}/1`, remoteAddress: '203.0.113.9' })).statusCode, 200);
          assert.equal(await store.authority.peekQuota('2024-03-11', await new Authority(store).hashIp('203.0.113.9')), 1);
        } finally {
          await t.app.close();
        }
      }));
  });
});
