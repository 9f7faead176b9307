import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  buildImage, dockerArchiveFiles, sha256, tarOfFiles, writeDockerArchive, writeOciArchive, writeOciLayout, writeTree,
  type TestImage,
} from '../../test/support/image-builder.js';
import { ImageError, type ImageErrorCode } from './errors.js';
import { openImage } from './open.js';
import type { ImageSource } from './source.js';
import { walkLayer } from './walk.js';

let work: string;
before(async () => { work = await mkdtemp(join(tmpdir(), 'stella-image-test-')); });
after(async () => { await rm(work, { recursive: true, force: true }); });

const base: TestImage = {
  tags: ['example/app:1.0'],
  layers: [
    { entries: [{ path: 'usr/lib/os-release', content: 'ID=debian\n' }, { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' }], compression: 'gzip' },
    { entries: [{ path: 'var/lib/dpkg/status', content: 'Package: zlib1g\n' }, { path: 'etc/.wh.motd' }], compression: 'none' },
  ],
};
const arm: TestImage = { ...base, architecture: 'arm64', variant: 'v8', layers: [{ entries: [{ path: 'etc/arch', content: 'arm64' }], compression: 'gzip' }] };

function code(expected: ImageErrorCode, ...fragments: string[]) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ImageError, `expected ImageError, got ${String(error)}`);
    assert.equal(error.code, expected, error.message);
    for (const f of fragments) assert.ok(error.message.includes(f), `"${error.message}" should mention ${f}`);
    return true;
  };
}

async function contents(source: ImageSource): Promise<string[][]> {
  const out: string[][] = [];
  for (const [i, layer] of source.info.layers.entries()) {
    const raw = await walkLayer(await source.openLayer(i), { layerId: layer.diffId, wants: () => true });
    out.push([...[...raw.files].map(([p, c]) => `${p}=${c.toString()}`), ...[...raw.symlinks].map(([p, t]) => `${p}->${t}`), ...raw.whiteouts.map((w) => `-${w}`)].sort());
  }
  return out;
}

const expectedBase = [
  ['/etc/os-release->../usr/lib/os-release', '/usr/lib/os-release=ID=debian\n'],
  ['-/etc/motd', '/var/lib/dpkg/status=Package: zlib1g\n'],
];

async function expectedInfo(image: TestImage) {
  const built = await buildImage(image);
  return { built, diffIds: built.layers.map((l) => l.diffId), digests: built.layers.map((l) => l.digest) };
}

