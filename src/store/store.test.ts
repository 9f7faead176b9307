import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStoreError, openStore } from './index.js';
import { fakeClock, forEachDialect, PG_URL, withStore, type TargetFactory } from '../../test/support/store-targets.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function suite(name: string, factory: TargetFactory): void {
  describe(`store on ${name}`, () => {
    test('opens with the expected dialect, and running migrations again is a no-op', async () => {
      await withStore(factory, async (store, target) => {
        assert.equal(store.dialect, name);
        assert.deepEqual(await store.migrate(), []);
        assert.deepEqual(await store.migrate(), []);
        await store.putRawDocument({ source: 'osv', documentId: 'A', body: bytes('{}') });
        const again = await openStore({ ...target.options(), now: fakeClock() });
        try {
          assert.deepEqual(await again.migrate(), []);
          assert.equal((await again.listRawDocuments('osv')).length, 1);
        } finally {
          await again.close();
        }
      });
    });

    test('an identical raw document put twice is inserted once', async () => {
      await withStore(factory, async (store) => {
        const doc = { source: 'osv', documentId: 'GHSA-1', url: 'https://x/GHSA-1.json', contentType: 'application/json', body: bytes('{"a":1}') };
        const first = await store.putRawDocument(doc);
        assert.equal(first.inserted, true);
        assert.match(first.sha256, /^[0-9a-f]{64}$/);
        const second = await store.putRawDocument(doc);
        assert.deepEqual(second, { ...first, inserted: false });
        const list = await store.listRawDocuments('osv');
        assert.equal(list.length, 1);
        assert.equal(list[0]?.fetchedAt, '2024-01-01T00:00:00.000Z');

        const changed = await store.putRawDocument({ ...doc, body: bytes('{"a":2}') });
        assert.equal(changed.inserted, true);
        assert.equal((await store.listRawDocuments('osv')).length, 2);
        assert.deepEqual(await store.listRawDocuments('nvd'), []);

        const latest = await store.getRawDocument('osv', 'GHSA-1');
        assert.ok(latest);
        assert.equal(Buffer.from(latest.body).toString('utf8'), '{"a":2}');
        assert.equal(latest.contentType, 'application/json');
        assert.equal(latest.url, 'https://x/GHSA-1.json');
        const older = await store.getRawDocument('osv', 'GHSA-1', first.sha256);
        assert.equal(Buffer.from(older?.body ?? []).toString('utf8'), '{"a":1}');
        assert.equal(await store.getRawDocument('osv', 'nope'), undefined);

        const binary = Uint8Array.from([0, 255, 1, 254, 0]);
        await store.putRawDocument({ source: 'bin', documentId: 'b', body: binary, fetchedAt: new Date('2023-05-06T07:08:09Z') });
        const got = await store.getRawDocument('bin', 'b');
        assert.deepEqual([...(got?.body ?? [])], [...binary]);
        assert.equal(got?.fetchedAt, '2023-05-06T07:08:09.000Z');
      });
    });

    test('source state round-trips and is replaced by put', async () => {
      await withStore(factory, async (store) => {
        assert.equal(await store.getSourceState('osv'), undefined);
        const put = await store.putSourceState({
          source: 'osv',
          cursor: { page: 3, since: '2024-01-01' },
          lastError: 'timeout',
          failureCount: 2,
          backoffUntil: new Date('2024-01-02T00:00:00Z'),
        });
        assert.deepEqual(await store.getSourceState('osv'), put);
        assert.deepEqual(put, {
          source: 'osv',
          cursor: { page: 3, since: '2024-01-01' },
          lastSuccess: null,
          lastError: 'timeout',
          failureCount: 2,
          backoffUntil: '2024-01-02T00:00:00.000Z',
          updatedAt: '2024-01-01T00:00:00.000Z',
        });
        await store.putSourceState({ source: 'osv', cursor: 'etag-9', lastSuccess: new Date('2024-01-03T00:00:00Z') });
        assert.deepEqual(await store.getSourceState('osv'), {
          source: 'osv',
          cursor: 'etag-9',
          lastSuccess: '2024-01-03T00:00:00.000Z',
          lastError: null,
          failureCount: 0,
          backoffUntil: null,
          updatedAt: '2024-01-01T00:00:01.000Z',
        });
      });
    });

    test('advisory upsert replaces aliases and records merge events only on change', async () => {
      await withStore(factory, async (store) => {
        const v1 = await store.putAdvisory({ key: 'ADV-1', json: '{"v":1}', aliases: ['GHSA-x', 'CVE-2024-1', 'CVE-2024-1'], modified: new Date('2024-02-01T00:00:00Z') });
        assert.equal(v1.changed, true);
        assert.equal(v1.beforeSha256, null);
        const same = await store.putAdvisory({ key: 'ADV-1', json: '{"v":1}', aliases: ['GHSA-x', 'CVE-2024-1'], modified: new Date('2024-02-01T00:00:00Z') });
        assert.deepEqual(same, { changed: false, beforeSha256: v1.afterSha256, afterSha256: v1.afterSha256 });
        assert.equal((await store.listMergeEvents('ADV-1')).length, 1);

        const stored = await store.getAdvisory('ADV-1');
        assert.deepEqual(stored, {
          key: 'ADV-1',
          json: '{"v":1}',
          sha256: v1.afterSha256,
          modified: '2024-02-01T00:00:00.000Z',
          withdrawn: null,
          aliases: ['CVE-2024-1', 'GHSA-x'],
        });

        const v2 = await store.putAdvisory({ key: 'ADV-1', json: '{"v":2}', aliases: ['CVE-2024-1', 'CVE-2024-2'], withdrawn: new Date('2024-03-01T00:00:00Z') });
        assert.equal(v2.changed, true);
        assert.equal(v2.beforeSha256, v1.afterSha256);
        assert.deepEqual(await store.findAdvisoryKeysByAlias('GHSA-x'), []);
        assert.deepEqual(await store.findAdvisoryKeysByAlias('CVE-2024-2'), ['ADV-1']);
        assert.equal((await store.getAdvisory('ADV-1'))?.withdrawn, '2024-03-01T00:00:00.000Z');

        await store.putAdvisory({ key: 'ADV-0', json: '{}', aliases: ['CVE-2024-1'] });
        assert.deepEqual(await store.findAdvisoryKeysByAlias('CVE-2024-1'), ['ADV-0', 'ADV-1']);
        assert.equal(await store.getAdvisory('missing'), undefined);

        const events = await store.listMergeEvents('ADV-1');
        assert.deepEqual(
          events.map((e) => [e.beforeSha256, e.afterSha256]),
          [
            [null, v1.afterSha256],
            [v1.afterSha256, v2.afterSha256],
          ],
        );
        assert.ok(events.every((e) => /^2024-01-01T00:00:\d\d\.000Z$/.test(e.at)));
      });
    });

    test('20 concurrent putAdvisory calls stay consistent', async () => {
      await withStore(factory, async (store) => {
        const variants = [0, 1, 2, 3, 4].map((v) => ({ json: `{"v":${v}}`, aliases: [`CVE-${v}`, 'SHARED'] }));
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => {
            const v = variants[i % 5];
            assert.ok(v);
            return store.putAdvisory({ key: 'HOT', json: v.json, aliases: v.aliases });
          }),
        );
        const stored = await store.getAdvisory('HOT');
        assert.ok(stored);
        const winner = variants.find((v) => v.json === stored.json);
        assert.ok(winner, 'stored json is one of the written variants');
        assert.deepEqual(stored.aliases, [...winner.aliases].sort());
        assert.deepEqual(await store.findAdvisoryKeysByAlias('SHARED'), ['HOT']);

        // The merge events form one unbroken chain that ends at the stored hash.
        const events = await store.listMergeEvents('HOT');
        assert.equal(events.length, results.filter((r) => r.changed).length);
        assert.equal(events[0]?.beforeSha256, null);
        for (let i = 1; i < events.length; i++) assert.equal(events[i]?.beforeSha256, events[i - 1]?.afterSha256);
        assert.ok(events.every((e) => e.beforeSha256 !== e.afterSha256));
        assert.equal(events.at(-1)?.afterSha256, stored.sha256);

        // Twenty different keys at once, all sharing one alias.
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.putAdvisory({ key: `K-${String(i).padStart(2, '0')}`, json: `{"k":${i}}`, aliases: ['COMMON', `OWN-${i}`] }),
          ),
        );
        const keys = await store.findAdvisoryKeysByAlias('COMMON');
        assert.deepEqual(keys, Array.from({ length: 20 }, (_, i) => `K-${String(i).padStart(2, '0')}`));
        for (const key of keys) assert.equal((await store.listMergeEvents(key)).length, 1);
      });
    });

    test('parse errors are recorded with the store clock', async () => {
      await withStore(factory, async (store) => {
        await store.recordParseError({ source: 'osv', documentId: 'd1', recordId: 'r1', message: 'bad range' });
        await store.recordParseError({ source: 'osv', documentId: 'd2', message: 'not JSON' });
        assert.deepEqual(await store.listParseErrors('osv'), [
          { source: 'osv', documentId: 'd1', recordId: 'r1', message: 'bad range', at: '2024-01-01T00:00:00.000Z' },
          { source: 'osv', documentId: 'd2', recordId: null, message: 'not JSON', at: '2024-01-01T00:00:01.000Z' },
        ]);
      });
    });
  });
}

