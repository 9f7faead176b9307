import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Advisory } from '../../src/advisories/index.js';
import { getConnector, runMerge, runSource, type HttpClientOptions } from '../../src/feeds/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { forEachDialect, withStore, type Target, type TargetFactory } from '../support/store-targets.js';
import { ghsaAdvisories, nvdCves, osvRecords, startUpstreams } from './upstreams.js';

/*
 * Concelier end to end: the three connectors against loopback servers that serve the upstream
 * layouts (OSV bucket, GHSA REST API with Link pagination, NVD CVE API pages) from real records,
 * with 429s, 500s/503s, truncated bodies and a SIGKILL mid-ingest; then the merge. The same suite
 * runs on SQLite and on PostgreSQL.
 */

const NOW = new Date('2026-11-28T12:00:00.000Z');
const clock = (): Date => NOW;

function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'stella-concelier-'));
}

async function ingestAll(store: Store, base: string, home: string, http: HttpClientOptions) {
  const common = { stellaHome: home, http, now: clock };
  const osv = await runSource(store, getConnector('osv'), { ...common, connectorOptions: { baseUrl: `${base}/osv`, ecosystems: ['npm'] } });
  const ghsa = await runSource(store, getConnector('ghsa'), { ...common, connectorOptions: { baseUrl: `${base}/ghsa` } });
  const nvd = await runSource(store, getConnector('nvd'), { ...common, connectorOptions: { baseUrl: `${base}/nvd/cves` } });
  return { osv, ghsa, nvd };
}

async function advisory(store: Store, key: string): Promise<Advisory> {
  const stored = await store.getAdvisory(key);
  assert.ok(stored !== undefined, `advisory ${key} is stored`);
  return JSON.parse(stored.json) as Advisory;
}

/** The database URL a child process uses to reach the same store as `target`. */
function childUrl(target: Target): string {
  const options = target.options();
  if (options.url === undefined) return `sqlite:${join(options.stellaHome ?? '.', 'stella.db')}`;
  return `${options.url}?options=${encodeURIComponent(`-c search_path=${options.schema ?? 'public'}`)}`;
}

