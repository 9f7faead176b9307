import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore, type Store } from '../store/index.js';
import { forEachDialect, type Target, type TargetFactory } from '../../test/support/store-targets.js';
import { effectTable, manualClock, writeEffect, type ManualClock } from '../../test/support/job-effects.js';
import { createJobQueue, periodStart } from './index.js';

const LEASE = 10_000;

/** A fresh database, a store on it, and a clock the test moves. */
async function withQueue(
  factory: TargetFactory,
  fn: (ctx: { store: Store; clock: ManualClock; target: Target }) => Promise<void>,
): Promise<void> {
  const target = await factory();
  const clock = manualClock();
  const store = await openStore({ ...target.options(), now: clock });
  try {
    await fn({ store, clock, target });
  } finally {
    await store.close();
    await target.dispose();
  }
}

function suite(name: string, factory: TargetFactory): void {
  describe(`job queue on ${name}`, () => {
    test('enqueue, claim, complete: the result and the effect commit together', async () => {
      await withQueue(factory, async ({ store, clock, target }) => {
        const queue = createJobQueue({ store, now: clock });
        const { job, created } = await queue.enqueue('test', { n: 1 });
        assert.equal(created, true);
        assert.deepEqual(
          { status: job.status, attempts: job.attempts, maxAttempts: job.maxAttempts, runAt: job.runAt, payload: job.payload },
          { status: 'queued', attempts: 0, maxAttempts: 5, runAt: '2024-01-01T00:00:00.000Z', payload: { n: 1 } },
        );
        assert.equal(await store.jobs.claim({ workerId: 'w', kinds: ['other'], leaseMs: LEASE, at: clock() }), undefined);
        const claimed = await store.jobs.claim({ workerId: 'w', kinds: ['test'], leaseMs: LEASE, at: clock() });
        assert.equal(claimed?.id, job.id);
        assert.equal(claimed.status, 'running');
        assert.equal(claimed.attempts, 1);
        assert.equal(claimed.leaseOwner, 'w');
        assert.equal(claimed.leaseExpiresAt, '2024-01-01T00:00:10.000Z');
        assert.equal(await store.jobs.claim({ workerId: 'w2', kinds: ['test'], leaseMs: LEASE, at: clock() }), undefined);

        const effects = await effectTable(target);
        try {
          clock.advance(1000);
          const lease = { id: job.id, workerId: 'w', attempt: 1 };
          assert.equal(await store.jobs.complete(lease, { ok: true }, clock(), writeEffect(job.id, 'w')), true);
          const done = await queue.get(job.id);
          assert.equal(done?.status, 'succeeded');
          assert.deepEqual(done.result, { ok: true });
          assert.equal(done.leaseExpiresAt, null);
          assert.equal(done.updatedAt, '2024-01-01T00:00:01.000Z');
          assert.deepEqual(await effects.rows(), [{ jobId: job.id, worker: 'w' }]);
          // Completing twice, or after the fact, writes nothing.
          assert.equal(await store.jobs.complete(lease, { again: true }, clock(), writeEffect(job.id, 'w')), false);
          assert.equal((await effects.rows()).length, 1);
        } finally {
          await effects.close();
        }
      });
    });

    test('a job is not claimed before its run_at; jobs are claimed in run_at, id order', async () => {
      await withQueue(factory, async ({ store, clock }) => {
        const queue = createJobQueue({ store, now: clock });
        const later = await queue.enqueue('test', null, { runAt: new Date(clock().getTime() + 60_000) });
        const a = await queue.enqueue('test', 'a');
        const b = await queue.enqueue('test', 'b');
        const claim = () => store.jobs.claim({ workerId: 'w', kinds: ['test'], leaseMs: 3_600_000, at: clock() });
        assert.equal((await claim())?.id, a.job.id);
        assert.equal((await claim())?.id, b.job.id);
        assert.equal(await claim(), undefined);
        clock.advance(60_000);
        assert.equal((await claim())?.id, later.job.id);
      });
    });

    test('an expired lease makes the job claimable again, and the stale owner can no longer write', async () => {
      await withQueue(factory, async ({ store, clock, target }) => {
        const queue = createJobQueue({ store, now: clock });
        const { job } = await queue.enqueue('test', null);
        const first = await store.jobs.claim({ workerId: 'a', kinds: ['test'], leaseMs: LEASE, at: clock() });
        assert.equal(first?.attempts, 1);
        const stale = { id: job.id, workerId: 'a', attempt: 1 };
        clock.advance(LEASE - 1);
        assert.equal(await store.jobs.claim({ workerId: 'b', kinds: ['test'], leaseMs: LEASE, at: clock() }), undefined, 'lease still valid');
        clock.advance(2);
        const second = await store.jobs.claim({ workerId: 'b', kinds: ['test'], leaseMs: LEASE, at: clock() });
        assert.equal(second?.id, job.id);
        assert.equal(second.attempts, 2);
        assert.equal(second.leaseOwner, 'b');

        const effects = await effectTable(target);
        try {
          assert.equal(await store.jobs.heartbeat(stale, LEASE, clock()), false);
          assert.equal(await store.jobs.complete(stale, 'stale', clock(), writeEffect(job.id, 'a')), false);
          assert.equal(await store.jobs.fail(stale, 'stale', null, clock()), false);
          assert.equal(await store.jobs.release(stale, clock()), false);
          // Same owner name but the old attempt: still fenced off (a restarted worker reusing its id).
          assert.equal(await store.jobs.complete({ ...stale, workerId: 'b' }, 'stale', clock()), false);
          assert.deepEqual(await effects.rows(), []);
          assert.equal(await store.jobs.complete({ id: job.id, workerId: 'b', attempt: 2 }, 'fresh', clock(), writeEffect(job.id, 'b')), true);
          assert.deepEqual(await effects.rows(), [{ jobId: job.id, worker: 'b' }]);
          assert.equal((await queue.get(job.id))?.result, 'fresh');
        } finally {
          await effects.close();
        }
      });
    });

    test('a heartbeat extends the lease', async () => {
      await withQueue(factory, async ({ store, clock }) => {
        const { job } = await createJobQueue({ store, now: clock }).enqueue('test', null);
        await store.jobs.claim({ workerId: 'a', kinds: ['test'], leaseMs: LEASE, at: clock() });
        clock.advance(8_000);
        assert.equal(await store.jobs.heartbeat({ id: job.id, workerId: 'a', attempt: 1 }, LEASE, clock()), true);
        clock.advance(8_000);
        assert.equal(await store.jobs.claim({ workerId: 'b', kinds: ['test'], leaseMs: LEASE, at: clock() }), undefined);
        assert.equal((await store.jobs.get(job.id))?.leaseExpiresAt, '2024-01-01T00:00:18.000Z');
        clock.advance(2_001);
        assert.equal((await store.jobs.claim({ workerId: 'b', kinds: ['test'], leaseMs: LEASE, at: clock() }))?.attempts, 2);
      });
    });

    test('a worker that died on the last attempt leaves a dead job, not an endless reclaim', async () => {
      await withQueue(factory, async ({ store, clock }) => {
        const { job } = await createJobQueue({ store, now: clock }).enqueue('test', null, { maxAttempts: 1 });
        await store.jobs.claim({ workerId: 'a', kinds: ['test'], leaseMs: LEASE, at: clock() });
        clock.advance(LEASE + 1);
        assert.equal(await store.jobs.claim({ workerId: 'b', kinds: ['test'], leaseMs: LEASE, at: clock() }), undefined);
        const dead = await store.jobs.get(job.id);
        assert.equal(dead?.status, 'dead');
        assert.equal(dead.lastError, 'lease expired on the last attempt');
      });
    });

    test('fail schedules a retry (status failed until due) or buries the job; release gives it back', async () => {
      await withQueue(factory, async ({ store, clock }) => {
        const queue = createJobQueue({ store, now: clock });
        const { job } = await queue.enqueue('test', null);
        await store.jobs.claim({ workerId: 'a', kinds: ['test'], leaseMs: LEASE, at: clock() });
        const retryAt = new Date(clock().getTime() + 5_000);
        assert.equal(await store.jobs.fail({ id: job.id, workerId: 'a', attempt: 1 }, 'boom', retryAt, clock()), true);
        const failed = await queue.get(job.id);
        assert.deepEqual([failed?.status, failed?.lastError, failed?.runAt], ['failed', 'boom', '2024-01-01T00:00:05.000Z']);
        assert.equal(await store.jobs.claim({ workerId: 'a', kinds: ['test'], leaseMs: LEASE, at: clock() }), undefined);
        clock.advance(5_000);
        assert.equal((await store.jobs.claim({ workerId: 'a', kinds: ['test'], leaseMs: LEASE, at: clock() }))?.attempts, 2);
        assert.equal(await store.jobs.release({ id: job.id, workerId: 'a', attempt: 2 }, clock()), true);
        assert.equal((await queue.get(job.id))?.status, 'queued');
        await store.jobs.claim({ workerId: 'b', kinds: ['test'], leaseMs: LEASE, at: clock() });
        assert.equal(await store.jobs.fail({ id: job.id, workerId: 'b', attempt: 3 }, 'fatal', null, clock()), true);
        assert.equal((await queue.get(job.id))?.status, 'dead');
      });
    });

    test('enqueue with a dedupe key is idempotent', async () => {
      await withQueue(factory, async ({ store, clock }) => {
        const queue = createJobQueue({ store, now: clock });
        const results = await Promise.all([1, 2, 3, 4].map((n) => queue.enqueue('test', { n }, { dedupeKey: 'same' })));
        assert.equal(results.filter((r) => r.created).length, 1);
        assert.equal(new Set(results.map((r) => r.job.id)).size, 1);
        const other = await queue.enqueue('test', null, { dedupeKey: 'other' });
        assert.equal(other.created, true);
        // Jobs without a key are never deduplicated.
        await queue.enqueue('test', null);
        await queue.enqueue('test', null);
        assert.equal((await queue.list({ kind: 'test' })).length, 4);
      });
    });

    test('cancel stops queued and running jobs; a cancelled running job cannot complete', async () => {
      await withQueue(factory, async ({ store, clock }) => {
        const queue = createJobQueue({ store, now: clock });
        const queued = await queue.enqueue('test', null);
        const running = await queue.enqueue('test', null, { runAt: new Date(clock().getTime() - 1) });
        assert.equal((await store.jobs.claim({ workerId: 'a', kinds: ['test'], leaseMs: LEASE, at: clock() }))?.id, running.job.id);
        assert.equal(await queue.cancel(queued.job.id), true);
        assert.equal(await queue.cancel(running.job.id), true);
        assert.equal(await queue.cancel(running.job.id), false);
        assert.equal(await queue.cancel(999_999), false);
        assert.equal(await store.jobs.complete({ id: running.job.id, workerId: 'a', attempt: 1 }, null, clock()), false);
        assert.deepEqual((await queue.list({ status: 'cancelled' })).map((j) => j.id).sort(), [queued.job.id, running.job.id].sort());
        assert.equal(await store.jobs.claim({ workerId: 'a', kinds: ['test'], leaseMs: LEASE, at: clock() }), undefined);
      });
    });

    test('list filters by status and kind, newest first, with a limit', async () => {
      await withQueue(factory, async ({ store, clock }) => {
        const queue = createJobQueue({ store, now: clock });
        for (let i = 0; i < 5; i += 1) await queue.enqueue(i % 2 === 0 ? 'even' : 'odd', i);
        await store.jobs.claim({ workerId: 'a', kinds: ['even'], leaseMs: LEASE, at: clock() });
        assert.deepEqual((await queue.list({ kind: 'even' })).map((j) => j.payload), [4, 2, 0]);
        assert.deepEqual((await queue.list({ kind: 'even', status: 'queued' })).map((j) => j.payload), [4, 2]);
        assert.deepEqual((await queue.list({ status: ['running', 'queued'], limit: 2 })).map((j) => j.payload), [4, 3]);
        const page = await queue.list({ limit: 2, beforeId: (await queue.list({ limit: 2 }))[1]?.id ?? 0 });
        assert.deepEqual(page.map((j) => j.payload), [2, 1]);
        await assert.rejects(queue.enqueue('Bad Kind', null), /job kind/);
        await assert.rejects(queue.enqueue('test', null, { maxAttempts: 0 }), /maxAttempts/);
      });
    });

    test('two schedulers on two stores enqueue each period once, and never a second pending instance', async () => {
      await withQueue(factory, async ({ store, clock, target }) => {
        const other = await openStore({ ...target.options(), now: clock });
        try {
          const hourly = 3_600_000;
          clock.advance(90 * 60_000); // 01:30
          const nodes = [createJobQueue({ store, now: clock }), createJobQueue({ store: other, now: clock })];
          const tick = () => Promise.all(nodes.flatMap((q) => [q.schedule('retention', hourly), q.schedule('retention', hourly)]));
          const first = (await tick()).filter((j) => j !== undefined);
          assert.equal(first.length, 1);
          assert.equal(first[0]?.runAt, '2024-01-01T01:00:00.000Z');
          assert.equal(first[0]?.dedupeKey, 'schedule:retention:2024-01-01T01:00:00.000Z');
          // Next period, but the 01:00 instance has not run yet: nothing new.
          clock.advance(hourly);
          assert.deepEqual((await tick()).filter((j) => j !== undefined), []);
          const claimed = await store.jobs.claim({ workerId: 'w', kinds: ['retention'], leaseMs: LEASE, at: clock() });
          await store.jobs.complete({ id: claimed?.id ?? 0, workerId: 'w', attempt: 1 }, null, clock());
          const second = (await tick()).filter((j) => j !== undefined);
          assert.deepEqual(second.map((j) => j?.runAt), ['2024-01-01T02:00:00.000Z']);
          assert.equal((await nodes[0]?.list({ kind: 'retention' }))?.length, 2);
          assert.equal(periodStart(new Date('2024-01-01T02:59:59.999Z'), hourly).toISOString(), '2024-01-01T02:00:00.000Z');
        } finally {
          await other.close();
        }
      });
    });

    test('concurrent claims from two stores never hand one job to two workers', async () => {
      await withQueue(factory, async ({ store, clock, target }) => {
        const other = await openStore({ ...target.options(), now: clock });
        try {
          const queue = createJobQueue({ store, now: clock });
          for (let i = 0; i < 40; i += 1) await queue.enqueue('test', i);
          const claimAll = async (s: Store, worker: string): Promise<number[]> => {
            const ids: number[] = [];
            for (;;) {
              const job = await s.jobs.claim({ workerId: worker, kinds: ['test'], leaseMs: LEASE, at: clock() });
              if (job === undefined) return ids;
              ids.push(job.id);
            }
          };
          const results = await Promise.all([
            claimAll(store, 'a1'), claimAll(store, 'a2'), claimAll(other, 'b1'), claimAll(other, 'b2'),
          ]);
          const all = results.flat();
          assert.equal(all.length, 40);
          assert.equal(new Set(all).size, 40);
        } finally {
          await other.close();
        }
      });
    });
  });
}

await forEachDialect('job queue', suite);
