import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { isStoreError, openStore, type OpenStoreOptions, type Store } from './index.js';
import { missingPrerequisite } from '../../test/support/tools.js';

const PG_URL = process.env.STELLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A clock that starts at a fixed instant and moves one second per reading. */
function fakeClock(): () => Date {
  let t = Date.parse('2024-01-01T00:00:00.000Z');
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

/** A fresh, empty database for one test, and how to open stores on it and tear it down. */
interface Target {
  options(): OpenStoreOptions;
  dispose(): Promise<void>;
}

type TargetFactory = () => Promise<Target>;

const sqliteTarget: TargetFactory = () => {
  const dir = mkdtempSync(join(tmpdir(), 'stella-store-'));
  return Promise.resolve({
    options: () => ({ stellaHome: dir, url: undefined }),
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
};

const postgresTarget: TargetFactory = async () => {
  const schema = `stella_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  return {
    options: () => ({ url: PG_URL, schema }),
    dispose: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
};

async function postgresReachable(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function withStore(factory: TargetFactory, fn: (store: Store, target: Target) => Promise<void>): Promise<void> {
  const target = await factory();
  const store = await openStore({ ...target.options(), now: fakeClock() });
  try {
    await fn(store, target);
  } finally {
    await store.close();
    await target.dispose();
  }
}

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

suite('sqlite', sqliteTarget);

const unreachable = await postgresReachable();
if (unreachable === undefined) {
  suite('postgres', postgresTarget);
} else {
  test('store on postgres', (t) => {
    const message = `PostgreSQL is not reachable at ${PG_URL} (${unreachable})`;
    missingPrerequisite(t, `${message}; start it (see .ci/run) to run the PostgreSQL store tests`);
  });
}

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
