import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isFeedError } from '../../errors.js';
import { buildZip, MemoryContext } from './fake-bucket.js';
import { fetchOsv } from './fetch.js';
import { parseOsvDocument } from './parse.js';
import { rawDocument, testdata } from './testing.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'osv-from-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(rel: string, body: Buffer): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
  return file;
}

async function lodashZip(): Promise<Buffer> {
  return buildZip([
    ['GHSA-35jh-r3h4-6jhm.json', testdata('GHSA-35jh-r3h4-6jhm.json')],
    ['GHSA-p6mc-m468-83gw.json', testdata('GHSA-p6mc-m468-83gw.json')],
  ]);
}

describe('fetchOsv --from a local copy', () => {
  it('a directory: bucket-layout zips under their ecosystem, loose JSON/YAML records by relative path', async () => {
    write('mirror/npm/all.zip', await lodashZip());
    // Loose copies next to an all.zip are the zip's own records: skipped.
    write('mirror/npm/GHSA-p6mc-m468-83gw.json', testdata('GHSA-p6mc-m468-83gw.json'));
    write('mirror/npm/modified_id.csv', Buffer.from('2022-02-08T22:04:28Z,GHSA-p6mc-m468-83gw\n'));
    write('mirror/ecosystems.txt', Buffer.from('npm\n'));
    write('mirror/vulns/jinja2/PYSEC-2021-66.yaml', testdata('PYSEC-2021-66.yaml'));
    write('mirror/Debian/DSA-3029-1.json', testdata('DSA-3029-1.json'));
    const dir = path.join(root, 'mirror');
    const mem = new MemoryContext(root);
    const summary = await fetchOsv(mem.context({ from: dir }));
    assert.deepEqual(summary, { documents: 4, inserted: 4 });
    assert.deepEqual([...mem.documents.keys()], [
      'Debian/DSA-3029-1.json', 'vulns/jinja2/PYSEC-2021-66.yaml',
      'npm/GHSA-35jh-r3h4-6jhm.json', 'npm/GHSA-p6mc-m468-83gw.json',
    ]);
    const yaml = mem.documents.get('vulns/jinja2/PYSEC-2021-66.yaml');
    assert.equal(yaml?.contentType, 'application/yaml');
    assert.equal(yaml?.url, pathToFileURL(path.join(dir, 'vulns/jinja2/PYSEC-2021-66.yaml')).href);
    assert.equal(mem.documents.get('npm/GHSA-p6mc-m468-83gw.json')?.url, `${pathToFileURL(path.join(dir, 'npm/all.zip')).href}#GHSA-p6mc-m468-83gw.json`);
    // What was stored parses: the YAML one as YAML, by its document id.
    const parsed = parseOsvDocument(rawDocument('vulns/jinja2/PYSEC-2021-66.yaml', yaml?.body ?? Buffer.alloc(0)));
    assert.equal(parsed.records[0]?.recordId, 'PYSEC-2021-66');
    assert.deepEqual(mem.cursors, [], 'a local import never moves the cursor');
  });

  it('a zip: entries as <zip name>/<entry>', async () => {
    const zip = write('lodash-all.zip', await lodashZip());
    const mem = new MemoryContext(root);
    const summary = await fetchOsv(mem.context({ from: zip }));
    assert.deepEqual(summary, { documents: 2, inserted: 2 });
    assert.deepEqual([...mem.documents.keys()], ['lodash-all.zip/GHSA-35jh-r3h4-6jhm.json', 'lodash-all.zip/GHSA-p6mc-m468-83gw.json']);
    assert.ok(mem.documents.get('lodash-all.zip/GHSA-35jh-r3h4-6jhm.json')?.body.equals(testdata('GHSA-35jh-r3h4-6jhm.json')));
  });

  it('a single record file, under its base name; a second import stores nothing new', async () => {
    const file = write('records/ALSA-2025_10073.json', testdata('ALSA-2025_10073.json'));
    const mem = new MemoryContext(root);
    assert.deepEqual(await fetchOsv(mem.context({ from: file })), { documents: 1, inserted: 1 });
    assert.deepEqual([...mem.documents.entries()].map(([id, d]) => [id, d.url, d.contentType]), [
      ['ALSA-2025_10073.json', pathToFileURL(file).href, 'application/json'],
    ]);
    assert.deepEqual(await fetchOsv(mem.context({ from: file })), { documents: 1, inserted: 0 });
  });

  it('a path that does not exist: BAD_LOCAL_SOURCE', async () => {
    const mem = new MemoryContext(root);
    await assert.rejects(fetchOsv(mem.context({ from: path.join(root, 'missing') })), (error: unknown) => isFeedError(error) && error.code === 'BAD_LOCAL_SOURCE');
  });
});
