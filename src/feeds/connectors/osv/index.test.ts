import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SourceAdvisory } from '../../../advisories/index.js';
import { openStore, type Store } from '../../../store/index.js';
import { runSource } from '../../pipeline.js';
import { buildZip, FakeBucket } from './fake-bucket.js';
import { osvConnector } from './index.js';
import { testdata } from './testing.js';

/* The connector through the pipeline: fetch from a loopback bucket, parse, map, into a real store. */

const bucket = new FakeBucket();
let home: string;
let store: Store;
const clock = (): Date => new Date('2024-06-01T00:00:00Z');

before(async () => {
  await bucket.start();
  home = mkdtempSync(path.join(tmpdir(), 'osv-pipeline-'));
  store = await openStore({ url: ':memory:', now: clock });
  bucket.files.set('/ecosystems.txt', { body: Buffer.from('Debian\nnpm\n') });
  bucket.files.set('/npm/all.zip', {
    etag: '"npm-1"',
    body: await buildZip([
      ['GHSA-35jh-r3h4-6jhm.json', testdata('GHSA-35jh-r3h4-6jhm.json')],
      // Synthetic: an entry that is JSON but not an OSV record (no `modified`).
      ['BROKEN-1.json', Buffer.from('{"id": "BROKEN-1", "affected": []}')],
      ['GHSA-p6mc-m468-83gw.json', testdata('GHSA-p6mc-m468-83gw.json')],
    ]),
  });
  bucket.files.set('/npm/modified_id.csv', { etag: '"npm-csv-1"', body: Buffer.from('2022-02-08T22:04:28Z,GHSA-p6mc-m468-83gw\n2022-02-08T21:35:09Z,GHSA-35jh-r3h4-6jhm\n') });
  bucket.files.set('/Debian/all.zip', { etag: '"deb-1"', body: await buildZip([['DSA-3029-1.json', testdata('DSA-3029-1.json')]]) });
  bucket.files.set('/Debian/modified_id.csv', { etag: '"deb-csv-1"', body: Buffer.from('2014-09-20T08:18:07Z,DSA-3029-1\n') });
});

after(async () => {
  await store.close();
  await bucket.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('osvConnector in the pipeline', () => {
  it('fetches, parses and maps; a bad record is recorded and the others go through', async () => {
    const options = { stellaHome: home, now: clock, connectorOptions: { baseUrl: bucket.base }, http: { maxRetries: 0, sleep: async () => undefined } };
    const result = await runSource(store, osvConnector, options);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.fetch, { documents: 4, inserted: 4 });
    assert.deepEqual(result.parse, { documents: 4, failedDocuments: 0, records: 3, changedRecords: 3, recordErrors: 1 });
    assert.deepEqual(result.map, { records: 3, failed: 0 });
    const errors = await store.listParseErrors('osv');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.documentId, 'npm/BROKEN-1.json');
    assert.equal(errors[0]?.recordId, 'BROKEN-1');
    assert.match(errors[0]?.message ?? '', /modified: missing/);

    const mapped = await store.getMappedAdvisories([{ source: 'osv', recordId: 'GHSA-p6mc-m468-83gw' }, { source: 'osv', recordId: 'DSA-3029-1' }]);
    const values = [...mapped.values()].map((json) => JSON.parse(json) as SourceAdvisory);
    const lodash = values.find((a) => a.id === 'GHSA-p6mc-m468-83gw');
    assert.equal(lodash?.provenance.documentId, 'npm/GHSA-p6mc-m468-83gw.json');
    assert.equal(lodash?.sourceClass, 'ghsa');
    const dsa = values.find((a) => a.id === 'DSA-3029-1');
    assert.deepEqual(dsa?.affected.map((p) => [p.ecosystem, p.release, p.name, p.status]), [['Debian', '7', 'nginx', 'affected']]);

    const state = await store.getSourceState('osv');
    assert.deepEqual(state?.cursor, {
      ecosystems: {
        Debian: { modified: '2014-09-20T08:18:07Z', zipEtag: '"deb-1"', csvEtag: '"deb-csv-1"' },
        npm: { modified: '2022-02-08T22:04:28Z', zipEtag: '"npm-1"', csvEtag: '"npm-csv-1"' },
      },
    });

    const again = await runSource(store, osvConnector, options);
    assert.deepEqual(again.fetch, { documents: 0, inserted: 0, notModified: true });
    assert.deepEqual(again.parse?.documents, 0);
  });
});
