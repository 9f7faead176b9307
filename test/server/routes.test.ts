import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { feedStatus, getConnector, runMerge, runSource, searchAdvisories, packageQuery } from '../../src/feeds/index.js';
import { advisoryRoutes, exportRoutes, feedRoutes, type FeedJobPayload } from '../../src/server/index.js';
import { assertSecurityHeaders, principalPart, send, startTestServer, type TestServer } from './support.js';

/*
 * The advisory, feed and export routes over HTTPS on a store filled from the connectors' real
 * test records (OSV, the GitHub advisory-database layout, NVD), read offline with --from.
 */

const CONNECTORS = join(import.meta.dirname, '..', '..', 'src', 'feeds', 'connectors');
const FROM: Record<string, string> = {
  osv: join(CONNECTORS, 'osv', 'testdata'),
  ghsa: join(CONNECTORS, 'ghsa', 'testdata', 'advisory-database'),
  nvd: join(CONNECTORS, 'nvd', 'testdata', 'fkie'),
};

describe('advisory, feed and export routes', () => {
  let server: TestServer;
  let ca: string;
  const queued: { kind: string; payload: FeedJobPayload }[] = [];
  const get = (path: string) => send(server.server.url, { path, ca });
  const post = (path: string, body?: string) =>
    send(server.server.url, { method: 'POST', path, ca, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }) });

  before(async () => {
    server = await startTestServer({
      parts: () => [
        principalPart(['read', 'scan', 'feeds']),
        advisoryRoutes(),
        feedRoutes({
          enqueue: async (kind, payload) => {
            queued.push({ kind, payload });
            return { id: queued.length };
          },
        }),
        exportRoutes(),
      ],
    });
    ca = readFileSync(join(server.home, 'tls', 'server.crt'), 'utf8');
    for (const [source, from] of Object.entries(FROM)) {
      await runSource(server.store, getConnector(source), { connectorOptions: { from }, stellaHome: server.home, http: { offline: true } });
    }
    await runMerge(server.store);
  });
  after(() => server.dispose());

  test('an advisory by its key or any alias, as stored', async () => {
    const byGhsa = await get('/api/v1/advisories/ghsa-p6mc-m468-83gw');
    assert.equal(byGhsa.status, 200, byGhsa.text);
    assertSecurityHeaders(assert, byGhsa.headers, 'advisory');
    const body = byGhsa.json<{ id: string; keys: string[]; advisories: { key: string; aliases: string[] }[] }>();
    assert.equal(body.id, 'ghsa-p6mc-m468-83gw');
    assert.deepEqual(body.keys, ['CVE-2020-8203']);
    assert.equal(body.advisories[0]?.key, 'CVE-2020-8203');
    assert.deepEqual(body.advisories[0]?.aliases, ['GHSA-p6mc-m468-83gw']);
    const stored = await server.store.getAdvisory('CVE-2020-8203');
    assert.deepEqual(body.advisories[0], JSON.parse(stored?.json ?? 'null'));
    const byCve = (await get('/api/v1/advisories/CVE-2020-8203')).json<{ advisories: unknown[] }>();
    assert.deepEqual(byCve.advisories, body.advisories);

    const missing = await get('/api/v1/advisories/CVE-1999-0000');
    assert.equal(missing.status, 404);
    assert.equal(missing.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
  });

  test('search by purl or name answers what `stella advisory search` does', async () => {
    const res = await get('/api/v1/advisories?package=pkg:npm/lodash@4.17.15');
    assert.equal(res.status, 200, res.text);
    const body = res.json<{ package: string; ecosystem: string | null; total: number; advisories: { key: string }[] }>();
    assert.deepEqual(body.advisories.map((a) => a.key), ['CVE-2020-8203', 'CVE-2021-23337']);
    assert.equal(body.total, 2);
    const cli = await searchAdvisories(server.store, packageQuery('pkg:npm/lodash@4.17.15'));
    assert.deepEqual(body.advisories, JSON.parse(JSON.stringify(cli.rows)));
    const limited = (await get('/api/v1/advisories?package=lodash&ecosystem=npm&limit=1')).json<{ total: number; advisories: unknown[] }>();
    assert.equal(limited.total, 2);
    assert.equal(limited.advisories.length, 1);

    for (const bad of ['/api/v1/advisories', '/api/v1/advisories?package=pkg:', '/api/v1/advisories?package=x&limit=0', '/api/v1/advisories?package=x&other=1']) {
      const r = await get(bad);
      assert.equal(r.status, 400, `${bad}: ${r.text}`);
      assert.equal(r.json<{ error: { code: string } }>().error.code, 'VALIDATION', bad);
    }
  });

  test('feed status is `stella db status --json`; a run is queued as a feed-run job', async () => {
    const status = await get('/api/v1/feeds');
    assert.equal(status.status, 200);
    assert.deepEqual(status.json(), JSON.parse(JSON.stringify(await feedStatus(server.store))));
    assert.deepEqual(status.json<{ sources: { source: string }[] }>().sources.map((s) => s.source), ['ghsa', 'nvd', 'osv']);

    const run = await post('/api/v1/feeds/osv/run');
    assert.equal(run.status, 202, run.text);
    assert.deepEqual(run.json(), { job: { id: '1', kind: 'feed-run', source: 'osv', force: false, merge: true } });
    const forced = await post('/api/v1/feeds/nvd/run', '{"force": true, "merge": false}');
    assert.equal(forced.status, 202, forced.text);
    assert.deepEqual(queued, [
      { kind: 'feed-run', payload: { source: 'osv', force: false, merge: true } },
      { kind: 'feed-run', payload: { source: 'nvd', force: true, merge: false } },
    ]);
    assert.equal((await post('/api/v1/feeds/nosuch/run')).status, 404);
    const bad = await post('/api/v1/feeds/osv/run', '{"from": "/etc"}');
    assert.equal(bad.status, 400);
    assert.equal(queued.length, 2, 'nothing queued for refused requests');
  });

  test('feed runs need the feeds scope, and a queue', async () => {
    const readOnly = await startTestServer({ parts: () => [principalPart(['read']), feedRoutes()] });
    try {
      const roCa = readFileSync(join(readOnly.home, 'tls', 'server.crt'), 'utf8');
      const forbidden = await send(readOnly.server.url, { method: 'POST', path: '/api/v1/feeds/osv/run', ca: roCa });
      assert.equal(forbidden.status, 403);
      assert.equal((await send(readOnly.server.url, { path: '/api/v1/feeds', ca: roCa })).status, 200);
    } finally {
      await readOnly.dispose();
    }
    const noQueue = await startTestServer({ parts: () => [principalPart(['read', 'feeds']), feedRoutes()] });
    try {
      const nqCa = readFileSync(join(noQueue.home, 'tls', 'server.crt'), 'utf8');
      const res = await send(noQueue.server.url, { method: 'POST', path: '/api/v1/feeds/osv/run', ca: nqCa });
      assert.equal(res.status, 503);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'UNAVAILABLE');
    } finally {
      await noQueue.dispose();
    }
  });

  test('exports: list, list files, download streamed; nothing outside an export is reachable', async () => {
    assert.deepEqual((await get('/api/v1/exports')).json(), { exports: [] }, 'no exports directory yet');
    const exportsDir = join(server.home, 'exports');
    mkdirSync(join(exportsDir, 'kit-2024-01-01', 'db'), { recursive: true });
    mkdirSync(join(exportsDir, 'json-tree'), { recursive: true });
    const payload = Buffer.alloc(200_000, 7);
    writeFileSync(join(exportsDir, 'kit-2024-01-01', 'db', 'trivy.db'), payload);
    writeFileSync(join(exportsDir, 'kit-2024-01-01', 'manifest.json'), '{"files":1}\n');
    writeFileSync(join(server.home, 'secret.txt'), 'not an export\n');
    symlinkSync(join(server.home, 'secret.txt'), join(exportsDir, 'kit-2024-01-01', 'escape.txt'));
    symlinkSync(server.home, join(exportsDir, 'home-link'));

    const list = (await get('/api/v1/exports')).json<{ exports: { name: string }[] }>();
    assert.deepEqual(list.exports.map((e) => e.name), ['json-tree', 'kit-2024-01-01'], 'the symlink out of exports/ is not listed');

    const files = (await get('/api/v1/exports/kit-2024-01-01')).json();
    assert.deepEqual(files, { name: 'kit-2024-01-01', files: [{ path: 'db/trivy.db', size: 200_000 }, { path: 'manifest.json', size: 12 }], next: null });
    const page = (await get('/api/v1/exports/kit-2024-01-01?limit=1')).json<{ files: unknown[]; next: string | null }>();
    assert.equal(page.files.length, 1);
    assert.equal(page.next, 'db/trivy.db');
    assert.equal((await get('/api/v1/exports/kit-2024-01-01?limit=1&after=db%2Ftrivy.db')).json<{ next: string | null }>().next, null);

    const download = await get('/api/v1/exports/kit-2024-01-01/db/trivy.db');
    assert.equal(download.status, 200);
    assert.equal(download.headers['content-length'], '200000');
    assert.equal(download.headers['content-type'], 'application/octet-stream');
    assert.match(String(download.headers['content-disposition']), /attachment; filename="trivy.db"/);
    assertSecurityHeaders(assert, download.headers, 'download');
    assert.ok(download.body.equals(payload));
    assert.equal((await get('/api/v1/exports/kit-2024-01-01/manifest.json')).text, '{"files":1}\n');

    const refused: [string, number][] = [
      ['/api/v1/exports/kit-2024-01-01/../../secret.txt', 400],
      ['/api/v1/exports/kit-2024-01-01/db/../../../secret.txt', 400],
      ['/api/v1/exports/kit-2024-01-01/%2e%2e/%2e%2e/secret.txt', 400],
      ['/api/v1/exports/kit-2024-01-01/..%2f..%2fsecret.txt', 400],
      ['/api/v1/exports/kit-2024-01-01/db%5c..%5c..%5csecret.txt', 400],
      ['/api/v1/exports/kit-2024-01-01//etc/passwd', 400],
      ['/api/v1/exports/../secret.txt', 400],
      ['/api/v1/exports/..', 400],
      ['/api/v1/exports/kit-2024-01-01/escape.txt', 404],
      ['/api/v1/exports/home-link/secret.txt', 404],
      ['/api/v1/exports/kit-2024-01-01/db', 404],
      ['/api/v1/exports/kit-2024-01-01/nope.json', 404],
      ['/api/v1/exports/nope/manifest.json', 404],
    ];
    for (const [path, status] of refused) {
      const res = await get(path);
      assert.equal(res.status, status, `${path}: ${res.text}`);
      assert.doesNotMatch(res.text, /not an export/, path);
      assert.match(res.json<{ error: { code: string } }>().error.code, /^(VALIDATION|NOT_FOUND)$/, path);
    }
  });
});