await forEachDialect('store', suite);

function pipelineSuite(name: string, factory: TargetFactory): void {
  describe(`store pipeline tables on ${name}`, () => {
    test('documents flow pending → parsed; identical re-parse keeps provenance and mapping', async () => {
      await withStore(factory, async (store) => {
        const d1 = await store.putRawDocument({ source: 'nvd', documentId: 'page-0', body: bytes('[1,2]') });
        await store.putRawDocument({ source: 'nvd', documentId: 'page-1', body: bytes('[3]') });
        await store.putRawDocument({ source: 'osv', documentId: 'x', body: bytes('{}') });
        const pending = await store.listPendingDocuments('nvd', 0, 10);
        assert.deepEqual(pending.map((d) => d.documentId), ['page-0', 'page-1']);
        const rec = (recordId: string, dto: string, sha: string) => ({
          source: 'nvd', recordId, documentId: 'page-0', documentSha256: sha, recordedAt: '2024-01-01T00:00:00.000Z', dto,
        });
        assert.deepEqual(await store.putParsedDocument(d1.id, 'parsed', [rec('CVE-1', '{"a":1}', d1.sha256), rec('CVE-2', '{"b":2}', d1.sha256)]), { changed: 2 });
        assert.deepEqual((await store.listPendingDocuments('nvd', 0, 10)).map((d) => d.documentId), ['page-1']);
        const toMap = await store.listRecordsToMap('nvd', null, 10);
        assert.deepEqual(toMap.map((r) => r.recordId), ['CVE-1', 'CVE-2']);
        await store.putMappedRecords([
          { source: 'nvd', recordId: 'CVE-1', advisory: '{"id":"CVE-1"}', ids: ['CVE-1', 'GHSA-x'], upstream: [] },
          { source: 'nvd', recordId: 'CVE-2', advisory: null, ids: ['CVE-2'], upstream: [], error: 'bad' },
        ]);
        assert.deepEqual(await store.listRecordsToMap('nvd', null, 10), []);
        assert.deepEqual(await store.listAliasRows(), [{ source: 'nvd', recordId: 'CVE-1', ids: ['CVE-1', 'GHSA-x'], upstream: [] }]);
        // The same record content from another document: nothing changes, it stays mapped.
        const d2 = await store.putRawDocument({ source: 'nvd', documentId: 'page-9', body: bytes('[1]') });
        assert.deepEqual(await store.putParsedDocument(d2.id, 'parsed', [{ ...rec('CVE-1', '{"a":1}', d2.sha256), documentId: 'page-9' }]), { changed: 0 });
        const mapped = await store.getMappedAdvisories([{ source: 'nvd', recordId: 'CVE-1' }, { source: 'nvd', recordId: 'CVE-2' }]);
        assert.deepEqual([...mapped], [['nvd\u0000CVE-1', '{"id":"CVE-1"}']]);
        // New content replaces the record and queues it for mapping again.
        assert.deepEqual(await store.putParsedDocument(d2.id, 'parsed', [{ ...rec('CVE-1', '{"a":2}', d2.sha256), documentId: 'page-9' }]), { changed: 1 });
        const again = await store.listRecordsToMap('nvd', null, 10);
        assert.deepEqual(again.map((r) => [r.recordId, r.documentId, r.dto]), [['CVE-1', 'page-9', '{"a":2}']]);
        const counts = await store.countBySource();
        assert.deepEqual(counts.map((c) => [c.source, c.documents, c.records]), [
          ['nvd', { pending: 1, parsed: 2, failed: 0 }, { parsed: 1, mapped: 0, failed: 1 }],
          ['osv', { pending: 1, parsed: 0, failed: 0 }, { parsed: 0, mapped: 0, failed: 0 }],
        ]);
        assert.equal(await store.resetMapping('nvd'), 1);
      });
    });

    test('raw documents in bulk: one insert per chunk, re-puts and in-call duplicates not inserted twice', async () => {
      await withStore(factory, async (store) => {
        const docs = Array.from({ length: 450 }, (_, i) => ({ source: 'osv', documentId: `npm/R-${i}.json`, body: bytes(`{"id":"R-${i}"}`) }));
        const first = await store.putRawDocuments([...docs, docs[3] as (typeof docs)[number]]);
        assert.equal(first.length, 451);
        assert.equal(first.filter((r) => r.inserted).length, 450);
        assert.equal(first[450]?.inserted, false);
        assert.equal(first[450]?.id, first[3]?.id);
        const again = await store.putRawDocuments([docs[0] as (typeof docs)[number], { ...(docs[1] as (typeof docs)[number]), body: bytes('{"id":"R-1","v":2}') }]);
        assert.deepEqual(again.map((r) => r.inserted), [false, true]);
        assert.equal(again[0]?.id, first[0]?.id);
        assert.equal((await store.listPendingDocuments('osv', 0, 1000)).length, 451);
        assert.deepEqual(await store.putRawDocuments([]), []);
      });
    });

    test('advisories in batches: unchanged ones untouched; deletions leave a null-after event; package search', async () => {
      await withStore(factory, async (store) => {
        const a = { key: 'CVE-2020-8203', json: '{"k":1}', aliases: ['GHSA-p6mc-m468-83gw'], packages: [{ ecosystem: 'npm', name: 'lodash' }, { ecosystem: 'npm', name: 'lodash' }] };
        const b = { key: 'GHSA-aaaa-bbbb-cccc', json: '{"k":2}', aliases: [], packages: [{ ecosystem: 'PyPI', name: 'lodash' }] };
        const first = await store.putAdvisories([a, b]);
        assert.deepEqual(first.map((r) => r.changed), [true, true]);
        const second = await store.putAdvisories([a, { ...b, json: '{"k":3}' }]);
        assert.deepEqual(second.map((r) => r.changed), [false, true]);
        assert.deepEqual(await store.findAdvisoryKeysByPackage('lodash'), ['CVE-2020-8203', 'GHSA-aaaa-bbbb-cccc']);
        assert.deepEqual(await store.findAdvisoryKeysByPackage('lodash', 'npm'), ['CVE-2020-8203']);
        assert.deepEqual([...(await store.listAdvisoryHashes()).keys()].sort(), ['CVE-2020-8203', 'GHSA-aaaa-bbbb-cccc']);
        assert.deepEqual(await store.countAdvisories(), { total: 2, withdrawn: 0 });
        assert.equal(await store.deleteAdvisories(['GHSA-aaaa-bbbb-cccc', 'missing']), 1);
        const events = await store.listMergeEvents('GHSA-aaaa-bbbb-cccc');
        assert.equal(events.length, 3);
        assert.equal(events[2]?.afterSha256, null);
        assert.equal(events[2]?.beforeSha256, events[1]?.afterSha256);
        assert.deepEqual(await store.findAdvisoryKeysByPackage('lodash'), ['CVE-2020-8203']);
        assert.deepEqual((await store.listAdvisories(null, 10)).map((r) => r.key), ['CVE-2020-8203']);
      });
    });
  });
}

await forEachDialect('store pipeline', pipelineSuite);

describe('openStore', () => {
  test('works in memory', async () => {
    const store = await openStore({ url: ':memory:', now: fakeClock() });
    try {
      assert.equal(store.dialect, 'sqlite');
      assert.equal((await store.putRawDocument({ source: 's', documentId: 'd', body: bytes('x') })).inserted, true);
    } finally {
      await store.close();
    }
    await assert.rejects(store.getAdvisory('x'), (e: unknown) => isStoreError(e) && e.code === 'CLOSED');
  });

  test('rejects an unsupported URL with BAD_URL, without echoing credentials', async () => {
    await assert.rejects(openStore({ url: 'mysql://user:secret@host/db' }), (e: unknown) => {
      assert.ok(isStoreError(e));
      assert.equal(e.code, 'BAD_URL');
      assert.doesNotMatch(e.message, /secret/);
      return true;
    });
  });

  test('rejects a PostgreSQL schema name that is not an identifier', async () => {
    await assert.rejects(openStore({ url: PG_URL, schema: 'x; drop table y' }), (e: unknown) => isStoreError(e) && e.code === 'INVALID_INPUT');
  });
});