describe('docker-archive', () => {
  it('reads the legacy docker save form', async () => {
    const file = join(work, 'legacy.tar');
    await writeDockerArchive(file, [base], 'legacy');
    const source = await openImage(`docker-archive:${file}`);
    const { built, diffIds, digests } = await expectedInfo(base);
    assert.equal(source.kind, 'layers');
    assert.deepEqual(source.info.tags, ['example/app:1.0']);
    assert.equal(source.info.configDigest, built.configDigest);
    assert.equal(source.info.manifestDigest, undefined);
    assert.deepEqual(source.info.layers.map((l) => l.diffId), diffIds);
    assert.deepEqual(source.info.layers.map((l) => l.digest), digests);
    assert.deepEqual(await contents(source), expectedBase);
    await source.close();
  });

  it("reads Docker ≥ 25's OCI-index form, detected from a bare path", async () => {
    const file = join(work, 'oci-form.tar');
    await writeDockerArchive(file, [base], 'oci');
    const source = await openImage(file);
    const { built } = await expectedInfo(base);
    assert.equal(source.info.manifestDigest, built.manifestDigest);
    assert.deepEqual(source.info.tags, ['example/app:1.0']);
    assert.deepEqual(source.info.layers.map((l) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar']);
    assert.deepEqual(await contents(source), expectedBase);
    await source.close();
  });

  it('asks for a tag when the archive holds several images, and picks by tag', async () => {
    const file = join(work, 'two.tar');
    await writeDockerArchive(file, [base, { ...arm, tags: ['example/arm:2'] }], 'legacy');
    await assert.rejects(openImage(`docker-archive:${file}`), code('NOT_FOUND', 'example/app:1.0', 'example/arm:2'));
    const source = await openImage(`docker-archive:${file}:example/arm:2`);
    assert.equal(source.info.architecture, 'arm64');
    await source.close();
  });

  it('refuses a config whose diff_ids do not match the layers', async () => {
    const files = await dockerArchiveFiles([base], 'legacy');
    const configName = [...files.keys()].find((k) => k.endsWith('.json') && k !== 'manifest.json') as string;
    const config = JSON.parse((files.get(configName) as Buffer).toString());
    config.rootfs.diff_ids.pop();
    files.set(configName, Buffer.from(JSON.stringify(config)));
    const file = join(work, 'short-config.tar');
    await writeFile(file, await tarOfFiles(files));
    await assert.rejects(openImage(`docker-archive:${file}`), code('BAD_MANIFEST', '2 layers', '1 diff_ids'));
  });

  it('errors the layer stream when a diff_id lies (DIGEST_MISMATCH)', async () => {
    const files = await dockerArchiveFiles([base], 'legacy');
    const configName = [...files.keys()].find((k) => k.endsWith('.json') && k !== 'manifest.json') as string;
    const config = JSON.parse((files.get(configName) as Buffer).toString());
    config.rootfs.diff_ids[0] = sha256('something else');
    files.set(configName, Buffer.from(JSON.stringify(config)));
    const file = join(work, 'lying-config.tar');
    await writeFile(file, await tarOfFiles(files));
    const source = await openImage(`docker-archive:${file}`);
    await assert.rejects(walkLayer(await source.openLayer(0), { layerId: 'x', wants: () => true }), code('DIGEST_MISMATCH', 'diff_id'));
    await source.close();
  });
});

describe('oci-dir and oci-archive', () => {
  it('picks linux/amd64 from a multi-platform index by default', async () => {
    const dir = join(work, 'multi');
    await writeOciLayout(dir, [base, arm]);
    const source = await openImage(`oci-dir:${dir}`);
    assert.equal(source.info.architecture, 'amd64');
    assert.deepEqual(await contents(source), expectedBase);
    await source.close();
  });

  it('picks the requested platform, variant included, through a nested index', async () => {
    const dir = join(work, 'nested');
    await writeOciLayout(dir, [base, arm], { nested: true });
    for (const platform of ['linux/arm64', 'linux/arm64/v8']) {
      const source = await openImage(dir, { platform });
      assert.equal(source.info.architecture, 'arm64');
      assert.equal(source.info.variant, 'v8');
      assert.deepEqual(await contents(source), [['/etc/arch=arm64']]);
      await source.close();
    }
  });

  it('lists the available platforms when none matches', async () => {
    const dir = join(work, 'multi2');
    await writeOciLayout(dir, [base, arm]);
    await assert.rejects(openImage(`oci-dir:${dir}`, { platform: 'linux/s390x' }), code('PLATFORM_NOT_FOUND', 'linux/s390x', 'linux/amd64, linux/arm64/v8'));
    await assert.rejects(openImage(`oci-dir:${dir}`, { platform: 'linux' }), code('PLATFORM_NOT_FOUND', 'os/arch'));
  });

  it('accepts a lone image of another platform unless a platform was asked for', async () => {
    const dir = join(work, 'lone-arm');
    await writeOciLayout(dir, [arm]);
    const source = await openImage(`oci-dir:${dir}`);
    assert.equal(source.info.architecture, 'arm64');
    await source.close();
    await assert.rejects(openImage(`oci-dir:${dir}`, { platform: 'linux/amd64' }), code('PLATFORM_NOT_FOUND', 'linux/arm64/v8'));
  });

  it('reads Docker media types and zstd layers', async (t) => {
    const { requireTool } = await import('../../test/support/tools.js');
    if (!requireTool(t, 'zstd', ['--version'])) return;
    const image: TestImage = { ...base, dockerMediaTypes: true, layers: [{ ...base.layers[0]!, compression: 'zstd' }, base.layers[1]!] };
    const dir = join(work, 'docker-types');
    await writeOciLayout(dir, [image]);
    const source = await openImage(`oci-dir:${dir}`);
    assert.equal(source.info.layers[0]?.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    assert.deepEqual(await contents(source), expectedBase);
    await source.close();
  });

  it('reads an OCI archive in place, explicitly or detected, and selects by tag', async () => {
    const file = join(work, 'image.oci.tar');
    await writeOciArchive(file, [base]);
    for (const target of [`oci-archive:${file}`, file, `oci-archive:${file}:example/app:1.0`]) {
      const source = await openImage(target);
      assert.deepEqual(await contents(source), expectedBase);
      await source.close();
    }
    await assert.rejects(openImage(`oci-archive:${file}:nope`), code('NOT_FOUND', 'nope'));
  });

  it('errors the layer stream when a blob does not match its digest', async () => {
    const dir = join(work, 'tampered');
    await writeOciLayout(dir, [base]);
    const { digests } = await expectedInfo(base);
    const blob = join(dir, 'blobs', 'sha256', (digests[1] as string).slice(7));
    const bytes = await readFile(blob);
    bytes[600] = (bytes[600] as number) ^ 1;
    await writeFile(blob, bytes);
    const source = await openImage(`oci-dir:${dir}`);
    const intact = await walkLayer(await source.openLayer(0), { layerId: 'l0', wants: () => true });
    assert.equal(intact.files.size, 1);
    await assert.rejects(walkLayer(await source.openLayer(1), { layerId: 'l1', wants: () => true }), code('DIGEST_MISMATCH', digests[1] as string));
    await source.close();
  });

  it('refuses a manifest blob that does not match its digest', async () => {
    const dir = join(work, 'bad-manifest');
    await writeOciLayout(dir, [base]);
    const { built } = await expectedInfo(base);
    await writeFile(join(dir, 'blobs', 'sha256', built.manifestDigest.slice(7)), Buffer.from('{"schemaVersion":2}'));
    await assert.rejects(openImage(`oci-dir:${dir}`), code('DIGEST_MISMATCH', built.manifestDigest));
  });
});

describe('dir and detection', () => {
  it('opens a root filesystem as a directory source', async () => {
    const root = join(work, 'rootfs');
    await writeTree(root, new Map([['etc/debian_version', Buffer.from('12.7\n')]]));
    for (const target of [`dir:${root}`, root]) {
      const source = await openImage(target);
      assert.equal(source.kind, 'dir');
      if (source.kind === 'dir') assert.equal(source.root, root);
      assert.deepEqual(source.info.layers, []);
      await assert.rejects(source.openLayer(0), code('NOT_FOUND'));
      await source.close();
    }
  });

  it('rejects files that are no image, and missing paths', async () => {
    const file = join(work, 'notes.txt');
    await writeFile(file, 'hello');
    await assert.rejects(openImage(file), code('UNSUPPORTED_SOURCE', 'notes.txt'));
    const tarFile = join(work, 'plain.tar');
    await writeFile(tarFile, await tarOfFiles(new Map([['hello.txt', Buffer.from('hi')]])));
    await assert.rejects(openImage(tarFile), code('UNSUPPORTED_SOURCE', 'manifest.json'));
    await assert.rejects(openImage(`docker-archive:${join(work, 'missing.tar')}`), code('NOT_FOUND', 'missing.tar'));
  });

  it('never contacts a registry under --offline', async () => {
    await assert.rejects(openImage('registry:docker.io/library/alpine:3.19', { offline: true }), code('OFFLINE'));
  });
});

describe('compressed archives and hostile layers', () => {
  it('decompresses a gzipped archive into the work dir and removes it on close', async () => {
    const workDir = join(work, 'wd-gz');
    await mkdir(workDir);
    const file = join(work, 'legacy.tar.gz');
    await writeFile(file, gzipSync(await tarOfFiles(await dockerArchiveFiles([base], 'legacy'))));
    const source = await openImage(file, { workDir });
    assert.equal((await readdir(workDir)).length, 1);
    assert.deepEqual(await contents(source), expectedBase);
    await source.close();
    assert.deepEqual(await readdir(workDir), []);
  });

  it('rejects a hostile layer naming it and the entry, writes nothing outside the work dir, and other layers still scan', async () => {
    const sandbox = join(work, 'sandbox');
    const workDir = join(sandbox, 'wd');
    await mkdir(workDir, { recursive: true });
    const hostile: TestImage = {
      tags: ['evil:1'],
      layers: [
        base.layers[0]!,
        { entries: [{ path: 'etc/ok', content: 'fine' }, { path: '../../../../../../tmp/stella-pwned', content: 'x' }, { path: '../escape', type: 'symlink', linkname: '/etc' }], compression: 'gzip' },
        base.layers[1]!,
      ],
    };
    const file = join(sandbox, 'evil.tar.gz');
    await writeFile(file, gzipSync(await tarOfFiles(await dockerArchiveFiles([hostile], 'oci'))));
    const before = await listTree(sandbox);
    const source = await openImage(`docker-archive:${file}`, { workDir });
    const bad = source.info.layers[1]!.diffId;
    await assert.rejects(walkLayer(await source.openLayer(1), { layerId: bad, wants: () => true }), code('HOSTILE_ENTRY', bad, '../../../../../../tmp/stella-pwned'));
    for (const i of [0, 2]) {
      const layer = await walkLayer(await source.openLayer(i), { layerId: source.info.layers[i]!.diffId, wants: () => true });
      assert.ok(layer.entryCount > 0);
    }
    await source.close();
    assert.deepEqual(await listTree(sandbox), before);
    assert.deepEqual(await readdir(workDir), []);
    await assert.rejects(readFile('/tmp/stella-pwned'), { code: 'ENOENT' });
  });
});

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}
