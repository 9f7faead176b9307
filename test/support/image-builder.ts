/**
 * Builds container images for tests, programmatically and deterministically (zeroed mtimes and
 * owners, gzip without timestamps): layer tars from entry lists, gzip/zstd compression, and the
 * image formats src/image reads — docker save output (legacy and Docker ≥ 25's OCI-index form),
 * OCI image layouts (optionally multi-platform) and OCI archives.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface LayerEntry {
  /** Written as given (relative, absolute or hostile alike). */
  readonly path: string;
  readonly type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  readonly content?: string | Buffer;
  readonly linkname?: string;
  readonly mode?: number;
}

export type Compression = 'none' | 'gzip' | 'zstd';

export interface TestLayer {
  /** Entries, or a ready tar (e.g. from buildLayerTar, possibly tampered with). */
  readonly entries: readonly LayerEntry[] | Buffer;
  readonly compression?: Compression;
  /** Overrides the media type written in the manifest (default: OCI type matching the compression). */
  readonly mediaType?: string;
}

export interface TestImage {
  readonly layers: readonly TestLayer[];
  readonly os?: string;
  readonly architecture?: string;
  readonly variant?: string;
  /** Tags (docker: RepoTags such as "example/app:1"; OCI: ref names). */
  readonly tags?: readonly string[];
  /** Write Docker media types instead of OCI ones. */
  readonly dockerMediaTypes?: boolean;
}

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const hex = (digest: string): string => digest.slice('sha256:'.length);

/** A tar of the entries, in the order given. */
export async function buildLayerTar(entries: readonly LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const done = collect(pack);
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const base = { name: entry.path, mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' };
    if (type === 'dir') pack.entry({ ...base, type: 'directory', mode: entry.mode ?? 0o755 });
    else if (type === 'symlink') pack.entry({ ...base, type: 'symlink', linkname: entry.linkname ?? '', mode: entry.mode ?? 0o777 });
    else if (type === 'hardlink') pack.entry({ ...base, type: 'link', linkname: entry.linkname ?? '', mode: entry.mode ?? 0o644 });
    else pack.entry({ ...base, type: 'file', mode: entry.mode ?? 0o644 }, toBuffer(entry.content ?? ''));
  }
  pack.finalize();
  return done;
}

export function compress(bytes: Buffer, kind: Compression): Buffer {
  if (kind === 'none') return bytes;
  if (kind === 'gzip') return gzipSync(bytes, { level: 6 });
  const run = spawnSync('zstd', ['-q', '-c', '-3'], { input: bytes, maxBuffer: 1 << 30 });
  if (run.error !== undefined || run.status !== 0) throw new Error(`zstd failed: ${run.error?.message ?? run.stderr.toString()}`);
  return run.stdout;
}

interface BuiltLayer {
  readonly tar: Buffer;
  readonly blob: Buffer;
  readonly diffId: string;
  readonly digest: string;
  readonly mediaType: string;
}

interface BuiltImage {
  readonly layers: BuiltLayer[];
  readonly config: Buffer;
  readonly configDigest: string;
  readonly manifest: Buffer;
  readonly manifestDigest: string;
  readonly manifestMediaType: string;
  readonly image: TestImage;
}

export async function buildImage(image: TestImage): Promise<BuiltImage> {
  const layers: BuiltLayer[] = [];
  for (const layer of image.layers) {
    const plain = Buffer.isBuffer(layer.entries) ? layer.entries : await buildLayerTar(layer.entries);
    const kind = layer.compression ?? 'none';
    const blob = compress(plain, kind);
    layers.push({ tar: plain, blob, diffId: sha256(plain), digest: sha256(blob), mediaType: layer.mediaType ?? layerMediaType(kind, image.dockerMediaTypes === true) });
  }
  const config = Buffer.from(JSON.stringify({
    architecture: image.architecture ?? 'amd64',
    os: image.os ?? 'linux',
    ...(image.variant ? { variant: image.variant } : {}),
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created_by: 'test' })),
  }));
  const docker = image.dockerMediaTypes === true;
  const manifestMediaType = docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: { mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })),
  }));
  return { layers, config, configDigest: sha256(config), manifest, manifestDigest: sha256(manifest), manifestMediaType, image };
}

function layerMediaType(kind: Compression, docker: boolean): string {
  if (docker) return kind === 'none' ? 'application/vnd.docker.image.rootfs.diff.tar' : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  return kind === 'none' ? 'application/vnd.oci.image.layer.v1.tar' : `application/vnd.oci.image.layer.v1.tar+${kind}`;
}

