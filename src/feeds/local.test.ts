import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { FeedError, type FeedErrorCode } from './errors.js';
import { localSourceKind, openLocalSource, zipEntries, type LocalItem } from './local.js';

// All archives and files here are synthetic test inputs built on the fly (not upstream records).

type ZipSpec = { readonly name: string; readonly body: string | Buffer; readonly compress?: boolean } | { readonly dir: string };

let work: string;
before(async () => { work = await mkdtemp(join(tmpdir(), 'stella-local-test-')); });
after(async () => { await rm(work, { recursive: true, force: true }); });

async function buildZip(name: string, entries: readonly ZipSpec[]): Promise<string> {
  const zip = new yazl.ZipFile();
  const mtime = new Date(Date.UTC(2024, 0, 1));
  for (const entry of entries) {
    if ('dir' in entry) zip.addEmptyDirectory(entry.dir, { mtime });
    else zip.addBuffer(Buffer.from(entry.body), entry.name, { compress: entry.compress ?? true, mtime });
  }
  zip.end();
  const file = join(work, name);
  await pipeline(zip.outputStream, createWriteStream(file));
  return file;
}

/** Rewrites every occurrence of `from` (local header and central directory) with a same-length `to`. */
async function patchBytes(file: string, from: string, to: string): Promise<void> {
  assert.equal(from.length, to.length);
  const bytes = await readFile(file);
  let found = 0;
  for (let at = bytes.indexOf(from); at !== -1; at = bytes.indexOf(from, at + 1), found++) bytes.write(to, at, 'latin1');
  assert.ok(found > 0, `${from} not found in ${file}`);
  await writeFile(file, bytes);
}

async function collect(items: AsyncIterable<LocalItem>): Promise<Array<{ path: string; text?: string; code?: FeedErrorCode; message?: string }>> {
  const out = [];
  for await (const item of items) {
    out.push(item.error === undefined
      ? { path: item.path, text: Buffer.from(item.body).toString() }
      : { path: item.path, code: item.error.code, message: item.error.message });
  }
  return out;
}

