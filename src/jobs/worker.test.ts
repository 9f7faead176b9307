import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStore, type Store } from '../store/index.js';
import { forEachDialect, type Target, type TargetFactory } from '../../test/support/store-targets.js';
import { effectTable, manualClock, writeEffect, type EffectTable, type ManualClock } from '../../test/support/job-effects.js';
import { createJobQueue, JobError, jobHandlers, retryDelay, runWorker, startWorker, type JobHandler } from './index.js';

const LEASE = 10_000;

interface Fixture {
  store: Store;
  clock: ManualClock;
  target: Target;
  effects: EffectTable;
}

async function withFixture(factory: TargetFactory, fn: (f: Fixture) => Promise<void>): Promise<void> {
  const target = await factory();
  const clock = manualClock();
  const store = await openStore({ ...target.options(), now: clock });
  const effects = await effectTable(target);
  try {
    await fn({ store, clock, target, effects });
  } finally {
    await effects.close();
    await store.close();
    await target.dispose();
  }
}

/** Resolves when `check` holds (polled); the tests wait on store state, never on elapsed time (30 s: a hang guard). */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, 'timed out waiting on the store');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function suite(name: string, factory: TargetFactory): void {
  describe(`job worker on ${name}`, () => {
    test('runs every job once; the effect commits with the completion', async () => {
      await withFixture(factory, async ({ store, clock, effects }) => {
        const queue = createJobQueue({ store, now: clock });
        for (let i = 0; i < 12; i += 1) await queue.enqueue('effect', { i });
        const handler: JobHandler = (job, ctx) => {
          ctx.onComplete(writeEffect(job.id, ctx.workerId));
          return Promise.resolve({ doubled: ((job.payload as { i: number }).i) * 2 });
        };
        const summary = await runWorker({ store, handlers: { effect: handler }, workerId: 'w', concurrency: 3, now: clock, pollMs: 5, stopWhenIdle: true });
        assert.deepEqual(summary, { claimed: 12, succeeded: 12, retried: 0, dead: 0, lost: 0, released: 0 });
        const jobs = await queue.list({ kind: 'effect' });
        assert.ok(jobs.every((j) => j.status === 'succeeded' && j.attempts === 1));
        assert.deepEqual(jobs.map((j) => j.result).reverse(), Array.from({ length: 12 }, (_, i) => ({ doubled: i * 2 })));
        const rows = await effects.rows();
        assert.equal(rows.length, 12);
        assert.equal(new Set(rows.map((r) => r.jobId)).size, 12);
      });
    });

    test('a failing job is retried with exponential back-off until it is dead', async () => {
      await withFixture(factory, async ({ store, clock }) => {
        const queue = createJobQueue({ store, now: clock });
        const { job } = await queue.enqueue('flaky', null, { maxAttempts: 4 });
        const handlers = { flaky: () => Promise.reject(new Error('upstream is down')) };
        const runAts: string[] = [];
        for (let attempt = 1; attempt <= 4; attempt += 1) {
          const summary = await runWorker({ store, handlers, workerId: 'w', now: clock, pollMs: 5, stopWhenIdle: true });
          assert.equal(summary.claimed, 1, `attempt ${attempt} runs`);
          const after = await queue.get(job.id);
          assert.equal(after?.attempts, attempt);
          assert.equal(after.lastError, 'upstream is down');
          if (attempt < 4) {
            assert.equal(after.status, 'failed');
            assert.equal(Date.parse(after.runAt) - clock().getTime(), retryDelay(attempt));
            runAts.push(after.runAt);
            // Not due yet: a worker finds nothing to do.
            assert.equal((await runWorker({ store, handlers, now: clock, pollMs: 5, stopWhenIdle: true })).claimed, 0);
            clock.advance(retryDelay(attempt));
          } else {
            assert.equal(after.status, 'dead');
          }
        }
        assert.deepEqual(runAts, ['2024-01-01T00:00:05.000Z', '2024-01-01T00:00:15.000Z', '2024-01-01T00:00:35.000Z']);
        assert.deepEqual([1, 2, 3, 4, 20, 30].map(retryDelay), [5_000, 10_000, 20_000, 40_000, 3_600_000, 3_600_000]);
      });
    });

    test('a handler error marked NO_RETRY or INVALID_INPUT is not retried', async () => {
      await withFixture(factory, async ({ store, clock }) => {
        const queue = createJobQueue({ store, now: clock });
        const a = await queue.enqueue('permanent', 'no-retry');
        const b = await queue.enqueue('permanent', 'bad-input');
        const handler: JobHandler = (job) =>
          Promise.reject(new JobError(job.payload === 'no-retry' ? 'NO_RETRY' : 'INVALID_INPUT', `refused ${String(job.payload)}`));
        const summary = await runWorker({ store, handlers: { permanent: handler }, now: clock, pollMs: 5, stopWhenIdle: true });
        assert.equal(summary.dead, 2);
        assert.equal((await queue.get(a.job.id))?.lastError, 'NO_RETRY: refused no-retry');
        assert.equal((await queue.get(b.job.id))?.status, 'dead');
      });
    });

    test('heartbeats keep a long job leased; another worker cannot take it', async () => {
      await withFixture(factory, async ({ store, clock, effects }) => {
        const queue = createJobQueue({ store, now: clock });
        const { job } = await queue.enqueue('long', null);
        const handler: JobHandler = async (j, ctx) => {
          for (let i = 0; i < 3; i += 1) {
            clock.advance(LEASE - 1_000);
            await ctx.heartbeat();
            assert.equal(await store.jobs.claim({ workerId: 'thief', kinds: ['long'], leaseMs: LEASE, at: clock() }), undefined);
          }
          ctx.onComplete(writeEffect(j.id, ctx.workerId));
          return 'done';
        };
        const summary = await runWorker({ store, handlers: { long: handler }, workerId: 'w', leaseMs: LEASE, heartbeatMs: 60_000, now: clock, pollMs: 5, stopWhenIdle: true });
        assert.equal(summary.succeeded, 1);
        assert.equal((await queue.get(job.id))?.attempts, 1);
        assert.deepEqual(await effects.rows(), [{ jobId: job.id, worker: 'w' }]);
      });
    });

    test('a worker whose lease was reclaimed is aborted and writes no effect', async () => {
      await withFixture(factory, async ({ store, clock, effects }) => {
        const queue = createJobQueue({ store, now: clock });
        const { job } = await queue.enqueue('slow', null);
        let sawAbort: unknown;
        const handler: JobHandler = async (j, ctx) => {
          ctx.onComplete(writeEffect(j.id, ctx.workerId));
          clock.advance(LEASE + 1);
          // Meanwhile the lease expired and another worker took the job.
          const taken = await store.jobs.claim({ workerId: 'other', kinds: ['slow'], leaseMs: LEASE, at: clock() });
          assert.equal(taken?.attempts, 2);
          await assert.rejects(ctx.heartbeat(), (e: unknown) => e instanceof JobError && e.code === 'LEASE_LOST');
          sawAbort = ctx.signal.reason;
          return 'too late';
        };
        const summary = await runWorker({ store, handlers: { slow: handler }, workerId: 'w', leaseMs: LEASE, heartbeatMs: 60_000, now: clock, pollMs: 5, stopWhenIdle: true });
        assert.deepEqual({ succeeded: summary.succeeded, lost: summary.lost }, { succeeded: 0, lost: 1 });
        assert.ok(sawAbort instanceof JobError);
        assert.deepEqual(await effects.rows(), []);
        const now = await queue.get(job.id);
        assert.deepEqual([now?.status, now?.leaseOwner], ['running', 'other']);
      });
    });

    test('stopping: running jobs finish within the grace period; past it they are released', async () => {
      await withFixture(factory, async ({ store, clock, effects }) => {
        const queue = createJobQueue({ store, now: clock });
        const polite = await queue.enqueue('polite', null);
        const stubborn = await queue.enqueue('stubborn', null);
        let finishPolite: () => void = () => undefined;
        const handlers: Record<string, JobHandler> = {
          polite: (j, ctx) =>
            new Promise((resolve) => {
              finishPolite = () => {
                ctx.onComplete(writeEffect(j.id, 'polite'));
                resolve('finished');
              };
            }),
          // Never settles and ignores its signal: the worker must give the job back anyway.
          stubborn: () => new Promise(() => undefined),
        };
        const worker = startWorker({ store, handlers, workerId: 'w', concurrency: 2, now: clock, pollMs: 5, graceMs: 60_000 });
        await until(async () => (await queue.list({ status: 'running' })).length === 2);
        const stopped = worker.stop();
        finishPolite();
        await until(async () => (await queue.get(polite.job.id))?.status === 'succeeded');
        const summary = await worker.stop(0);
        assert.equal(await stopped, summary);
        assert.deepEqual({ succeeded: summary.succeeded, released: summary.released }, { succeeded: 1, released: 1 });
        const back = await queue.get(stubborn.job.id);
        assert.deepEqual([back?.status, back?.leaseExpiresAt, back?.attempts], ['queued', null, 1]);
        assert.deepEqual(await effects.rows(), [{ jobId: polite.job.id, worker: 'polite' }]);
      });
    });

    test('in-process mode: an enqueue wakes the idle worker at once', async () => {
      await withFixture(factory, async ({ store, clock, effects }) => {
        const handler: JobHandler = (j, ctx) => {
          ctx.onComplete(writeEffect(j.id, ctx.workerId));
          return Promise.resolve(null);
        };
        // A poll interval longer than the test timeout: only wake() can get the job run.
        const worker = startWorker({ store, handlers: { quick: handler }, workerId: 'w', now: clock, pollMs: 3_600_000 });
        const queue = createJobQueue({ store, now: clock, onEnqueue: () => worker.wake() });
        const first = await queue.enqueue('quick', null);
        await until(async () => (await queue.get(first.job.id))?.status === 'succeeded');
        // Give the worker a moment to find the queue empty and start its hour-long pause.
        await new Promise((r) => setTimeout(r, 20));
        const { job } = await queue.enqueue('quick', null);
        await until(async () => (await queue.get(job.id))?.status === 'succeeded');
        assert.equal((await worker.stop()).succeeded, 2);
        assert.deepEqual(await effects.rows(), [{ jobId: first.job.id, worker: 'w' }, { jobId: job.id, worker: 'w' }]);
      });
    });

    test('feed-run imports a local OSV source and merges it; bad payloads are dead at once', async () => {
      await withFixture(factory, async ({ store, clock }) => {
        const queue = createJobQueue({ store, now: clock });
        const home = mkdtempSync(join(tmpdir(), 'stella-jobs-'));
        after(() => rmSync(home, { recursive: true, force: true }));
        const from = join(import.meta.dirname, 'testdata', 'osv');
        const ok = await queue.enqueue('feed-run', { source: 'osv', from });
        const unknown = await queue.enqueue('feed-run', { source: 'nope' });
        const handlers = jobHandlers({ stellaHome: home, offline: true, allowFrom: true });
        const summary = await runWorker({ store, handlers, now: clock, pollMs: 5, stopWhenIdle: true });
        assert.deepEqual({ succeeded: summary.succeeded, dead: summary.dead }, { succeeded: 1, dead: 1 });
        const done = await queue.get(ok.job.id);
        assert.equal(done?.status, 'succeeded');
        const result = done.result as { source: { fetch: { documents: number } }; merge: { advisories: number } };
        assert.equal(result.source.fetch.documents, 2);
        assert.equal(result.merge.advisories, 2);
        assert.deepEqual(await store.findAdvisoryKeysByAlias('GHSA-p6mc-m468-83gw'), ['CVE-2020-8203']);
        assert.match((await queue.get(unknown.job.id))?.lastError ?? '', /^INVALID_INPUT: feed-run payload: unknown source "nope"/);

        // A worker that does not allow `from` refuses it (a payload must not pick paths on the worker).
        const refused = await queue.enqueue('feed-run', { source: 'osv', from });
        await runWorker({ store, handlers: jobHandlers({ stellaHome: home, offline: true }), now: clock, pollMs: 5, stopWhenIdle: true });
        assert.match((await queue.get(refused.job.id))?.lastError ?? '', /"from" is not allowed/);
      });
    });
  });
}

await forEachDialect('job worker', suite);