function concelierSuite(name: string, factory: TargetFactory): void {
  describe(`concelier on ${name}`, () => {
    test('OSV, GHSA and NVD through 429, 5xx and truncated bodies: nothing lost, one advisory per vulnerability', async () => {
      const up = await startUpstreams();
      const home = tempHome();
      try {
        await withStore(factory, async (store) => {
          const sleeps: number[] = [];
          const http: HttpClientOptions = { sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); }, now: clock, baseDelayMs: 1000 };
          up.fault('/all.zip', { kind: 'status', status: 500 });
          up.fault('/all.zip', { kind: 'truncate' });
          up.fault('/advisories', { kind: 'status', status: 429, headers: { 'retry-after': '2' } });
          up.fault('/cves', { kind: 'status', status: 503 });
          up.fault('/cves', { kind: 'truncate' }, (url) => url.searchParams.get('startIndex') === '2');

          const first = await ingestAll(store, up.base, home, http);
          for (const result of Object.values(first)) assert.equal(result.error, undefined, JSON.stringify(result.error));
          assert.ok(sleeps.includes(2000), `Retry-After: 2 honoured (sleeps ${JSON.stringify(sleeps)})`);
          assert.ok(sleeps.includes(1000), 'exponential back-off from 1 s');

          // Nothing lost: every record each upstream served is mapped.
          const counts = Object.fromEntries((await store.countBySource()).map((c) => [c.source, c.records]));
          assert.deepEqual(counts.osv, { parsed: 0, mapped: osvRecords().length, failed: 0 });
          assert.deepEqual(counts.ghsa, { parsed: 0, mapped: ghsaAdvisories().length, failed: 0 });
          assert.deepEqual(counts.nvd, { parsed: 0, mapped: nvdCves().length, failed: 0 });
          for (const source of ['osv', 'ghsa', 'nvd']) {
            const state = await store.getSourceState(source);
            assert.equal(state?.failureCount, 0);
            assert.equal(state?.lastSuccess, NOW.toISOString());
          }

          const merged = await runMerge(store);
          assert.equal(merged.removed, 0);

          // GHSA-p6mc-m468-83gw (OSV form from the bucket) and NVD's CVE-2020-8203: one advisory.
          const lodash = await advisory(store, 'CVE-2020-8203');
          assert.ok(lodash.aliases.includes('GHSA-p6mc-m468-83gw'));
          assert.deepEqual(await store.findAdvisoryKeysByAlias('GHSA-p6mc-m468-83gw'), ['CVE-2020-8203']);
          assert.deepEqual(lodash.sources.map((s) => `${s.source}:${s.id}`), ['nvd:CVE-2020-8203', 'osv:GHSA-p6mc-m468-83gw']);
          assert.equal(lodash.summary?.value, 'Prototype Pollution in lodash');
          assert.equal(lodash.summary?.provenance.source, 'osv');
          assert.equal(lodash.published?.provenance.source !== undefined, true);
          const nvdV3 = lodash.severities.find((s) => s.source === 'nvd' && s.type === 'CVSS_V3');
          assert.equal(nvdV3?.provenance.source, 'nvd');
          assert.equal(nvdV3?.score, 7.4);
          assert.ok(lodash.cpeConfigurations.length > 0);
          assert.deepEqual(lodash.affected.map((a) => `${a.ecosystem}/${a.name} ${a.ranges.map((r) => r.vers).join()}`), [
            'npm/lodash vers:npm/<4.17.20',
            'npm/lodash-es vers:npm/<4.17.20',
          ]);
          // The REST form of GHSA-35jh-r3h4-6jhm becomes CVE-2021-23337 with GHSA provenance.
          const template = await advisory(store, 'CVE-2021-23337');
          assert.ok(template.aliases.includes('GHSA-35jh-r3h4-6jhm'));
          assert.equal(template.summary?.provenance.source, 'ghsa');
          // NVD's rejected CVE is withdrawn: kept, never to match.
          assert.ok((await advisory(store, 'CVE-2020-24980')).withdrawn !== undefined);

          // Run again: the upstreams have nothing new, nothing changes.
          const eventsBefore = await store.listMergeEvents('CVE-2020-8203');
          const again = await ingestAll(store, up.base, home, http);
          for (const result of Object.values(again)) assert.equal(result.error, undefined);
          assert.equal(again.osv.fetch?.inserted, 0);
          // GHSA is asked for `updated>=` the newest time seen: the boundary advisory comes again
          // (on a page with a new query), and its record is unchanged.
          assert.equal(again.ghsa.fetch?.documents, 1);
          assert.equal(again.ghsa.parse?.changedRecords, 0);
          assert.equal(again.nvd.fetch?.inserted, 0);
          assert.equal((await runMerge(store)).changed, 0);
          assert.deepEqual(await store.listMergeEvents('CVE-2020-8203'), eventsBefore);
        });
      } finally {
        await up.close();
        rmSync(home, { recursive: true, force: true });
      }
    });

    test('the same raw documents always give byte-identical canonical advisories', async () => {
      const up = await startUpstreams();
      const home = tempHome();
      try {
        await withStore(factory, async (store) => {
          await ingestAll(store, up.base, home, { now: clock, sleep: () => Promise.resolve() });
          await runMerge(store);
          // Replay every raw document (with its fetch time) into a fresh store, in reverse order.
          const replay = await openStore({ url: ':memory:', now: clock });
          try {
            for (const source of ['nvd', 'ghsa', 'osv']) {
              const infos = (await store.listRawDocuments(source)).reverse();
              for (const info of infos) {
                const doc = await store.getRawDocument(source, info.documentId, info.sha256);
                assert.ok(doc !== undefined);
                await replay.putRawDocument({ ...doc, fetchedAt: new Date(doc.fetchedAt) });
              }
              await runSource(replay, getConnector(source), { stellaHome: home, stages: ['parse', 'map'], now: clock });
            }
            await runMerge(replay);
            const original = await store.listAdvisories(null, 1000);
            const replayed = await replay.listAdvisories(null, 1000);
            assert.ok(original.length >= 8);
            assert.deepEqual(replayed, original);
          } finally {
            await replay.close();
          }
        });
      } finally {
        await up.close();
        rmSync(home, { recursive: true, force: true });
      }
    });

    test('a SIGKILL mid-ingest loses nothing: the next run resumes at the next page', async () => {
      const up = await startUpstreams({ nvdPageSize: 2 });
      const home = tempHome();
      const target = await factory();
      try {
        const url = childUrl(target);
        const args = ['db', 'fetch', '--source', 'nvd', '--base-url', `${up.base}/nvd/cves`, '--min-interval', '0', '--database-url', url];
        const runChild = (onStall?: (kill: () => void) => void, argv = args) =>
          new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fetch-child.ts'), ...argv], {
              env: { ...process.env, STELLA_HOME: home },
            });
            let stderr = '';
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            if (onStall !== undefined) up.onStall = () => onStall(() => child.kill('SIGKILL'));
            child.on('close', (code, signal) => resolve({ code, signal, stderr }));
          });

        // The third page never comes: the process is killed while waiting for it.
        up.fault('/cves', { kind: 'stall' }, (u) => u.searchParams.get('startIndex') === '4');
        const killed = await runChild((kill) => kill());
        assert.equal(killed.signal, 'SIGKILL', killed.stderr);

        const store = await openStore({ ...target.options(), now: clock });
        try {
          const stored = (await store.listRawDocuments('nvd')).map((d) => d.documentId);
          assert.equal(stored.length, 2, 'the two pages before the kill are stored');
          const cursor = (await store.getSourceState('nvd'))?.cursor as { progress: { nextIndex: number } };
          assert.equal(cursor.progress.nextIndex, 4);
        } finally {
          await store.close();
        }

        const before = up.requests.length;
        // Resumed with `--from <url>`: a URL names a mirror of the upstream layout (the base URL).
        const fromUrl = args.map((a) => (a === '--base-url' ? '--from' : a));
        const resumed = await runChild(undefined, fromUrl);
        assert.equal(resumed.code, 0, resumed.stderr);
        // The interrupted full fetch goes on at page 3 only; then the incremental window since it began.
        const after = up.requests.slice(before).map((r) => new URL(r, 'http://x').searchParams);
        const full = after.filter((q) => !q.has('lastModStartDate'));
        assert.deepEqual(full.map((q) => q.get('startIndex')), ['4']);
        assert.ok(after.slice(1).every((q) => q.has('lastModStartDate')));

        const check = await openStore({ ...target.options(), now: clock });
        try {
          const counts = (await check.countBySource()).find((c) => c.source === 'nvd');
          assert.deepEqual(counts?.records, { parsed: 0, mapped: nvdCves().length, failed: 0 });
          assert.deepEqual(counts?.documents, { pending: 0, parsed: 3, failed: 0 });
        } finally {
          await check.close();
        }
      } finally {
        await up.close();
        await target.dispose();
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
}

await forEachDialect('concelier', concelierSuite);
