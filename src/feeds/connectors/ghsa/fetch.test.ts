import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeedError } from '../../errors.js';
import { ALL_REAL, harness, NOW, REAL, startEmulator, storedIds, TWIN } from './testing.js';

/* The API path of fetch, against the loopback emulator of `GET /advisories` (see the helpers). */

describe('ghsa fetch from the REST API (loopback emulator)', () => {
  it('follows Link rel="next" over 3 pages, stores each page and checkpoints after each', async () => {
    const api = await startEmulator(REAL);
    try {
      const h = harness();
      const summary = await h.run({ baseUrl: api.base });
      assert.deepEqual(summary, { documents: 3, inserted: 3, notModified: false });
      assert.equal(api.requests.length, 3);
      const first = api.requests[0];
      assert.deepEqual([...(first?.url.searchParams ?? [])].sort(), [['direction', 'asc'], ['per_page', '100'], ['sort', 'updated'], ['type', 'reviewed']]);
      assert.deepEqual(api.requests.slice(1).map((r) => Buffer.from(r.url.searchParams.get('after') ?? '', 'base64url').toString()), ['1', '2']);
      for (const r of api.requests) {
        assert.equal(r.headers.accept, 'application/vnd.github+json');
        assert.equal(r.headers['x-github-api-version'], '2022-11-28');
        assert.equal(r.headers.authorization, undefined);
      }
      assert.deepEqual([...h.docs.keys()], [
        'advisories?direction=asc&per_page=100&sort=updated&type=reviewed',
        'advisories?after=MQ&direction=asc&per_page=100&sort=updated&type=reviewed',
        'advisories?after=Mg&direction=asc&per_page=100&sort=updated&type=reviewed',
      ]);
      assert.deepEqual(h.cursors, [
        { updatedSince: '2023-02-01T05:06:10Z' }, { updatedSince: '2023-11-01T23:21:12Z' }, { updatedSince: '2024-04-17T18:39:19Z' },
      ]);
      assert.deepEqual(storedIds(h.docs), ALL_REAL);
      assert.deepEqual(h.sleeps, []);
    } finally {
      await api.close();
    }
  });

  it('sends the token as Authorization: Bearer', async () => {
    const api = await startEmulator(REAL, 100);
    try {
      await harness().run({ baseUrl: api.base, token: 'ghp_testtoken' });
      assert.equal(api.requests[0]?.headers.authorization, 'Bearer ghp_testtoken');
    } finally {
      await api.close();
    }
  });

  it('starts from the saved cursor (updated=>=…), or from --since on a first run', async () => {
    const api = await startEmulator(REAL);
    try {
      const h = harness();
      const summary = await h.run({ baseUrl: api.base, since: '2000-01-01' }, { updatedSince: '2023-11-01T23:21:12Z' });
      assert.equal(api.requests[0]?.url.searchParams.get('updated'), '>=2023-11-01T23:21:12+00:00');
      assert.equal(summary.documents, 2);
      assert.deepEqual(storedIds(h.docs), ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm']);
      await harness().run({ baseUrl: api.base, since: '2023-06-01' });
      assert.equal(api.requests[2]?.url.searchParams.get('updated'), '>=2023-06-01T00:00:00+00:00');
    } finally {
      await api.close();
    }
  });

  it('stores nothing and moves no cursor when nothing changed', async () => {
    const api = await startEmulator(REAL);
    try {
      const h = harness();
      const summary = await h.run({ baseUrl: api.base }, { updatedSince: '2024-04-17T18:39:20Z' });
      assert.deepEqual(summary, { documents: 0, inserted: 0, notModified: true });
      assert.deepEqual(h.cursors, []);
    } finally {
      await api.close();
    }
  });

  it('waits for x-ratelimit-reset after a 403 with x-ratelimit-remaining: 0, then succeeds', async () => {
    const api = await startEmulator(REAL);
    const reset = NOW.getTime() / 1000 + 30;
    api.script.push({ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: '{"message":"API rate limit exceeded"}' });
    try {
      const h = harness();
      const summary = await h.run({ baseUrl: api.base });
      assert.deepEqual(h.sleeps, [30_000]);
      assert.equal(summary.documents, 3);
      assert.equal(api.requests.length, 4);
      assert.deepEqual(storedIds(h.docs), ALL_REAL);
    } finally {
      await api.close();
    }
  });

  it('retries a 500 after the back-off, then succeeds', async () => {
    const api = await startEmulator(REAL);
    api.script.push({ status: 500, body: 'oops' });
    try {
      const h = harness();
      const summary = await h.run({ baseUrl: api.base });
      assert.deepEqual(h.sleeps, [1000]);
      assert.equal(summary.documents, 3);
    } finally {
      await api.close();
    }
  });

  for (const killOnPut of [2, 3]) {
    it(`resumes after a kill while storing page ${killOnPut}, missing no advisory (one shares the boundary second)`, async () => {
      // Order: 8p5q (2023-02-01), 29mw and its SYNTHETIC twin (both 2023-11-01T23:21:12Z), 35jh (2024-04-17).
      const api = await startEmulator([...REAL, TWIN]);
      try {
        const h = harness();
        await assert.rejects(h.run({ baseUrl: api.base }, null, killOnPut), /killed while storing page/);
        const expected = killOnPut === 2 ? '2023-02-01T05:06:10Z' : '2023-11-01T23:21:12Z';
        assert.deepEqual(h.cursors.at(-1), { updatedSince: expected });
        const before = api.requests.length;
        await h.run({ baseUrl: api.base }, { updatedSince: expected });
        assert.equal(api.requests[before]?.url.searchParams.get('updated'), `>=${expected.replace('Z', '+00:00')}`);
        assert.deepEqual(storedIds(h.docs), [...ALL_REAL, 'GHSA-syn0-test-0001'].sort());
        assert.deepEqual(h.cursors.at(-1), { updatedSince: '2024-04-17T18:39:19Z' });
      } finally {
        await api.close();
      }
    });
  }

  it('refuses a Link rel="next" to another origin (the token must not leak)', async () => {
    const api = await startEmulator(REAL);
    api.script.push({ status: 200, headers: { link: '<http://example.invalid/advisories?after=MQ>; rel="next"' }, body: JSON.stringify([REAL[0]]) });
    try {
      await assert.rejects(harness().run({ baseUrl: api.base, token: 't' }), (e: unknown) => e instanceof FeedError && e.code === 'MALFORMED_DOCUMENT' && /leaves/.test(e.message));
      assert.equal(api.requests.length, 1);
    } finally {
      await api.close();
    }
  });

  it('rejects a page that is not a JSON array, and a saved cursor of the wrong shape', async () => {
    const api = await startEmulator(REAL);
    api.script.push({ status: 200, body: '{"message":"Moved"}' });
    try {
      await assert.rejects(harness().run({ baseUrl: api.base }), (e: unknown) => e instanceof FeedError && e.code === 'MALFORMED_DOCUMENT');
      await assert.rejects(harness().run({ baseUrl: api.base }, { page: 3 }), (e: unknown) => e instanceof FeedError && e.code === 'BAD_OPTION');
    } finally {
      await api.close();
    }
  });
});
