import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import pino from 'pino';
import { createJobQueue, runWorker } from '../../src/jobs/index.js';
import { defaultQuota, startStellaServer, stellaJobHandlers, type ServerPart, type StellaServer } from '../../src/server/index.js';
import { scanRoutes } from '../../src/server/routes/scans.js';
import { openStore, type Store } from '../../src/store/index.js';
import { forEachDialect, type Target, type TargetFactory } from '../support/store-targets.js';
import { principalPart, send, startTestServer, type Response, type TestServer } from './support.js';

/*
 * `POST /api/v1/scans?wait=N` over real HTTP on loopback. The API process runs no jobs here
 * (runJobsInProcess false, as on PostgreSQL): another "process" — a worker over its own store
 * connection — finishes the scan while the request polls the store. Every wait goes through the
 * injected sleep, and the budget is read from the injected clock, so nothing waits for real time.
 */

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'stella-scan-wait-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

const SBOM = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] });
const SBOM_HEADERS = { 'content-type': 'application/vnd.cyclonedx+json' };

interface ScanBody {
  scan: { id: string; status: string; error: string | null; summary: { packages: number } | null; links: { findings: string } };
}

interface ApiServer {
  server: StellaServer;
  sleeps: number[];
  dispose(): Promise<void>;
}

/** `stella serve` without the in-process worker over `target`; `sleep` also gets the store the API serves. */
async function apiServer(
  target: Target, home: string, now: () => Date, sleep: (ms: number, store: Store) => Promise<void>,
): Promise<ApiServer> {
  const store = await openStore({ ...target.options(), now });
  const sleeps: number[] = [];
  let server: StellaServer;
  try {
    server = await startStellaServer({
      stellaHome: home, port: 0, insecureHttp: true, handleSignals: false, offline: true, store, now,
      runJobsInProcess: false, stderr: new PassThrough(), logger: pino({ level: 'silent' }),
      sleep: async (ms) => {
        sleeps.push(ms);
        await sleep(ms, store);
      },
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    server, sleeps,
    async dispose() {
      await server.close();
      await target.dispose();
    },
  };
}

function post(server: { url: string }, query: string, body = SBOM, headers: Record<string, string> = SBOM_HEADERS): Promise<Response> {
  return send(server.url, { method: 'POST', path: `/api/v1/scans${query}`, body, headers });
}

function suite(dialect: 'sqlite' | 'postgres', factory: TargetFactory): void {
  describe(`?wait= on ${dialect}`, () => {
    test('a scan another process finishes while the request waits: 200 with its final state (done, or failed)', async () => {
      const home = join(work, `${dialect}-done`);
      const target = await factory();
      // The "stella worker": its own store connection; it drains the queue inside the API's poll sleep.
      const workerStore = await openStore({ ...target.options() });
      let runs = 0;
      const api = await apiServer(target, home, () => new Date(), async () => {
        runs += 1;
        await runWorker({ store: workerStore, handlers: stellaJobHandlers({ stellaHome: home, offline: true, maxSbomBytes: 1 << 20 }), stopWhenIdle: true });
      });
      try {
        assert.equal(api.server.worker, undefined, 'the API process runs no jobs');
        const done = await post(api.server, '?wait=60');
        assert.equal(done.status, 200, done.text);
        const { scan } = done.json<ScanBody>();
        assert.deepEqual([scan.status, scan.error, scan.summary?.packages], ['done', null, 0]);
        assert.equal(done.headers.location, `/api/v1/scans/${scan.id}`);
        const findings = await send(api.server.url, { path: scan.links.findings });
        assert.equal(findings.status, 200, 'the findings are there at once');
        // A scan that fails is still an answered request: 200, with status failed and the reason.
        const failed = await post(api.server, '?wait=60', SBOM, { 'content-type': 'application/json', 'x-stella-sbom-type': 'spdx' });
        assert.equal(failed.status, 200, failed.text);
        const lost = failed.json<ScanBody>().scan;
        assert.equal(lost.status, 'failed');
        assert.match(lost.error ?? '', /expected spdx-json/);
        // Each request polled once, slept one short interval (in which the worker ran), then found it finished.
        assert.deepEqual(api.sleeps, [50, 50]);
        assert.equal(runs, 2);
      } finally {
        await workerStore.close();
        await api.dispose();
      }
    });

    test('no worker: ?wait=5 answers 202 once 5 s have passed on the injected clock; out-of-range waits are 400', async () => {
      const target = await factory();
      let t = Date.parse('2026-03-02T10:00:00.000Z');
      // Each poll's sleep moves the clock by its own length plus a second (slow store round trips),
      // so the deadline comes from the clock, before the slept intervals alone add up to 5 s.
      const api = await apiServer(target, join(work, `${dialect}-none`), () => new Date(t), (ms) => {
        t += ms + 1000;
        return Promise.resolve();
      });
      try {
        const waited = await post(api.server, '?wait=5');
        assert.equal(waited.status, 202, waited.text);
        const { scan } = waited.json<ScanBody>();
        assert.equal(scan.status, 'queued');
        assert.equal(waited.headers.location, `/api/v1/scans/${scan.id}`);
        assert.deepEqual(api.sleeps, [50, 100, 200, 400, 250]);
        const jobs = await api.server.queue.list();
        assert.equal(jobs.filter((j) => j.kind === 'scan' && j.status === 'queued').length, 1, 'still waiting for a worker');

        api.sleeps.length = 0;
        const atOnce = await post(api.server, '?wait=0');
        assert.equal(atOnce.status, 202);
        assert.deepEqual(api.sleeps, [], '0: no waiting at all');
        for (const bad of ['301', '-1', '1.5', 'soon']) {
          const res = await post(api.server, `?wait=${bad}`);
          assert.equal(res.status, 400, `wait=${bad}: ${res.text}`);
          assert.equal(res.json<{ error: { code: string } }>().error.code, 'VALIDATION');
        }
        // OpenAPI lists it as an optional, bounded, described query parameter.
        const doc = (await send(api.server.url, { path: '/api/docs/json' })).json<{ paths: Record<string, { post?: { parameters: { name: string; in: string; required: boolean; description?: string; schema: object }[] } }> }>();
        const param = doc.paths['/api/v1/scans']?.post?.parameters.find((p) => p.name === 'wait');
        assert.ok(param !== undefined);
        assert.deepEqual([param.in, param.required, param.schema], ['query', false, { type: 'integer', minimum: 0, maximum: 300, default: 0 }]);
        assert.match(param.description ?? '', /200 with the finished scan/);
      } finally {
        await api.dispose();
      }
    });
  });
}

await forEachDialect('?wait=', suite);

/** Sleeps that stay pending until the test releases them, one at a time. */
class GatedSleep {
  readonly calls: number[] = [];
  private readonly pending: (() => void)[] = [];
  private waiter: (() => void) | undefined;

  readonly sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    this.calls.push(ms);
    this.pending.push(resolve);
    this.waiter?.();
  });

  /** Settles once `n` sleeps have started. */
  async started(n: number): Promise<void> {
    while (this.calls.length < n) await new Promise<void>((resolve) => (this.waiter = resolve));
  }

  releaseOne(): void {
    const next = this.pending.shift();
    assert.ok(next !== undefined, 'a sleep is pending');
    next();
  }
}

