import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { FeedError } from '../../errors.js';
import { createGhsaConnector, localFilter } from './index.js';
import { harness, rawDocument, storedIds, TESTDATA } from './testing.js';

/* `--from`: the advisory-database layout (testdata/advisory-database), its archive zip, flat files. */

const CLONE = fileURLToPath(new URL('advisory-database/', TESTDATA));
const REVIEWED = [
  'advisories/github-reviewed/2020/04/GHSA-vh95-rmgr-6w4m/GHSA-vh95-rmgr-6w4m.json',
  'advisories/github-reviewed/2020/07/GHSA-p6mc-m468-83gw/GHSA-p6mc-m468-83gw.json',
  'advisories/github-reviewed/2021/05/GHSA-35jh-r3h4-6jhm/GHSA-35jh-r3h4-6jhm.json',
  'advisories/github-reviewed/2022/01/GHSA-r683-j2x4-v87g/GHSA-r683-j2x4-v87g.json',
  'advisories/github-reviewed/2022/03/GHSA-xvch-5gv4-984h/GHSA-xvch-5gv4-984h.json',
];
const UNREVIEWED = 'advisories/unreviewed/2022/05/GHSA-2259-h742-5vr4/GHSA-2259-h742-5vr4.json';
const idOf = (path: string): string => path.split('/').at(-1)?.replace(/\.json$/, '') ?? '';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/')).sort();
}

let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'ghsa-local-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('ghsa fetch --from a local advisory-database', () => {
  it('reads only advisories/github-reviewed/**/*.json from a clone, keyed by path', async () => {
    const h = harness();
    const summary = await h.run({ from: CLONE });
    assert.deepEqual(summary, { documents: 5, inserted: 5, notModified: false });
    assert.deepEqual([...h.docs.keys()].sort(), REVIEWED);
    assert.deepEqual(h.cursors, []);
    assert.deepEqual(storedIds(h.docs), REVIEWED.map(idOf).sort());
    for (const [documentId, d] of h.docs) {
      assert.equal(d.url, null);
      assert.deepEqual(Buffer.from(d.body), await readFile(join(CLONE, documentId)));
      const [record] = createGhsaConnector().parse(rawDocument(documentId, d)).records;
      assert.ok(record !== undefined);
      const advisory = createGhsaConnector().map(record.dto, { source: 'ghsa', documentId, documentSha256: d.sha256, recordedAt: '2025-01-01T00:00:00Z' });
      assert.equal(advisory.source, 'ghsa');
      assert.equal(advisory.id, idOf(documentId));
    }
    const again = await h.run({ from: CLONE });
    assert.deepEqual(again, { documents: 5, inserted: 0, notModified: true });
  });

  it('also reads advisories/unreviewed/ when includeUnreviewed is set', async () => {
    const h = harness(createGhsaConnector({ includeUnreviewed: true }));
    await h.run({ from: CLONE });
    assert.deepEqual([...h.docs.keys()].sort(), [...REVIEWED, UNREVIEWED].sort());
  });

  it('reads GitHub\'s archive zip of the repository to the same documents', async () => {
    const zipPath = join(work, 'advisory-database-main.zip');
    const zip = new yazl.ZipFile();
    for (const path of await filesUnder(CLONE)) zip.addBuffer(await readFile(join(CLONE, path)), `advisory-database-main/${path}`);
    // SYNTHETIC: a file of the repository that is not an advisory.
    zip.addBuffer(Buffer.from('# GitHub Advisory Database\n'), 'advisory-database-main/README.md');
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(zipPath));

    const fromDir = harness();
    await fromDir.run({ from: CLONE });
    const fromZip = harness();
    const summary = await fromZip.run({ from: zipPath });
    assert.equal(summary.documents, 5);
    assert.deepEqual([...fromZip.docs.keys()].sort(), REVIEWED);
    for (const [id, d] of fromZip.docs) assert.equal(d.sha256, fromDir.docs.get(id)?.sha256, id);
  });

  it('accepts a plain directory of GHSA-*.json files and a single file', async () => {
    const flat = join(work, 'flat');
    await mkdir(flat);
    for (const path of REVIEWED.slice(0, 2)) await copyFile(join(CLONE, path), join(flat, path.split('/').at(-1) ?? ''));
    await writeFile(join(flat, 'notes.txt'), 'SYNTHETIC: not an advisory\n');
    const h = harness();
    await h.run({ from: flat });
    assert.deepEqual([...h.docs.keys()].sort(), ['GHSA-p6mc-m468-83gw.json', 'GHSA-vh95-rmgr-6w4m.json']);

    const page = fileURLToPath(new URL('rest/advisories-lodash-page.json', TESTDATA));
    const single = harness();
    await single.run({ from: page });
    assert.deepEqual([...single.docs.keys()], ['advisories-lodash-page.json']);
    assert.deepEqual(storedIds(single.docs), ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-8p5q-j9m2-g8wr']);
  });

  it('reports a --from that does not exist as BAD_LOCAL_SOURCE', async () => {
    await assert.rejects(harness().run({ from: join(work, 'missing') }), (e: unknown) => e instanceof FeedError && e.code === 'BAD_LOCAL_SOURCE');
  });

  it('filters paths by layout', () => {
    const reviewed = localFilter({});
    assert.equal(reviewed('x/advisories/github-reviewed/2020/07/GHSA-a/GHSA-a.json'), true);
    assert.equal(reviewed('advisories/unreviewed/2022/05/GHSA-b/GHSA-b.json'), false);
    assert.equal(reviewed('advisories/github-reviewed/2020/07/GHSA-a/notes.md'), false);
    assert.equal(reviewed('GHSA-aaaa-bbbb-cccc.json'), true);
    assert.equal(reviewed('package.json'), false);
  });
});
