import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { buildLayerTar, compress, type LayerEntry } from '../../test/support/image-builder.js';
import { requireTool } from '../../test/support/tools.js';
import { ImageError, type ImageErrorCode } from './errors.js';
import { walkLayer, type WalkOptions } from './walk.js';

const LAYER = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const everything: WalkOptions = { layerId: LAYER, wants: () => true };
const debianish: LayerEntry[] = [
  { path: './', type: 'dir' },
  { path: './etc/', type: 'dir' },
  { path: './etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
  { path: './usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
  { path: './var/lib/dpkg/status', content: 'Package: base-files\nStatus: install ok installed\n' },
  { path: './usr/bin/big', content: Buffer.alloc(100_000, 7) },
];

const walk = (bytes: Buffer, options: Partial<WalkOptions> = {}) => walkLayer(Readable.from([bytes]), { ...everything, ...options });

function rejectsWith(code: ImageErrorCode, ...fragments: string[]) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ImageError, `expected ImageError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" should name ${fragment}`);
    return true;
  };
}

describe('walkLayer: contents', () => {
  it('keeps wanted files and symlinks, drains the rest', async () => {
    const layer = await walk(await buildLayerTar(debianish), { wants: (p) => p === '/var/lib/dpkg/status' || p.endsWith('os-release') });
    assert.deepEqual([...layer.files.keys()].sort(), ['/usr/lib/os-release', '/var/lib/dpkg/status']);
    assert.equal(layer.files.get('/usr/lib/os-release')?.toString(), 'ID=debian\nVERSION_ID="12"\n');
    assert.deepEqual([...layer.symlinks], [['/etc/os-release', '../usr/lib/os-release']]);
    assert.equal(layer.entryCount, 6);
    assert.ok(layer.bytesRead > 100_000);
  });

  for (const kind of ['none', 'gzip'] as const) {
    it(`reads ${kind} layers, detected by magic bytes`, async () => {
      const layer = await walk(compress(await buildLayerTar(debianish), kind));
      assert.equal(layer.files.get('/var/lib/dpkg/status')?.toString().split('\n')[0], 'Package: base-files');
    });
  }

  it('reads zstd layers compressed by the zstd CLI', async (t) => {
    if (!requireTool(t, 'zstd', ['--version'])) return;
    const layer = await walk(compress(await buildLayerTar(debianish), 'zstd'));
    assert.equal(layer.files.get('/usr/bin/big')?.length, 100_000);
  });

  it('reads the committed zstd fixture', async () => {
    const layer = await walk(readFileSync(new URL('testdata/zstd-layer.tar.zst', import.meta.url)));
    assert.equal(layer.files.get('/lib/apk/db/installed')?.toString(), 'P:musl\nV:1.2.4-r2\n\n');
  });

  it('records whiteouts and opaque directories, ignoring other aufs markers', async () => {
    const layer = await walk(await buildLayerTar([
      { path: 'var/lib/dpkg/status.d/.wh.openssl' },
      { path: 'etc/.wh.motd' },
      { path: '.wh.tmp' },
      { path: 'usr/share/doc/.wh..wh..opq' },
      { path: '.wh..wh.plnk/123', type: 'dir' },
    ]));
    assert.deepEqual(layer.whiteouts, ['/etc/motd', '/tmp', '/var/lib/dpkg/status.d/openssl']);
    assert.deepEqual(layer.opaqueDirs, ['/usr/share/doc']);
    assert.equal(layer.files.size, 0);
  });

  it('captures hardlinks to captured files and records every hardlink', async () => {
    const layer = await walk(await buildLayerTar([
      { path: 'usr/lib/os-release', content: 'ID=alpine\n' },
      { path: 'etc/os-release', type: 'hardlink', linkname: 'usr/lib/os-release' },
      { path: 'usr/bin/a', content: 'x' },
      { path: 'usr/bin/b', type: 'hardlink', linkname: './usr/bin/a' },
    ]), { wants: (p) => p.endsWith('os-release') });
    assert.equal(layer.files.get('/etc/os-release')?.toString(), 'ID=alpine\n');
    assert.deepEqual([...layer.hardlinks].sort(), [['/etc/os-release', '/usr/lib/os-release'], ['/usr/bin/b', '/usr/bin/a']]);
  });

  it('lets a later entry for the same path replace an earlier one', async () => {
    const layer = await walk(await buildLayerTar([
      { path: 'etc/os-release', content: 'old' },
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    ]));
    assert.equal(layer.files.has('/etc/os-release'), false);
    assert.equal(layer.symlinks.get('/etc/os-release'), '../usr/lib/os-release');
  });

  it('takes absolute entry names as relative to the image root', async () => {
    const layer = await walk(await buildLayerTar([{ path: '/etc/alpine-release', content: '3.19.1\n' }]));
    assert.deepEqual([...layer.files.keys()], ['/etc/alpine-release']);
  });
});

