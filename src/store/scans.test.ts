import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { isStoreError, openStore, type Store } from './index.js';
import { migrateTo } from './migrations.js';
import { forEachDialect, withStore, type TargetFactory } from '../../test/support/store-targets.js';

async function* pieces(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

async function readAll(store: Store, id: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of store.scans.readBlob(id)) out.push(chunk);
  return out;
}

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

function suite(name: string, factory: TargetFactory): void {
  describe(`scan store on ${name}`, () => {
    test('a blob streams in chunk by chunk and back out unchanged; the hash is checked', async () => {
      await withStore(factory, async (store) => {
        const data = randomBytes(10_000);
        const info = await store.scans.writeBlob(pieces(data, 777), { maxBytes: 10_000, chunkSize: 4096 });
        assert.deepEqual([info.status, info.size, info.chunks, info.chunkSize], ['complete', 10_000, 3, 4096]);
        assert.equal(info.sha256, createHash('sha256').update(data).digest('hex'));
        const chunks = await readAll(store, info.id);
        assert.deepEqual(chunks.map((c) => c.length), [4096, 4096, 1808]);
        assert.ok(Buffer.concat(chunks).equals(data));
        assert.deepEqual(await store.scans.countBlobs(), { blobs: 1, chunks: 3 });

        const empty = await store.scans.writeBlob(pieces(Buffer.alloc(0), 1), { maxBytes: 10 });
        assert.deepEqual([empty.size, empty.chunks], [0, 0]);
        assert.deepEqual(await readAll(store, empty.id), []);

        assert.equal(await store.scans.deleteBlob(info.id), true);
        assert.equal(await store.scans.deleteBlob(info.id), false);
        await assert.rejects(readAll(store, info.id), (e: unknown) => isStoreError(e) && e.code === 'NOT_FOUND');
      });
    });

    test('past maxBytes the upload is refused and nothing of it is kept', async () => {
      await withStore(factory, async (store) => {
        await assert.rejects(
          store.scans.writeBlob(pieces(randomBytes(9000), 1000), { maxBytes: 8999, chunkSize: 2048 }),
          (e: unknown) => isStoreError(e) && e.code === 'TOO_LARGE',
        );
        assert.deepEqual(await store.scans.countBlobs(), { blobs: 0, chunks: 0 });
        // A source that fails mid-way (a client that hangs up) leaves nothing either.
        async function* broken(): AsyncGenerator<Buffer> {
          yield randomBytes(5000);
          throw new Error('aborted');
        }
        await assert.rejects(store.scans.writeBlob(broken(), { maxBytes: 1e6, chunkSize: 1024 }), /aborted/);
        assert.deepEqual(await store.scans.countBlobs(), { blobs: 0, chunks: 0 });
      });
    });

    test('scans: create, list newest first by owner and page, run, complete twice (overwrite), fail', async () => {
      await withStore(factory, async (store) => {
        const blob = await store.scans.writeBlob(pieces(Buffer.from('tar bytes'), 4), { maxBytes: 100, chunkSize: 4 });
        const owner = 'f'.repeat(64);
        const first = await store.scans.createScan({ target: 'upload:a.tar', inputKind: 'upload', input: { kind: 'upload', blobId: blob.id }, quotaKey: owner });
        assert.equal(first.status, 'queued');
        assert.match(first.id, /^[0-9a-f-]{36}$/);
        const second = await store.scans.createScan({ target: 'registry:alpine:3.19', inputKind: 'registry', input: { kind: 'registry', reference: 'alpine:3.19' }, quotaKey: owner });
        const other = await store.scans.createScan({ target: 'sbom:x', inputKind: 'sbom', input: { kind: 'sbom', blobId: 'x' }, quotaKey: 'e'.repeat(64) });

        assert.deepEqual((await store.scans.listScans({ owner })).map((s) => s.id), [second.id, first.id]);
        assert.deepEqual((await store.scans.listScans()).map((s) => s.id), [other.id, second.id, first.id]);
        const page1 = await store.scans.listScans({ limit: 2 });
        const page2 = await store.scans.listScans({ limit: 2, before: { createdAt: page1[1]!.createdAt, id: page1[1]!.id } });
        assert.deepEqual([...page1, ...page2].map((s) => s.id), [other.id, second.id, first.id]);

        const running = await store.scans.markScanRunning(first.id);
        assert.equal(running?.status, 'running');
        assert.ok(running?.startedAt);
        // A re-claimed job marks it running again (the worker before it died).
        assert.equal((await store.scans.markScanRunning(first.id))?.status, 'running');

        const results = { inventory: '{"packages":[]}', findings: '[]', summary: { packages: 0 } };
        assert.equal(await store.scans.completeScan(first.id, results, { deleteBlob: blob.id }), true);
        assert.equal(await store.scans.completeScan(first.id, { ...results, findings: '[{"id":"X"}]' }, { deleteBlob: blob.id }), true);
        const done = await store.scans.getScan(first.id);
        assert.deepEqual([done?.status, done?.summary, done?.error], ['done', { packages: 0 }, null]);
        const stored = await store.scans.getScanResults(first.id);
        assert.equal(stored?.findings, '[{"id":"X"}]');
        assert.equal(stored?.sha256, done?.resultsSha256);
        assert.deepEqual(await store.scans.countBlobs(), { blobs: 0, chunks: 0 }, 'the upload goes with the results');
        assert.equal(await store.scans.markScanRunning(first.id), undefined, 'a done scan is not run again');

        assert.equal(await store.scans.failScan(second.id, 'UNREACHABLE: registry down'), true);
        const failed = await store.scans.getScan(second.id);
        assert.deepEqual([failed?.status, failed?.error, failed?.summary], ['failed', 'UNREACHABLE: registry down', null]);
        assert.equal(await store.scans.getScanResults(second.id), undefined);
        assert.equal(await store.scans.completeScan('00000000-0000-4000-8000-000000000000', results), false);
      });
    });

    test('layer fragments: uploads are per uploader and never replace; the scanner\'s own replaces every upload', async () => {
      await withStore(factory, async (store) => {
        const u = { owner: 'u' };
        const v = { owner: 'v' };
        assert.deepEqual(await store.scans.missingFragments([DIGEST_A, DIGEST_B, DIGEST_A], 'dpkg@1', u), [DIGEST_A, DIGEST_B]);
        assert.equal(await store.scans.putFragment({ digest: DIGEST_A, analyzers: 'dpkg@1', json: '{"v":1}', origin: 'upload', uploader: 'u' }), true);
        assert.equal(await store.scans.putFragment({ digest: DIGEST_A, analyzers: 'dpkg@1', json: '{"v":2}', origin: 'upload', uploader: 'u' }), false, 'an upload never replaces');
        await assert.rejects(store.scans.putFragment({ digest: DIGEST_A, analyzers: 'dpkg@1', json: '{"v":2}', origin: 'upload' }), { code: 'INVALID_INPUT' });
        assert.deepEqual(await store.scans.getFragment(DIGEST_A, 'dpkg@1', u), { json: '{"v":1}', origin: 'upload' });
        // Another principal neither sees u's upload nor is told the layer is present.
        assert.equal(await store.scans.getFragment(DIGEST_A, 'dpkg@1', v), undefined);
        assert.equal(await store.scans.getFragment(DIGEST_A, 'dpkg@1'), undefined, 'no owner: the scanner\'s own only');
        assert.deepEqual(await store.scans.missingFragments([DIGEST_A, DIGEST_B], 'dpkg@1', u), [DIGEST_B]);
        assert.deepEqual(await store.scans.missingFragments([DIGEST_A, DIGEST_B], 'dpkg@1', v), [DIGEST_A, DIGEST_B]);
        assert.deepEqual(await store.scans.missingFragments([DIGEST_A], 'dpkg@2', u), [DIGEST_A], 'other analyzers: missing');
        // v's own upload of the same layer is kept beside u's; each sees its own.
        assert.equal(await store.scans.putFragment({ digest: DIGEST_A, analyzers: 'dpkg@1', json: '{"v":9}', origin: 'upload', uploader: 'v' }), true);
        assert.deepEqual(await store.scans.getFragment(DIGEST_A, 'dpkg@1', v), { json: '{"v":9}', origin: 'upload' });
        assert.deepEqual(await store.scans.getFragment(DIGEST_A, 'dpkg@1', u), { json: '{"v":1}', origin: 'upload' });

        assert.equal(await store.scans.putFragment({ digest: DIGEST_A, analyzers: 'dpkg@1', json: '{"v":3}', origin: 'scan' }), true);
        for (const who of [u, v, {}]) assert.deepEqual(await store.scans.getFragment(DIGEST_A, 'dpkg@1', who), { json: '{"v":3}', origin: 'scan' });
        assert.equal(await store.scans.putFragment({ digest: DIGEST_A, analyzers: 'dpkg@1', json: '{"v":4}', origin: 'upload', uploader: 'w' }), false, 'nothing is uploaded over the scanner\'s own');
        assert.deepEqual(await store.scans.missingFragments([DIGEST_A], 'dpkg@1', { owner: 'w' }), []);
        assert.equal(await store.scans.putFragment({ digest: DIGEST_A, analyzers: 'dpkg@1', json: '{"v":5}', origin: 'scan' }), true);
        assert.deepEqual(await store.scans.getFragment(DIGEST_A, 'dpkg@1', u), { json: '{"v":5}', origin: 'scan' });
        const many = Array.from({ length: 1200 }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
        assert.equal((await store.scans.missingFragments([...many, DIGEST_A], 'dpkg@1', u)).length, 1200);
      });
    });
  });
}

await forEachDialect('scan store', suite);

test('upgrade 0005 → 0006: the scanner\'s fragments stay shared, an earlier upload becomes its uploader\'s only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stella-frag-upgrade-'));
  try {
    const path = join(dir, 'stella.db');
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SqliteDatabase(path) }) });
    await migrateTo(old, 'sqlite', '0005_authority');
    const at = '2026-01-01T00:00:00.000Z';
    await sql`insert into layer_fragments (digest, analyzers, json, sha256, origin, uploader, created_at) values
      (${DIGEST_A}, 'dpkg@1', '{"a":1}', 'x', 'scan', null, ${at}),
      (${DIGEST_B}, 'dpkg@1', '{"b":1}', 'y', 'upload', 'quota-key-u', ${at})`.execute(old);
    await old.destroy();
    const store = await openStore({ url: `sqlite:${path}` });
    try {
      assert.deepEqual(await store.scans.getFragment(DIGEST_A, 'dpkg@1'), { json: '{"a":1}', origin: 'scan' });
      assert.deepEqual(await store.scans.getFragment(DIGEST_B, 'dpkg@1', { owner: 'quota-key-u' }), { json: '{"b":1}', origin: 'upload' });
      assert.equal(await store.scans.getFragment(DIGEST_B, 'dpkg@1', { owner: 'someone-else' }), undefined);
      assert.deepEqual(await store.migrate(), []);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