// The timeouts only turn a regression (a wait that never ends) into a failure instead of a hang.
describe('?wait= ends early', () => {
  /** The scan routes (API only, nothing runs the queued jobs), with hooks observing the POST's answer and the close. */
  async function waitServer(gate: GatedSleep): Promise<{ test: TestServer; answered: Promise<number>; preClosed: Promise<void> }> {
    let answer: (status: number) => void = () => undefined;
    const answered = new Promise<number>((resolve) => (answer = resolve));
    let preClose: () => void = () => undefined;
    const preClosed = new Promise<void>((resolve) => (preClose = resolve));
    // onSend runs when the route answers, whether or not the client is still there to read it.
    const observeAnswer: ServerPart = (app) => {
      app.addHook('onSend', async (request, reply, payload) => {
        if (request.method === 'POST') answer(reply.statusCode);
        return payload;
      });
    };
    // Registered after the scan routes, so it runs after their preClose hook.
    const observeClose: ServerPart = (app) => {
      app.addHook('preClose', (done) => {
        preClose();
        done();
      });
    };
    const test = await startTestServer({
      insecureHttp: true, runJobsInProcess: false, sleep: gate.sleep, quota: defaultQuota,
      parts: (ctx) => {
        const queue = createJobQueue({ store: ctx.store, now: ctx.now });
        const enqueue = async (kind: string, payload: { scanId: string }, options: { dedupeKey: string }) => ({ id: (await queue.enqueue(kind, payload, options)).job.id });
        return [principalPart(['scan', 'read']), observeAnswer, scanRoutes({ enqueue, toolVersion: '0.0.0-test' }), observeClose];
      },
    });
    return { test, answered, preClosed };
  }

  test('a client that disconnects ends the polling at the next poll', { timeout: 30_000 }, async () => {
    const gate = new GatedSleep();
    const { test: t, answered } = await waitServer(gate);
    try {
      const sockets: Socket[] = [];
      t.server.app.server.on('connection', (socket: Socket) => sockets.push(socket));
      const url = new URL(t.server.url);
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: '/api/v1/scans?wait=300', headers: SBOM_HEADERS, agent: false });
      req.on('error', () => undefined); // the client hangs up on purpose
      req.end(SBOM);
      await gate.started(1);
      const serverSide = sockets[0];
      assert.ok(serverSide !== undefined);
      const closed = new Promise((resolve) => serverSide.once('close', resolve));
      req.destroy();
      await closed;
      await nextTurn(); // the response's own 'close' listeners have run
      gate.releaseOne();
      assert.equal(await answered, 202, 'the route gave up and answered (to nobody)');
      assert.deepEqual(gate.calls, [50], 'no poll after the client left');
    } finally {
      await t.dispose();
    }
  });

  test('closing the server ends a wait with 202 instead of holding the shutdown for up to 300 s', { timeout: 30_000 }, async () => {
    const gate = new GatedSleep();
    const { test: t, answered, preClosed } = await waitServer(gate);
    try {
      const reply = post(t.server, '?wait=300');
      await gate.started(1);
      const closing = t.server.close();
      await preClosed;
      gate.releaseOne();
      const res = await reply;
      assert.equal(res.status, 202, res.text);
      assert.equal(res.json<ScanBody>().scan.status, 'queued');
      assert.equal(await answered, 202);
      assert.deepEqual(gate.calls, [50]);
      await closing;
    } finally {
      await t.dispose();
    }
  });
});