describe('walkLayer: hostile input', () => {
  it('rejects an entry climbing out of the root, naming layer and entry', async () => {
    const bytes = await buildLayerTar([{ path: 'ok', content: 'x' }, { path: '../../etc/passwd', content: 'root::0:0' }]);
    await assert.rejects(walk(bytes), rejectsWith('HOSTILE_ENTRY', LAYER, '"../../etc/passwd"', 'escapes the image root'));
  });

  it('rejects an absolute entry climbing out with ..', async () => {
    await assert.rejects(walk(await buildLayerTar([{ path: '/../etc/shadow', content: 'x' }])), rejectsWith('HOSTILE_ENTRY', '"/../etc/shadow"'));
  });

  it('rejects a symlink whose relative target escapes the root (Docker: "invalid symlink")', async () => {
    const bytes = await buildLayerTar([{ path: 'etc/evil', type: 'symlink', linkname: '../../../etc/passwd' }]);
    await assert.rejects(walk(bytes), rejectsWith('HOSTILE_ENTRY', LAYER, '"etc/evil"', '../../../etc/passwd'));
  });

  it('accepts absolute symlink targets: they are inside the image', async () => {
    const layer = await walk(await buildLayerTar([{ path: 'etc/localtime', type: 'symlink', linkname: '/usr/share/zoneinfo/UTC' }]));
    assert.equal(layer.symlinks.get('/etc/localtime'), '/usr/share/zoneinfo/UTC');
  });

  it('rejects a hardlink pointing outside the root', async () => {
    const bytes = await buildLayerTar([{ path: 'x', type: 'hardlink', linkname: '../outside' }]);
    await assert.rejects(walk(bytes), rejectsWith('HOSTILE_ENTRY', '"x"', '../outside'));
  });

  it('rejects a gzip bomb over the absolute size limit', async () => {
    const bytes = gzipSync(await buildLayerTar([{ path: 'zeros', content: Buffer.alloc(20 * 2 ** 20) }]));
    assert.ok(bytes.length < 100_000);
    await assert.rejects(walk(bytes, { wants: () => false, limits: { maxLayerBytes: 4 * 2 ** 20 } }), rejectsWith('DECOMPRESSION_BOMB', LAYER, '"zeros"'));
  });

  it('rejects a gzip bomb over the ratio limit', async () => {
    const bytes = gzipSync(await buildLayerTar([{ path: 'zeros', content: Buffer.alloc(20 * 2 ** 20) }]));
    await assert.rejects(walk(bytes, { wants: () => false, limits: { ratioGraceBytes: 2 ** 20, maxRatio: 50 } }), rejectsWith('DECOMPRESSION_BOMB', 'ratio 50:1', '"zeros"'));
  });

  it('stops a zstd bomb at the limit before its output piles up', async (t) => {
    if (!requireTool(t, 'zstd', ['--version'])) return;
    const bytes = compress(await buildLayerTar([{ path: 'zeros', content: Buffer.alloc(64 * 2 ** 20) }]), 'zstd');
    assert.ok(bytes.length < 20_000);
    await assert.rejects(walk(bytes, { wants: () => false, limits: { maxLayerBytes: 2 ** 20 } }), rejectsWith('DECOMPRESSION_BOMB', LAYER));
  });

  it('accepts compressible layers within the limits', async () => {
    const bytes = gzipSync(await buildLayerTar([{ path: 'zeros', content: Buffer.alloc(4 * 2 ** 20) }]));
    const layer = await walk(bytes, { wants: () => false });
    assert.ok(layer.bytesRead > 4 * 2 ** 20);
  });

  it('rejects absurd entry counts', async () => {
    const entries = Array.from({ length: 30 }, (_, i) => ({ path: `d/f${i}`, content: '' }));
    await assert.rejects(walk(await buildLayerTar(entries), { limits: { maxEntries: 20 } }), rejectsWith('TOO_MANY_ENTRIES', LAYER, '"d/f20"'));
  });

  it('does not buffer a wanted file over its size limit: it is skipped and listed, the layer still counts', async () => {
    const bytes = await buildLayerTar([
      { path: 'var/lib/rpm/Packages', content: Buffer.alloc(4096) },
      { path: 'etc/os-release', content: 'ID=x\n', mode: 0o644 },
    ]);
    const layer = await walk(bytes, { maxFileSize: () => 1000 });
    assert.deepEqual(layer.skipped, [{ path: '/var/lib/rpm/Packages', size: 4096, limit: 1000 }]);
    assert.deepEqual([...layer.files.keys()], ['/etc/os-release']);
    assert.equal(layer.modes.get('/etc/os-release'), 0o644);
  });

  it('tells wants() each file\'s size and mode', async () => {
    const seen: Array<[string, number, number]> = [];
    const bytes = await buildLayerTar([{ path: 'usr/bin/app', content: 'ELF', mode: 0o755 }, { path: 'etc/conf', content: 'x', mode: 0o600 }]);
    await walkLayer(Readable.from([bytes]), { layerId: LAYER, wants: (path, info) => { seen.push([path, info?.size ?? -1, info?.mode ?? -1]); return false; } });
    assert.deepEqual(seen, [['/usr/bin/app', 3, 0o755], ['/etc/conf', 1, 0o600]]);
  });

  it('reports a broken gzip stream as CORRUPT_LAYER', async () => {
    const bytes = gzipSync(await buildLayerTar(debianish)).subarray(0, 200);
    await assert.rejects(walk(bytes), (e: unknown) => e instanceof ImageError && e.code === 'CORRUPT_LAYER');
  });

  it('reports garbage as CORRUPT_LAYER', async () => {
    await assert.rejects(walk(Buffer.alloc(4096, 0x41)), (e: unknown) => e instanceof ImageError && e.code === 'CORRUPT_LAYER');
  });
});

describe('walkLayer: streaming', () => {
  it('drains a 256 MiB layer without buffering it', async () => {
    const size = 256 * 2 ** 20;
    const pack = tar.pack();
    const body = pack.entry({ name: 'usr/lib/huge.bin', size, mtime: new Date(0) });
    const chunk = Buffer.alloc(2 ** 20, 1);
    void (async () => {
      for (let written = chunk.length; written < size; written += chunk.length) {
        if (!body.write(chunk)) await new Promise<void>((resolve) => body.once('drain', () => resolve()));
      }
      body.end(chunk);
      pack.finalize();
    })();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    const layer = await walkLayer(Readable.from(pack as unknown as AsyncIterable<Buffer>), { layerId: LAYER, wants: () => false });
    clearInterval(timer);
    assert.equal(layer.files.size, 0);
    assert.ok(layer.bytesRead >= size);
    // Loose on purpose (RSS is noisy); buffering the layer would add ≥ 256 MiB. The bench measures it properly.
    assert.ok(peak - before < 128 * 2 ** 20, `RSS grew by ${Math.round((peak - before) / 2 ** 20)} MiB`);
  });
});
