import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open as openFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { decodeLayer, sniffCompression } from './compression.js';
import { openDirectory } from './dir-source.js';
import { openDockerArchive } from './docker-archive.js';
import { ImageError } from './errors.js';
import { openOciArchive, openOciDir } from './oci-layout.js';
import { openRegistry, type RegistryOptions } from './registry.js';
import { TarIndex } from './tar-index.js';
import { DEFAULT_WALK_LIMITS } from './walk.js';
import type { ImageSource, OpenImageOptions } from './source.js';

export type SourceKind = 'docker-archive' | 'oci-dir' | 'oci-archive' | 'dir' | 'registry';

const PREFIXES: Record<string, SourceKind> = {
  'docker-archive': 'docker-archive',
  'oci-dir': 'oci-dir',
  oci: 'oci-dir',
  'oci-archive': 'oci-archive',
  dir: 'dir',
  registry: 'registry',
  docker: 'registry',
};

/**
 * Opens `docker-archive:F[:TAG]`, `oci-dir:D[:TAG]`, `oci-archive:F[:TAG]`, `dir:D`, `registry:REF`
 * or a bare path whose kind is detected. Archives are read in place; only a gzip/zstd-compressed
 * outer archive is first decompressed into a private folder under options.workDir, removed by close().
 */
export async function openImage(target: string, options: OpenImageOptions & { readonly registry?: RegistryOptions } = {}): Promise<ImageSource> {
  const { kind, rest } = splitTarget(target);
  if (kind === 'registry') {
    if (options.offline === true) throw new ImageError('OFFLINE', `${target}: a registry cannot be contacted under --offline`);
    return openRegistry(target, rest, { ...options.registry, ...(options.platform !== undefined ? { platform: options.platform } : {}) });
  }
  const { path, ref } = await splitRef(rest, kind !== 'dir');
  const select = { ...(options.platform !== undefined ? { platform: options.platform } : {}), ...(ref !== undefined ? { ref } : {}) };
  switch (kind) {
    case 'dir':
      return openDirectory(target, path);
    case 'oci-dir':
      return openOciDir(target, path, select);
    case 'docker-archive':
    case 'oci-archive': {
      const archive = await prepareArchive(path, options.workDir);
      return kind === 'docker-archive'
        ? openDockerArchive(target, archive.tar, select, archive.cleanup)
        : openOciArchive(target, archive.tar, select, archive.cleanup);
    }
    case undefined:
      return openDetected(target, path, select, options.workDir);
  }
}

function splitTarget(target: string): { kind: SourceKind | undefined; rest: string } {
  const colon = target.indexOf(':');
  const kind = colon > 0 ? PREFIXES[target.slice(0, colon)] : undefined;
  return kind === undefined ? { kind, rest: target } : { kind, rest: target.slice(colon + 1) };
}

/** "file.tar:alpine:3.19" → the longest existing path prefix, the rest is the tag. */
async function splitRef(rest: string, allowRef: boolean): Promise<{ path: string; ref?: string }> {
  if (rest === '') throw new ImageError('NOT_FOUND', 'no path given');
  if (!allowRef || (await exists(rest))) return { path: rest };
  for (let at = rest.lastIndexOf(':'); at > 0; at = rest.lastIndexOf(':', at - 1)) {
    if (await exists(rest.slice(0, at))) return { path: rest.slice(0, at), ref: rest.slice(at + 1) };
  }
  throw new ImageError('NOT_FOUND', `${rest} does not exist`);
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

async function openDetected(target: string, path: string, select: { platform?: string; ref?: string }, workDir: string | undefined): Promise<ImageSource> {
  const info = await stat(path);
  if (info.isDirectory()) {
    return (await exists(join(path, 'oci-layout'))) ? openOciDir(target, path, select) : openDirectory(target, path);
  }
  const archive = await prepareArchive(path, workDir).catch((error: unknown) => {
    if (error instanceof ImageError && error.code === 'BAD_MANIFEST') {
      throw new ImageError('UNSUPPORTED_SOURCE', `${path} is neither a directory nor a tar archive`, { cause: error });
    }
    throw error;
  });
  if (archive.tar.get('manifest.json') !== undefined) return openDockerArchive(target, archive.tar, select, archive.cleanup);
  if (archive.tar.get('index.json') !== undefined || archive.tar.get('oci-layout') !== undefined) {
    return openOciArchive(target, archive.tar, select, archive.cleanup);
  }
  await archive.cleanup();
  throw new ImageError('UNSUPPORTED_SOURCE', `${path} is a tar but neither docker save output (manifest.json) nor an OCI archive (index.json)`);
}

interface PreparedArchive {
  readonly tar: TarIndex;
  readonly cleanup: () => Promise<void>;
}

/** A plain tar is indexed in place; a gzip/zstd one is decompressed into a private temp folder first. */
async function prepareArchive(path: string, workDir: string | undefined): Promise<PreparedArchive> {
  const head = Buffer.alloc(4);
  const handle = await openFile(path, 'r').catch((error: unknown) => {
    throw new ImageError('NOT_FOUND', `cannot open ${path}: ${(error as Error).message}`, { cause: error });
  });
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (sniffCompression(head) === 'none') return { tar: await TarIndex.load(path), cleanup: async () => {} };
  const folder = await mkdtemp(join(resolve(workDir ?? tmpdir()), 'stella-'));
  const cleanup = (): Promise<void> => rm(folder, { recursive: true, force: true });
  try {
    const plain = join(folder, 'archive.tar');
    const decoded = decodeLayer(createReadStream(path), { label: path });
    decoded.guard = (compressed, uncompressed) => archiveBomb(path, compressed, uncompressed);
    await pipeline(decoded, createWriteStream(plain, { flags: 'wx' }));
    return { tar: await TarIndex.load(plain), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** The layer limits also bound what a compressed outer archive may write to the work dir. */
function archiveBomb(path: string, compressed: number, uncompressed: number): Error | undefined {
  const { maxLayerBytes, maxRatio, ratioGraceBytes } = DEFAULT_WALK_LIMITS;
  if (uncompressed <= maxLayerBytes && (uncompressed <= ratioGraceBytes || uncompressed / Math.max(compressed, 1) <= maxRatio)) return undefined;
  return new ImageError('DECOMPRESSION_BOMB', `${path}: decompressing the archive passed ${uncompressed} bytes from ${compressed} (limits: ${maxLayerBytes} bytes, ratio ${maxRatio}:1)`);
}