/** A file map (path → bytes) of an OCI image layout; several images make a multi-platform index. */
export async function ociLayoutFiles(images: readonly TestImage[], options: { nested?: boolean } = {}): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const built = await Promise.all(images.map(buildImage));
  const descriptors = built.map((b) => {
    addBlobs(files, b);
    return {
      mediaType: b.manifestMediaType,
      digest: b.manifestDigest,
      size: b.manifest.length,
      ...(images.length > 1 ? { platform: { architecture: b.image.architecture ?? 'amd64', os: b.image.os ?? 'linux', ...(b.image.variant ? { variant: b.image.variant } : {}) } } : {}),
      ...(images.length === 1 && b.image.tags?.[0] ? { annotations: { 'org.opencontainers.image.ref.name': b.image.tags[0] } } : {}),
    };
  });
  let top: Record<string, unknown> = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descriptors };
  if (options.nested === true) {
    const inner = Buffer.from(JSON.stringify(top));
    files.set(`blobs/sha256/${hex(sha256(inner))}`, inner);
    top = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256(inner), size: inner.length }] };
  }
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  files.set('index.json', Buffer.from(JSON.stringify(top)));
  return files;
}

function addBlobs(files: Map<string, Buffer>, b: BuiltImage): void {
  for (const layer of b.layers) files.set(`blobs/sha256/${hex(layer.digest)}`, layer.blob);
  files.set(`blobs/sha256/${hex(b.configDigest)}`, b.config);
  files.set(`blobs/sha256/${hex(b.manifestDigest)}`, b.manifest);
}

export async function writeOciLayout(dir: string, images: readonly TestImage[], options: { nested?: boolean } = {}): Promise<void> {
  await writeTree(dir, await ociLayoutFiles(images, options));
}

export async function writeOciArchive(file: string, images: readonly TestImage[], options: { nested?: boolean } = {}): Promise<void> {
  await writeFile(file, await tarOfFiles(await ociLayoutFiles(images, options)));
}

/**
 * docker save output. `legacy`: <id>/layer.tar + <config>.json + manifest.json + repositories.
 * `oci`: Docker ≥ 25 — blobs/sha256/… with an OCI index.json and oci-layout beside manifest.json.
 */
export async function dockerArchiveFiles(images: readonly TestImage[], form: 'legacy' | 'oci'): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const manifest: unknown[] = [];
  const index: unknown[] = [];
  for (const b of await Promise.all(images.map(buildImage))) {
    const tags = [...(b.image.tags ?? [])];
    if (form === 'legacy') {
      const layerPaths = b.layers.map((l) => `${hex(l.diffId)}/layer.tar`);
      b.layers.forEach((l, i) => {
        files.set(layerPaths[i] as string, l.blob);
        files.set(`${hex(l.diffId)}/VERSION`, Buffer.from('1.0'));
      });
      files.set(`${hex(b.configDigest)}.json`, b.config);
      manifest.push({ Config: `${hex(b.configDigest)}.json`, RepoTags: tags, Layers: layerPaths });
    } else {
      addBlobs(files, b);
      manifest.push({ Config: `blobs/sha256/${hex(b.configDigest)}`, RepoTags: tags, Layers: b.layers.map((l) => `blobs/sha256/${hex(l.digest)}`) });
      index.push({ mediaType: b.manifestMediaType, digest: b.manifestDigest, size: b.manifest.length, annotations: tags[0] ? { 'io.containerd.image.name': `docker.io/${tags[0]}`, 'org.opencontainers.image.ref.name': tags[0].split(':').pop() } : {} });
    }
  }
  files.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
  if (form === 'oci') {
    files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: index })));
  }
  return files;
}

export async function writeDockerArchive(file: string, images: readonly TestImage[], form: 'legacy' | 'oci' = 'legacy'): Promise<void> {
  await writeFile(file, await tarOfFiles(await dockerArchiveFiles(images, form)));
}

/** A tar of a file map, sorted by path. */
export async function tarOfFiles(files: ReadonlyMap<string, Buffer>): Promise<Buffer> {
  return buildLayerTar([...files.keys()].sort().map((path) => ({ path, content: files.get(path) as Buffer })));
}

export async function writeTree(dir: string, files: ReadonlyMap<string, Buffer>): Promise<void> {
  for (const [path, content] of files) {
    const target = join(dir, path);
    await mkdir(join(target, '..'), { recursive: true });
    await writeFile(target, content);
  }
}

function toBuffer(content: string | Buffer): Buffer {
  return typeof content === 'string' ? Buffer.from(content) : content;
}

async function collect(stream: tar.Pack): Promise<Buffer> {
  const parts: Buffer[] = [];
  // streamx readables are async-iterable at run time; their typings omit it.
  for await (const chunk of stream as unknown as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}
