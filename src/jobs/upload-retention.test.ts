import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore, type Store } from '../store/index.js';
import { forEachDialect, type TargetFactory } from '../../test/support/store-targets.js';
import { createJobQueue, jobHandlers, runWorker, UPLOAD_RETENTION_JOB } from './index.js';

const HOUR = 3_600_000;

async function* bytes(n: number): AsyncGenerator<Buffer> {
  yield Buffer.alloc(n, 7);
}

/** An upload whose client went silent after its first chunk: the blob stays 'writing'. */
function stalledUpload(): { source: AsyncGenerator<Buffer>; abandon: () => void } {
  let abandon!: () => void;
  const gone = new Promise<never>((_resolve, reject) => {
    abandon = () => reject(new Error('client gone'));
  });
  async function* source(): AsyncGenerator<Buffer> {
    yield Buffer.alloc(5000, 1);
    await gone;
  }
  return { source: source(), abandon };
}

async function blobIds(store: Store, ids: Record<string, string>): Promise<string[]> {
  const present: string[] = [];
  for (const [name, id] of Object.entries(ids)) if ((await store.scans.getBlob(id)) !== undefined) present.push(name);
  return present.sort();
}

function suite(dialect: string, factory: TargetFactory): void {
  describe(`upload retention on ${dialect}`, () => {
    test('after a day, incomplete and unreferenced uploads go; a queued scan\'s upload and young uploads stay', async () => {
      const target = await factory();
      let t = Date.parse('2026-01-01T00:00:00.000Z');
      const now = (): Date => new Date(t);
      const store = await openStore({ ...target.options(), now });
      const stalled = stalledUpload();
      let stalledWrite: Promise<unknown> | undefined;
      try {
        stalledWrite = store.scans.writeBlob(stalled.source, { maxBytes: 1 << 20, chunkSize: 4096 }).catch((error: unknown) => error);
        const orphan = await store.scans.writeBlob(bytes(10), { maxBytes: 1 << 20 });
        const queuedBlob = await store.scans.writeBlob(bytes(20), { maxBytes: 1 << 20 });
        const doneBlob = await store.scans.writeBlob(bytes(30), { maxBytes: 1 << 20 });
        await store.scans.createScan({ target: 'upload:q.tar', inputKind: 'upload', input: { kind: 'upload', blobId: queuedBlob.id } });
        const done = await store.scans.createScan({ target: 'upload:d.tar', inputKind: 'upload', input: { kind: 'upload', blobId: doneBlob.id } });
        await store.scans.markScanRunning(done.id);
        // Finished without removing its upload (as a crash between the two once could).
        await store.scans.completeScan(done.id, { inventory: '{}', findings: '[]', summary: {} });
        // Wait until the stalled upload has stored its row (its first chunk is in).
        while ((await store.scans.countBlobs()).chunks < 1) await new Promise((r) => setImmediate(r));
        assert.deepEqual(await store.scans.countBlobs(), { blobs: 4, chunks: 4 }, 'the stalled upload and three complete ones');
        const ids = { orphan: orphan.id, queued: queuedBlob.id, done: doneBlob.id };

        const queue = createJobQueue({ store, now });
        const handlers = jobHandlers({ stellaHome: '/nonexistent' });
        const runOnce = async (): Promise<unknown> => {
          const { job } = await queue.enqueue(UPLOAD_RETENTION_JOB, null);
          const summary = await runWorker({ store, handlers, now, pollMs: 1, stopWhenIdle: true });
          assert.equal(summary.succeeded, 1);
          return (await store.jobs.get(job.id))?.result;
        };

        t += 23 * HOUR;
        assert.deepEqual(await runOnce(), { incomplete: 0, unreferenced: 0, before: '2025-12-31T23:00:00.000Z' }, 'nothing a day old yet');
        assert.deepEqual(await blobIds(store, ids), ['done', 'orphan', 'queued']);
        assert.deepEqual(await store.scans.countBlobs(), { blobs: 4, chunks: 4 });

        t += 2 * HOUR;
        const young = await store.scans.writeBlob(bytes(40), { maxBytes: 1 << 20 });
        assert.deepEqual(await runOnce(), { incomplete: 1, unreferenced: 2, before: '2026-01-01T01:00:00.000Z' });
        assert.deepEqual(await blobIds(store, { ...ids, young: young.id }), ['queued', 'young']);
        assert.deepEqual(await store.scans.countBlobs(), { blobs: 2, chunks: 2 }, 'the stalled upload and its chunk are gone');
        // The queued scan's upload is whole and readable.
        let size = 0;
        for await (const chunk of store.scans.readBlob(queuedBlob.id)) size += chunk.length;
        assert.equal(size, 20);
      } finally {
        stalled.abandon();
        await stalledWrite;
        await store.close();
        await target.dispose();
      }
    });
  });
}

await forEachDialect('upload retention', suite);
