import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import type { Job, JobContext } from '../../jobs/index.js';
import { authTestApp, PROBE_SCANS } from '../../../test/support/auth-app.js';
import { dumpStore, findInDump } from '../../../test/support/dump-store.js';
import { forEachDialect, withStore } from '../../../test/support/store-targets.js';
import { Authority, hmacIp, loadAccessLogKey } from '../authority/index.js';
import { accessLogRetentionJob, runAccessLogRetention } from './index.js';

const IPS = ['203.0.113.77', '2001:db8::4711', '198.51.100.250', '192.0.2.144', '192.0.2.145'] as const;
const DAY = 86_400_000;

function jobContext(store: JobContext['store'], now: () => Date, log: string[]): JobContext {
  return {
    signal: new AbortController().signal,
    heartbeat: () => Promise.resolve(),
    store,
    now,
    workerId: 'test',
    log: (m) => void log.push(m),
    onComplete: () => undefined,
  };
}

await forEachDialect('access log', (dialect, factory) => {
  describe(`access log on ${dialect}`, () => {
    test('records route patterns, status, token hash and IP; after 7 days no raw IP is left anywhere', () =>
      withStore(factory, async (store, target) => {
        const start = Date.parse('2024-05-01T10:00:00Z');
        const t = await authTestApp(store, '2024-05-01T10:00:00Z');
        const issued = await new Authority(store, { now: t.ctx.now }).issue({ scopes: ['scan'], expiresInSeconds: 30 * 86_400 });
        const [a, b, c, d, e] = IPS;
        const statuses = [
          (await t.app.inject({ method: 'GET', url: '/api/v1/probe-scans/scan-id-4f7e9c?x=1', remoteAddress: a })).statusCode,
          (await t.app.inject({ method: 'POST', url: PROBE_SCANS, payload: {}, headers: { authorization: `Bearer ${issued.token}` }, remoteAddress: b })).statusCode,
          (await t.app.inject({ method: 'GET', url: '/no/such/thing?secret=zzz', remoteAddress: c })).statusCode,
          (await t.app.inject({ method: 'GET', url: '/api/v1/whoami', headers: { authorization: `Bearer ${issued.token}x` }, remoteAddress: d })).statusCode,
          (await t.app.inject({ method: 'GET', url: '/api/v1/boom', remoteAddress: e })).statusCode,
        ];
        assert.deepEqual(statuses, [200, 200, 404, 401, 500]);
        await t.app.listen({ host: '127.0.0.1', port: 0 });
        const real = await fetch(`http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/v1/whoami`);
        assert.equal(real.status, 200);
        await t.app.close(); // waits for the pending access-log writes

        // Written after each response, so not necessarily in request order.
        const rows = await store.authority.listAccessLog(0, 100);
        const byIp = (x: readonly unknown[], y: readonly unknown[]) => String(x[3]).localeCompare(String(y[3]));
        assert.deepEqual(
          rows.map((r) => [r.method, r.route, r.status, r.ip, r.tokenHash, r.ipHmac]).sort(byIp),
          [
            ['GET', '/api/v1/probe-scans/:id', 200, a, null, null],
            ['POST', PROBE_SCANS, 200, b, issued.hash, null],
            ['GET', null, 404, c, null, null],
            ['GET', '/api/v1/whoami', 401, d, null, null],
            ['GET', '/api/v1/boom', 500, e, null, null],
            ['GET', '/api/v1/whoami', 200, '127.0.0.1', null, null],
          ].sort(byIp),
        );
        assert.ok(rows.every((r) => r.at === '2024-05-01T10:00:00.000Z' && r.durationMs >= 0));
        const before = await dumpStore(target.options());
        for (const ip of [...IPS, '127.0.0.1']) assert.ok(findInDump(before, ip).length > 0, `the dump finds ${ip} before retention`);
        for (const raw of ['scan-id-4f7e9c', 'secret=zzz', '/no/such/thing']) assert.deepEqual(findInDump(before, raw), [], `${raw}: raw URLs are not logged`);

        // The application log got the 500 but neither an IP nor the token.
        // (Minus fastify's "Server listening at http://127.0.0.1:…" line: the server's own address.)
        const log = t.logText().split('\n').filter((line) => !line.includes('"msg":"Server listening at ')).join('\n');
        assert.match(log, /kaboom/);
        for (const secret of [...IPS, '127.0.0.1', issued.token, issued.token.split('.')[2] ?? '']) assert.ok(!log.includes(secret), `pino log holds ${secret}`);

        // Younger than 7 days: kept.
        assert.equal((await runAccessLogRetention(store, { now: () => new Date(start + DAY) })).hashed, 0);
        // 8 days later: replaced by HMAC under the instance key, in every row, and nowhere else.
        const result = await runAccessLogRetention(store, { now: () => new Date(start + 8 * DAY) });
        assert.deepEqual(result, { hashed: 6, cutoff: '2024-05-02T11:00:00.000Z' });
        const key = await loadAccessLogKey(store);
        const after = await store.authority.listAccessLog(0, 100);
        assert.deepEqual(after.map((r) => r.ip), Array<null>(6).fill(null));
        assert.deepEqual(after.map((r) => r.ipHmac).sort(), [...IPS, '127.0.0.1'].map((ip) => hmacIp(key, ip)).sort());
        const dump = await dumpStore(target.options());
        for (const ip of [...IPS, '127.0.0.1']) assert.deepEqual(findInDump(dump, ip), [], `raw IP ${ip} left in the store`);
        assert.equal(dialect === 'sqlite' ? dump.files.length > 0 : true, true, 'the raw SQLite files were searched too');

        // Idempotent.
        assert.equal((await runAccessLogRetention(store, { now: () => new Date(start + 9 * DAY) })).hashed, 0);
        assert.deepEqual((await dumpStore(target.options())).tables.get('access_log'), dump.tables.get('access_log'));
      }));

    test('the hourly job: retention plus quota rows of past days', () =>
      withStore(factory, async (store) => {
        const at = Date.parse('2024-05-10T12:00:00Z');
        await store.authority.appendAccessLog({ at: new Date(at - 7 * DAY - 1), method: 'GET', route: null, status: 404, durationMs: 1.5, ip: '192.0.2.200', tokenHash: null });
        await store.authority.appendAccessLog({ at: new Date(at - 6 * DAY), method: 'GET', route: null, status: 404, durationMs: 1.5, ip: '192.0.2.201', tokenHash: null });
        for (const day of ['2024-05-08', '2024-05-09', '2024-05-10']) await store.authority.consumeQuota(day, 'a'.repeat(64));
        const log: string[] = [];
        const result = await accessLogRetentionJob({ id: 1, kind: 'access-log-retention' } as Job, jobContext(store, () => new Date(at), log));
        assert.deepEqual(result, { hashed: 1, cutoff: '2024-05-03T13:00:00.000Z', quotaRowsPruned: 1 });
        assert.deepEqual((await store.authority.listAccessLog(0, 10)).map((r) => r.ip), [null, '192.0.2.201']);
        assert.equal(await store.authority.peekQuota('2024-05-08', 'a'.repeat(64)), 0);
        assert.equal(await store.authority.peekQuota('2024-05-09', 'a'.repeat(64)), 1);
        assert.match(log.join('\n'), /1 IPs replaced/);
        assert.ok(!log.join('\n').includes('192.0.2'));
      }));
  });
});
