import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { issueAdminToken, seedAdvisories, seedScan, startStellaServer, type StellaServer } from '../../src/server/index.js';
import { openStore } from '../../src/store/index.js';

/*
 * What `npm start` runs (`stella serve --seed-advisories samples/advisories --seed-scan
 * samples/sample-image.tar --admin-token`), in process on the embedded SQLite default: the shipped
 * snapshot is imported once, the first scan goes through the API and the in-process worker, and a
 * second start neither re-imports nor re-scans.
 */

const ROOT = join(import.meta.dirname, '..', '..');
let home: string;

before(() => {
  home = mkdtempSync(join(tmpdir(), 'stella-runtime-'));
});
after(() => rmSync(home, { recursive: true, force: true }));

async function start(): Promise<StellaServer> {
  return startStellaServer({
    stellaHome: home, port: 0, insecureHttp: true, handleSignals: false, offline: true,
    databaseUrl: `sqlite:${join(home, 'stella.db')}`, stderr: new PassThrough(), logger: pino({ level: 'silent' }),
  });
}

describe('stella serve on the embedded default, seeded', () => {
  it('imports the snapshot, scans the sample image in process, serves the findings; idempotent on restart', async () => {
    const store = await openStore({ url: `sqlite:${join(home, 'stella.db')}` });
    try {
      const imported = await seedAdvisories(store, join(ROOT, 'samples', 'advisories'), { stellaHome: home, now: () => new Date() });
      assert.ok(imported !== undefined && imported > 0);
      assert.equal(await seedAdvisories(store, join(ROOT, 'samples', 'advisories'), { stellaHome: home, now: () => new Date() }), undefined);
    } finally {
      await store.close();
    }
    const server = await start();
    try {
      assert.ok(server.worker !== undefined, 'SQLite runs jobs in process');
      const token = await issueAdminToken(server.context, 'test', 3600);
      const id = await seedScan(server.app, server.context.store, join(ROOT, 'samples', 'sample-image.tar'), token);
      assert.ok(id !== undefined);
      let status = '';
      for (let i = 0; i < 200 && status !== 'done' && status !== 'failed'; i++) {
        const res = await fetch(`${server.url}/api/v1/scans/${id}`, { headers: { authorization: `Bearer ${token}` } });
        status = ((await res.json()) as { scan: { status: string } }).scan.status;
        if (status !== 'done') await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(status, 'done');
      const findings = await fetch(`${server.url}/api/v1/scans/${id}/findings`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(findings.status, 200);
      assert.equal(findings.headers.get('x-content-type-options'), 'nosniff');
      const report = (await findings.json()) as { findings: { id: string; package: { name: string } }[] };
      assert.deepEqual(report.findings.map((f) => `${f.id} ${f.package.name}`).sort(), [
        'CVE-2014-3616 nginx-common', 'CVE-2014-3616 nginx-full', 'CVE-2020-26235 time', 'CVE-2020-8203 lodash',
        'CVE-2021-23337 lodash', 'CVE-2021-44906 minimist', 'CVE-2022-0235 node-fetch',
      ]);
      // Every CLI filter over the API: an ignore file (one live entry, one expired) and OpenVEX.
      const vex = {
        '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/sample-1', author: 'Sample Team',
        timestamp: '2024-01-01T00:00:00Z', version: 1,
        statements: [{ vulnerability: { name: 'GHSA-xvch-5gv4-984h' }, products: [{ '@id': 'pkg:npm/minimist@1.2.5' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
      };
      const filtered = await fetch(`${server.url}/api/v1/scans/${id}/findings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ignoreFile: 'CVE-2020-8203\nCVE-2022-0235 exp:2000-01-01\n', vex: JSON.stringify(vex), severity: 'CRITICAL,HIGH,MEDIUM,UNKNOWN' }),
      });
      assert.equal(filtered.status, 200, await filtered.clone().text());
      const kept = (await filtered.json()) as { findings: { id: string; package: { name: string } }[]; suppressed: { finding: { id: string }; reason: string; justification?: string }[] };
      assert.deepEqual(kept.findings.map((f) => `${f.id} ${f.package.name}`).sort(), [
        'CVE-2014-3616 nginx-common', 'CVE-2014-3616 nginx-full', 'CVE-2020-26235 time', 'CVE-2021-23337 lodash', 'CVE-2022-0235 node-fetch',
      ]);
      assert.deepEqual(kept.suppressed.map((s) => `${s.finding.id} ${s.reason} ${s.justification ?? ''}`).sort(), [
        'CVE-2020-8203 ignore-file ', 'CVE-2021-44906 vex vulnerable_code_not_in_execute_path',
      ]);
      const bad = await fetch(`${server.url}/api/v1/scans/${id}/findings`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ vex: '{"not":"vex"}' }),
      });
      assert.equal(bad.status, 400);
    } finally {
      await server.close();
    }
    const again = await start();
    try {
      const token = await issueAdminToken(again.context, 'test', 3600);
      assert.equal(await seedScan(again.app, again.context.store, join(ROOT, 'samples', 'sample-image.tar'), token), undefined);
      // ?wait=: the answer comes once the in-process worker has finished the scan.
      const waited = await fetch(`${again.url}/api/v1/scans?wait=120`, {
        method: 'POST', body: readFileSync(join(ROOT, 'samples', 'sample-image.tar')),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-tar' },
      });
      assert.equal(waited.status, 200, await waited.clone().text());
      const { scan } = (await waited.json()) as { scan: { id: string; status: string; summary: { findings: number } } };
      assert.equal(waited.headers.get('location'), `/api/v1/scans/${scan.id}`);
      assert.deepEqual([scan.status, scan.summary.findings], ['done', 7]);
      const now = await fetch(`${again.url}/api/v1/scans/${scan.id}/findings`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(now.status, 200, 'findings at once, no polling');
      // The server schedules its hourly maintenance jobs.
      const kinds = new Set((await again.queue.list()).map((j) => j.kind));
      assert.ok(kinds.has('access-log-retention') && kinds.has('upload-retention'), [...kinds].join(','));
    } finally {
      await again.close();
    }
  });
});
