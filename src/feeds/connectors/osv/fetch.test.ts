import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { isFeedError } from '../../errors.js';
import { buildZip, FakeBucket, MemoryContext } from './fake-bucket.js';
import { fetchOsv } from './fetch.js';
import { testdata } from './testing.js';

/*
 * A loopback copy of the OSV bucket built from real records (testdata/SOURCE). Each modified_id.csv
 * row carries the record's own `modified`, newest first, as osv.dev's exporter writes it.
 */

const ALSA = 'ALSA-2025:10073';
const records: Record<string, [file: string, modified: string]> = {
  'GHSA-35jh-r3h4-6jhm': ['GHSA-35jh-r3h4-6jhm.json', '2022-02-08T21:35:09Z'],
  'GHSA-p6mc-m468-83gw': ['GHSA-p6mc-m468-83gw.json', '2022-02-08T22:04:28Z'],
  'GHSA-vh95-rmgr-6w4m': ['GHSA-vh95-rmgr-6w4m.json', '2022-04-26T21:01:40Z'],
  'GHSA-xvch-5gv4-984h': ['GHSA-xvch-5gv4-984h.json', '2023-02-27T14:47:14Z'],
  'GHSA-r683-j2x4-v87g': ['GHSA-r683-j2x4-v87g.json', '2023-11-29T22:08:39Z'],
  'DSA-3029-1': ['DSA-3029-1.json', '2014-09-20T08:18:07Z'],
  [ALSA]: ['ALSA-2025_10073.json', '2025-07-01T19:42:01Z'],
};

function body(id: string): Buffer {
  return testdata((records[id] as [string, string])[0]);
}

function csv(ids: readonly string[]): Buffer {
  const rows = ids.map((id) => [(records[id] as [string, string])[1], id] as const);
  rows.sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : a[1].localeCompare(b[1])));
  return Buffer.from(rows.map(([m, id]) => `${m},${id}\n`).join(''));
}

const bucket = new FakeBucket();
let work: string;

/** Publishes an ecosystem: all.zip, modified_id.csv and the record files. */
async function publish(ecosystem: string, ids: readonly string[], generation: number): Promise<void> {
  bucket.files.set(`/${ecosystem}/all.zip`, { body: await buildZip(ids.map((id) => [`${id}.json`, body(id)])), etag: `"zip-${ecosystem}-${generation}"` });
  bucket.files.set(`/${ecosystem}/modified_id.csv`, { body: csv(ids), etag: `"csv-${ecosystem}-${generation}"` });
  for (const id of ids) bucket.files.set(`/${ecosystem}/${id}.json`, { body: body(id) });
}

async function firstBucket(): Promise<void> {
  bucket.files.clear();
  bucket.files.set('/ecosystems.txt', { body: Buffer.from('AlmaLinux\nDebian\nGitHub Actions\nnpm\n') });
  await publish('npm', ['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw', 'GHSA-vh95-rmgr-6w4m'], 1);
  await publish('Debian', ['DSA-3029-1'], 1);
  await publish('AlmaLinux', [ALSA], 1);
  await publish('GitHub Actions', [], 1);
}

const FIRST_CURSOR = {
  ecosystems: {
    AlmaLinux: { modified: '2025-07-01T19:42:01Z', zipEtag: '"zip-AlmaLinux-1"', csvEtag: '"csv-AlmaLinux-1"' },
    Debian: { modified: '2014-09-20T08:18:07Z', zipEtag: '"zip-Debian-1"', csvEtag: '"csv-Debian-1"' },
    'GitHub Actions': { zipEtag: '"zip-GitHub Actions-1"' },
    npm: { modified: '2022-04-26T21:01:40Z', zipEtag: '"zip-npm-1"', csvEtag: '"csv-npm-1"' },
  },
};