async function rejectsWith(promise: Promise<unknown>, code: FeedErrorCode): Promise<FeedError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof FeedError, `expected FeedError ${code}, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

describe('zip archives', () => {
  it('yields file entries in archive order, stored or deflated, skipping directories', async () => {
    const file = await buildZip('basic.zip', [
      { name: 'a.json', body: '{"id":"A"}' },
      { dir: 'osv/' },
      { name: 'osv/b.json', body: '{"id":"B"}'.repeat(50) },
      { name: 'c.txt', body: 'stored', compress: false },
    ]);
    assert.equal(await localSourceKind(file), 'zip');
    assert.deepEqual(await collect(openLocalSource(file)), [
      { path: 'a.json', text: '{"id":"A"}' },
      { path: 'osv/b.json', text: '{"id":"B"}'.repeat(50) },
      { path: 'c.txt', text: 'stored' },
    ]);
  });

  it('recognises a zip by its magic bytes whatever its name', async () => {
    const file = await buildZip('all.bin', [{ name: 'x.json', body: '{}' }]);
    assert.equal(await localSourceKind(file), 'zip');
    assert.deepEqual(await collect(openLocalSource(file)), [{ path: 'x.json', text: '{}' }]);
  });

  it("turns '..' and absolute entry names into error items and carries on", async () => {
    const file = await buildZip('traversal.zip', [
      { name: 'ok.json', body: 'one' },
      { name: 'xx/evil.json', body: 'evil' },
      { name: 'xabs.json', body: 'abs' },
      { name: 'last.json', body: 'two' },
    ]);
    await patchBytes(file, 'xx/evil.json', '../evil.json');
    await patchBytes(file, 'xabs.json', '/abs.json');
    const items = await collect(zipEntries(file));
    assert.deepEqual(items.map((i) => [i.path, i.text ?? i.code]), [
      ['ok.json', 'one'], ['../evil.json', 'BAD_ARCHIVE'], ['/abs.json', 'BAD_ARCHIVE'], ['last.json', 'two'],
    ]);
    assert.match(items[1]?.message ?? '', /invalid relative path/);
    assert.match(items[2]?.message ?? '', /absolute path/);
  });

  it('yields an error item for an entry whose compressed data is corrupt, then continues', async () => {
    const file = await buildZip('corrupt-entry.zip', [
      { name: 'first.json', body: 'first'.repeat(20) },
      { name: 'broken.json', body: 'broken'.repeat(20) },
      { name: 'third.json', body: 'third'.repeat(20) },
    ]);
    const zip = await yauzl.openPromise(file, { lazyEntries: true });
    let start = -1;
    let length = 0;
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== 'broken.json') continue;
      start = (await zip.readLocalFileHeaderPromise(entry, { minimal: true })).fileDataStart;
      length = entry.compressedSize;
    }
    zip.close();
    const bytes = await readFile(file);
    bytes.fill(0xff, start, start + length); // 0xff opens a deflate block of the reserved type 3
    await writeFile(file, bytes);
    const items = await collect(zipEntries(file));
    assert.deepEqual(items.map((i) => [i.path, i.text ?? i.code]), [
      ['first.json', 'first'.repeat(20)], ['broken.json', 'BAD_ARCHIVE'], ['third.json', 'third'.repeat(20)],
    ]);
  });

  it('throws BAD_ARCHIVE for a truncated zip before yielding anything', async () => {
    const file = await buildZip('truncated.zip', [{ name: 'a.json', body: 'a'.repeat(4000) }, { name: 'b.json', body: 'b'.repeat(4000) }]);
    await truncate(file, Math.floor((await readFile(file)).length / 2));
    let yielded = 0;
    const run = async (): Promise<void> => {
      for await (const _item of openLocalSource(file)) yielded++;
    };
    const error = await rejectsWith(run(), 'BAD_ARCHIVE');
    assert.match(error.message, /truncated\.zip/);
    assert.equal(yielded, 0);
  });

  it('throws BAD_ARCHIVE before yielding anything when a later central directory record is bad', async () => {
    const file = await buildZip('bad-cd.zip', [{ name: 'a.json', body: 'a' }, { name: 'b.json', body: 'b' }, { name: 'c.json', body: 'c' }]);
    const bytes = await readFile(file);
    const first = bytes.indexOf('PK\x01\x02', 0, 'latin1');
    const second = bytes.indexOf('PK\x01\x02', first + 1, 'latin1');
    bytes[second + 3] = 0x09;
    await writeFile(file, bytes);
    let yielded = 0;
    const run = async (): Promise<void> => {
      for await (const _item of zipEntries(file)) yielded++;
    };
    const error = await rejectsWith(run(), 'BAD_ARCHIVE');
    assert.match(error.message, /central directory/);
    assert.equal(yielded, 0);
  });

  it('filters by path before reading and reports entries over maxEntryBytes', async () => {
    const file = await buildZip('filter.zip', [
      { name: 'PyPI/GHSA-1.json', body: 'x'.repeat(10) },
      { name: 'PyPI/GHSA-2.json', body: 'y'.repeat(100) },
      { name: 'npm/GHSA-3.json', body: 'z' },
      { name: 'PyPI/README.md', body: 'readme' },
    ]);
    const seen: string[] = [];
    const include = (path: string): boolean => {
      seen.push(path);
      return path.startsWith('PyPI/') && path.endsWith('.json');
    };
    const items = await collect(zipEntries(file, { include, maxEntryBytes: 50 }));
    assert.deepEqual(items.map((i) => [i.path, i.text ?? i.code]), [['PyPI/GHSA-1.json', 'x'.repeat(10)], ['PyPI/GHSA-2.json', 'TOO_LARGE']]);
    assert.deepEqual(seen, ['PyPI/GHSA-1.json', 'PyPI/GHSA-2.json', 'npm/GHSA-3.json', 'PyPI/README.md']);
  });

  it('streams a 2,000-entry archive entry by entry', async () => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({ name: `ecosystem/ID-${String(i).padStart(4, '0')}.json`, body: `{"n":${i}}` }));
    const file = await buildZip('many.zip', entries);
    let count = 0;
    for await (const item of zipEntries(file)) {
      assert.equal(item.path, `ecosystem/ID-${String(count).padStart(4, '0')}.json`);
      assert.equal(Buffer.from(item.body ?? []).toString(), `{"n":${count}}`);
      count++;
    }
    assert.equal(count, 2000);
  });

  it('stops with ABORTED when the signal is aborted', async () => {
    const file = await buildZip('abort.zip', [{ name: 'a.json', body: 'a' }, { name: 'b.json', body: 'b' }]);
    const controller = new AbortController();
    const run = async (): Promise<string[]> => {
      const paths: string[] = [];
      for await (const item of zipEntries(file, { signal: controller.signal })) {
        paths.push(item.path);
        controller.abort();
      }
      return paths;
    };
    await rejectsWith(run(), 'ABORTED');
  });
});

describe('directories and single files', () => {
  it('walks recursively in byte order of the relative path', async () => {
    const root = join(work, 'tree');
    await mkdir(join(root, 'a'), { recursive: true });
    await mkdir(join(root, 'z', 'y'), { recursive: true });
    for (const [rel, body] of [['a-c.json', '1'], ['a/b.json', '2'], ['B.json', '3'], ['a.json', '4'], ['é.json', '5'], ['z/y/x.json', '6']] as const) {
      await writeFile(join(root, rel), body);
    }
    assert.equal(await localSourceKind(root), 'directory');
    assert.deepEqual((await collect(openLocalSource(root))).map((i) => [i.path, i.text]), [
      ['B.json', '3'], ['a-c.json', '1'], ['a.json', '4'], ['a/b.json', '2'], ['z/y/x.json', '6'], ['é.json', '5'],
    ]);
  });

  it('follows symbolic links only to files inside the root', async () => {
    const root = join(work, 'links');
    await mkdir(join(root, 'docs'), { recursive: true });
    await writeFile(join(root, 'docs', 'real.json'), 'inside');
    await writeFile(join(work, 'secret.txt'), 'outside');
    await symlink(join(root, 'docs', 'real.json'), join(root, 'alias.json'));
    await symlink(join(work, 'secret.txt'), join(root, 'escape.json'));
    await symlink(join(root, 'docs'), join(root, 'docs-again'));
    await symlink(join(root, 'missing.json'), join(root, 'dangling.json'));
    const items = await collect(openLocalSource(root));
    assert.deepEqual(items.map((i) => [i.path, i.text ?? i.code]), [
      ['alias.json', 'inside'], ['dangling.json', 'BAD_LOCAL_SOURCE'], ['docs/real.json', 'inside'], ['escape.json', 'BAD_LOCAL_SOURCE'],
    ]);
    assert.ok(!items.some((i) => i.text === 'outside'));
    assert.match(items[3]?.message ?? '', /outside .*not followed/);
  });

  it('applies include and maxEntryBytes to directory files', async () => {
    const root = join(work, 'limits');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'big.json'), 'b'.repeat(100));
    await writeFile(join(root, 'small.json'), 's');
    await writeFile(join(root, 'notes.md'), 'n');
    const items = await collect(openLocalSource(root, { include: (p) => p.endsWith('.json'), maxEntryBytes: 50 }));
    assert.deepEqual(items.map((i) => [i.path, i.text ?? i.code]), [['big.json', 'TOO_LARGE'], ['small.json', 's']]);
  });

  it('reads a single file under its base name', async () => {
    const file = join(work, 'GHSA-single.json');
    await writeFile(file, '{"id":"GHSA-single"}');
    assert.equal(await localSourceKind(file), 'file');
    assert.deepEqual(await collect(openLocalSource(file)), [{ path: 'GHSA-single.json', text: '{"id":"GHSA-single"}' }]);
    assert.deepEqual(await collect(openLocalSource(file, { include: () => false })), []);
  });

  it('fails with BAD_LOCAL_SOURCE for a path that does not exist', async () => {
    const missing = join(work, 'no-such-thing');
    const error = await rejectsWith(localSourceKind(missing), 'BAD_LOCAL_SOURCE');
    assert.match(error.message, /no such file or directory/);
    await rejectsWith(collect(openLocalSource(missing)), 'BAD_LOCAL_SOURCE');
    await rejectsWith(collect(zipEntries(`${missing}.zip`)), 'BAD_LOCAL_SOURCE');
  });
});