before(async () => {
  await bucket.start();
});
after(async () => {
  await bucket.stop();
});
beforeEach(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'osv-fetch-'));
  bucket.requests.length = 0;
  await firstBucket();
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A context that already went through the first run. */
async function afterFirstRun(): Promise<MemoryContext> {
  const mem = new MemoryContext(work);
  await fetchOsv(mem.context({ baseUrl: bucket.base }));
  bucket.requests.length = 0;
  return mem;
}

describe('fetchOsv from the bucket', () => {
  it('first run: ingests every all.zip entry, then saves the cursor', async () => {
    const mem = new MemoryContext(work);
    const summary = await fetchOsv(mem.context({ baseUrl: `${bucket.base}/` }));
    assert.deepEqual(summary, { documents: 5, inserted: 5 });
    assert.deepEqual([...mem.documents.keys()].sort(), [
      `AlmaLinux/${ALSA}.json`, 'Debian/DSA-3029-1.json',
      'npm/GHSA-35jh-r3h4-6jhm.json', 'npm/GHSA-p6mc-m468-83gw.json', 'npm/GHSA-vh95-rmgr-6w4m.json',
    ]);
    const lodash = mem.documents.get('npm/GHSA-p6mc-m468-83gw.json');
    assert.ok(lodash?.body.equals(body('GHSA-p6mc-m468-83gw')));
    assert.equal(lodash?.url, `${bucket.base}/npm/all.zip#GHSA-p6mc-m468-83gw.json`);
    assert.equal(lodash?.contentType, 'application/json');
    assert.equal(mem.documents.get(`AlmaLinux/${ALSA}.json`)?.url, `${bucket.base}/AlmaLinux/all.zip#ALSA-2025%3A10073.json`);
    assert.deepEqual(mem.cursor, FIRST_CURSOR);
    // The listing is read before each zip; path segments are percent-encoded.
    assert.deepEqual(bucket.paths(), [
      '/ecosystems.txt',
      '/AlmaLinux/modified_id.csv', '/AlmaLinux/all.zip',
      '/Debian/modified_id.csv', '/Debian/all.zip',
      '/GitHub%20Actions/modified_id.csv', '/GitHub%20Actions/all.zip',
      '/npm/modified_id.csv', '/npm/all.zip',
    ]);
    assert.deepEqual(mem.errors, []);
    assert.deepEqual(readdirSync(work), [], 'the downloaded zips are removed');
  });

  it('second run with nothing changed: conditional listings answer 304, nothing new', async () => {
    const mem = await afterFirstRun();
    const summary = await fetchOsv(mem.context({ baseUrl: bucket.base }));
    assert.deepEqual(summary, { documents: 0, inserted: 0, notModified: true });
    assert.deepEqual(bucket.requests, [
      { rawPath: '/ecosystems.txt', ifNoneMatch: undefined },
      { rawPath: '/AlmaLinux/modified_id.csv', ifNoneMatch: '"csv-AlmaLinux-1"' },
      { rawPath: '/Debian/modified_id.csv', ifNoneMatch: '"csv-Debian-1"' },
      // No records, no cursor time: the zip is asked for again, conditionally.
      { rawPath: '/GitHub%20Actions/modified_id.csv', ifNoneMatch: undefined },
      { rawPath: '/GitHub%20Actions/all.zip', ifNoneMatch: '"zip-GitHub Actions-1"' },
      { rawPath: '/npm/modified_id.csv', ifNoneMatch: '"csv-npm-1"' },
    ]);
    assert.deepEqual(mem.cursor, FIRST_CURSOR);
  });

  it('two new rows in modified_id.csv: only those two records are fetched', async () => {
    const mem = await afterFirstRun();
    await publish('npm', ['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw', 'GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h', 'GHSA-r683-j2x4-v87g'], 2);
    const summary = await fetchOsv(mem.context({ baseUrl: bucket.base, ecosystems: ['npm'] }));
    assert.deepEqual(summary, { documents: 2, inserted: 2 });
    assert.deepEqual(bucket.paths(), ['/npm/modified_id.csv', '/npm/GHSA-xvch-5gv4-984h.json', '/npm/GHSA-r683-j2x4-v87g.json']);
    const stored = mem.documents.get('npm/GHSA-r683-j2x4-v87g.json');
    assert.ok(stored?.body.equals(body('GHSA-r683-j2x4-v87g')));
    assert.equal(stored?.url, `${bucket.base}/npm/GHSA-r683-j2x4-v87g.json`);
    assert.deepEqual((mem.cursor as typeof FIRST_CURSOR).ecosystems.npm, {
      modified: '2023-11-29T22:08:39Z', zipEtag: '"zip-npm-1"', csvEtag: '"csv-npm-2"',
    });
  });

  it('a record the listing names but the bucket does not serve is a recorded error; the rest are stored', async () => {
    const mem = await afterFirstRun();
    await publish('npm', ['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw', 'GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h', 'GHSA-r683-j2x4-v87g'], 2);
    bucket.files.delete('/npm/GHSA-xvch-5gv4-984h.json');
    const summary = await fetchOsv(mem.context({ baseUrl: bucket.base, ecosystems: ['npm'] }));
    assert.deepEqual(summary, { documents: 1, inserted: 1 });
    assert.equal(mem.errors.length, 1);
    assert.equal(mem.errors[0]?.documentId, 'npm/GHSA-xvch-5gv4-984h.json');
    assert.equal(mem.errors[0]?.recordId, 'GHSA-xvch-5gv4-984h');
    assert.match(mem.errors[0]?.message ?? '', /404/);
    assert.ok(mem.documents.has('npm/GHSA-r683-j2x4-v87g.json'));
    assert.equal((mem.cursor as typeof FIRST_CURSOR).ecosystems.npm.modified, '2023-11-29T22:08:39Z');
  });

  it('a truncated all.zip fails that ecosystem with its cursor unchanged; the others go on', async () => {
    const good = bucket.files.get('/npm/all.zip') as { body: Buffer };
    bucket.files.set('/npm/all.zip', { body: good.body.subarray(0, good.body.length - 40), etag: '"zip-npm-cut"' });
    const mem = new MemoryContext(work);
    await assert.rejects(fetchOsv(mem.context({ baseUrl: bucket.base })), (error: unknown) => isFeedError(error) && error.code === 'BAD_ARCHIVE');
    const saved = mem.cursor as typeof FIRST_CURSOR;
    assert.deepEqual(Object.keys(saved.ecosystems), ['AlmaLinux', 'Debian', 'GitHub Actions']);
    assert.ok(![...mem.documents.keys()].some((k) => k.startsWith('npm/')));
    assert.deepEqual(readdirSync(work), []);
  });

  it('a connection closed mid-zip fails with TRUNCATED and saves nothing', async () => {
    const good = bucket.files.get('/npm/all.zip') as { body: Buffer };
    bucket.files.set('/npm/all.zip', { body: good.body, cutAfter: 100 });
    const mem = new MemoryContext(work);
    await assert.rejects(fetchOsv(mem.context({ baseUrl: bucket.base, ecosystems: ['npm'] })), (error: unknown) => isFeedError(error) && error.code === 'TRUNCATED');
    assert.deepEqual(mem.cursors, []);
    assert.equal(mem.documents.size, 0);
  });

  it('a bad zip entry is a recorded error; the other entries are stored', async () => {
    const zip = await buildZip([['GHSA-35jh-r3h4-6jhm.json', body('GHSA-35jh-r3h4-6jhm')], ['GHSA-p6mc-m468-83gw.json', body('GHSA-p6mc-m468-83gw')]]);
    // Corrupt the first entry's deflate data (its local header: 30 bytes + name + extra field).
    const dataStart = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
    zip.fill(0xff, dataStart, dataStart + 8);
    bucket.files.set('/npm/all.zip', { body: zip, etag: '"zip-npm-bad"' });
    const mem = new MemoryContext(work);
    await fetchOsv(mem.context({ baseUrl: bucket.base, ecosystems: ['npm'] }));
    assert.deepEqual([...mem.documents.keys()], ['npm/GHSA-p6mc-m468-83gw.json']);
    assert.equal(mem.errors.length, 1);
    assert.equal(mem.errors[0]?.documentId, 'npm/GHSA-35jh-r3h4-6jhm.json');
    assert.equal((mem.cursor as typeof FIRST_CURSOR).ecosystems.npm.modified, '2022-02-08T22:04:28Z');
  });

  it('checkpoints every 500 records, never past a row whose older neighbours are not stored', async () => {
    const mem = await afterFirstRun();
    // Synthetic listing: 1,200 new rows (ids SYNTH-0000…), three per second, all served as one real record's bytes.
    const rows: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const id = `SYNTH-${String(i).padStart(4, '0')}`;
      const second = String(Math.floor(i / 3) % 60).padStart(2, '0');
      const minute = String(Math.floor(i / 180)).padStart(2, '0');
      rows.push(`2024-03-01T10:${minute}:${second}.5Z,${id}`);
      bucket.files.set(`/npm/${id}.json`, { body: body('GHSA-r683-j2x4-v87g') });
    }
    // Row 700 fails with a server error: the run stops, keeping the checkpoint of the last whole batch.
    bucket.files.set('/npm/SYNTH-0700.json', { body: Buffer.alloc(10), cutAfter: 0 });
    bucket.files.set('/npm/modified_id.csv', { body: Buffer.from(`${rows.reverse().join('\n')}\n`), etag: '"csv-npm-synth"' });
    await assert.rejects(fetchOsv(mem.context({ baseUrl: bucket.base, ecosystems: ['npm'] })), (error: unknown) => isFeedError(error) && error.code === 'TRUNCATED');
    // Rows 498, 499 and 500 share 10:02:46.5 and row 500 was not in the first batch, so the first
    // checkpoint is row 497's time; the second batch never completed.
    assert.equal((mem.cursor as typeof FIRST_CURSOR).ecosystems.npm.modified, '2024-03-01T10:02:45.5Z');
    assert.equal(mem.documents.size, 5 + 700);
  });

  it('more than 10,000 new rows: all.zip is read again instead of the records', async () => {
    const mem = await afterFirstRun();
    await publish('npm', ['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw', 'GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h', 'GHSA-r683-j2x4-v87g'], 2);
    // Synthetic listing of 10,001 rows newer than the cursor, the newest being the real GHSA-r683 row.
    const lines = [`2023-11-29T22:08:39Z,GHSA-r683-j2x4-v87g`];
    for (let i = 0; i < 10_000; i++) lines.push(`2023-01-01T00:00:00.${String(10_000 - i).padStart(9, '0')}Z,SYNTH-${i}`);
    bucket.files.set('/npm/modified_id.csv', { body: Buffer.from(`${lines.join('\n')}\n`), etag: '"csv-npm-big"' });
    const summary = await fetchOsv(mem.context({ baseUrl: bucket.base, ecosystems: ['npm'] }));
    assert.deepEqual(bucket.paths(), ['/npm/modified_id.csv', '/npm/all.zip']);
    assert.equal(bucket.requests[1]?.ifNoneMatch, '"zip-npm-1"');
    assert.deepEqual(summary, { documents: 5, inserted: 2 });
    assert.deepEqual((mem.cursor as typeof FIRST_CURSOR).ecosystems.npm, {
      modified: '2023-11-29T22:08:39Z', zipEtag: '"zip-npm-2"', csvEtag: '"csv-npm-big"',
    });
  });

  it('--from an http(s) URL is a mirror of the bucket', async () => {
    const mem = new MemoryContext(work);
    const summary = await fetchOsv(mem.context({ from: bucket.base, ecosystems: ['Debian'] }));
    assert.deepEqual(summary, { documents: 1, inserted: 1 });
    assert.ok(mem.documents.has('Debian/DSA-3029-1.json'));
  });
});
