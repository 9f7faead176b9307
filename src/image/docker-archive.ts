import { createHash } from 'node:crypto';
import type { ImageInfo, LayerInfo } from '../inventory/index.js';
import { blobPath, verifyBytes } from './blob-stores.js';
import { sniffCompression } from './compression.js';
import { ImageError } from './errors.js';
import { LayeredSource } from './layered.js';
import { MAX_JSON_BYTES, isIndex, parseConfig, parseDescriptor, parseJson, parseManifest, type ImageConfig } from './oci.js';
import { formatPlatform, parsePlatform, platformMatches, type Platform } from './source.js';
import type { TarEntry, TarIndex } from './tar-index.js';

interface ArchiveImage {
  readonly config: string;
  readonly tags: string[];
  readonly layers: string[];
}

export interface DockerArchiveOptions {
  readonly platform?: string;
  /** Picks one image of a multi-image archive by one of its RepoTags. */
  readonly ref?: string;
}

/**
 * `docker-archive:F` — `docker save` output, read in place through manifest.json. Both forms work:
 * the legacy one (<id>/layer.tar, <id>.json) and Docker ≥ 25's (blobs/sha256/… plus an OCI
 * index.json, from which the manifest digest and layer media types are taken).
 */
export async function openDockerArchive(reference: string, tar: TarIndex, options: DockerArchiveOptions, onClose: () => Promise<void>): Promise<LayeredSource> {
  try {
    const image = pickImage(await readManifestJson(tar), options.ref, tar.file);
    const configEntry = need(tar, image.config);
    const configBytes = await tar.read(configEntry, MAX_JSON_BYTES);
    const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    const config = parseConfig(parseJson(configBytes, `${tar.file}:${image.config}`), `${tar.file}:${image.config}`);
    if (config.diffIds.length !== image.layers.length) {
      throw new ImageError('BAD_MANIFEST', `${tar.file}: manifest.json lists ${image.layers.length} layers but the config has ${config.diffIds.length} diff_ids`);
    }
    checkPlatform(config, options.platform);
    const entries = image.layers.map((path) => need(tar, path));
    const oci = await ociManifestFor(tar, configDigest);
    const layers: LayerInfo[] = [];
    for (const [i, entry] of entries.entries()) {
      const diffId = config.diffIds[i] as string;
      const mediaType = oci?.layers[i]?.mediaType;
      layers.push({
        digest: oci?.layers[i]?.digest ?? (await layerDigest(tar, entry, diffId)),
        diffId,
        size: entry.size,
        ...(mediaType ? { mediaType } : {}),
      });
    }
    const info: ImageInfo = {
      reference,
      ...(oci ? { manifestDigest: oci.digest } : {}),
      configDigest,
      tags: [...image.tags].sort(),
      os: config.os,
      architecture: config.architecture,
      ...(config.variant ? { variant: config.variant } : {}),
      layers,
    };
    return new LayeredSource(info, async (i) => tar.open(entries[i] as TarEntry), onClose);
  } catch (error) {
    await onClose();
    throw error;
  }
}

async function readManifestJson(tar: TarIndex): Promise<ArchiveImage[]> {
  const entry = tar.get('manifest.json');
  if (entry === undefined) throw new ImageError('BAD_MANIFEST', `${tar.file} holds no manifest.json`);
  let doc: unknown;
  try {
    doc = JSON.parse((await tar.read(entry, MAX_JSON_BYTES)).toString('utf8'));
  } catch (error) {
    throw new ImageError('BAD_MANIFEST', `${tar.file}:manifest.json is not JSON`, { cause: error });
  }
  if (!Array.isArray(doc)) throw new ImageError('BAD_MANIFEST', `${tar.file}:manifest.json is not an array`);
  return doc.map((item: Record<string, unknown>, i) => {
    const layers = item?.Layers;
    if (typeof item?.Config !== 'string' || !Array.isArray(layers) || !layers.every((l) => typeof l === 'string')) {
      throw new ImageError('BAD_MANIFEST', `${tar.file}:manifest.json entry ${i} lacks Config or Layers`);
    }
    const tags = Array.isArray(item.RepoTags) ? item.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    return { config: item.Config, tags, layers: layers as string[] };
  });
}

function pickImage(images: ArchiveImage[], ref: string | undefined, file: string): ArchiveImage {
  if (ref !== undefined) {
    const found = images.find((image) => image.tags.some((tag) => tag === ref || tag.endsWith(`/${ref}`)));
    if (found === undefined) throw new ImageError('NOT_FOUND', `${file} has no image tagged "${ref}"`);
    return found;
  }
  const [first] = images;
  if (first === undefined) throw new ImageError('BAD_MANIFEST', `${file}:manifest.json lists no image`);
  if (images.length > 1) {
    const tags = images.flatMap((image) => image.tags).sort().join(', ');
    throw new ImageError('NOT_FOUND', `${file} holds ${images.length} images (${tags}); name one as docker-archive:${file}:TAG`);
  }
  return first;
}

function checkPlatform(config: ImageConfig, requested: string | undefined): void {
  if (requested === undefined) return;
  const offered: Platform = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
  if (!platformMatches(parsePlatform(requested), offered)) {
    throw new ImageError('PLATFORM_NOT_FOUND', `no image for platform ${requested}; available: ${formatPlatform(offered)}`);
  }
}

function need(tar: TarIndex, path: string): TarEntry {
  const entry = tar.get(path);
  if (entry === undefined) throw new ImageError('NOT_FOUND', `${tar.file}: "${path}" named by manifest.json is missing`);
  return entry;
}

/** Docker ≥ 25 also writes an OCI index.json: find the manifest whose config is ours. */
async function ociManifestFor(tar: TarIndex, configDigest: string): Promise<{ digest: string; layers: { digest: string; mediaType: string }[] } | undefined> {
  const entry = tar.get('index.json');
  if (entry === undefined) return undefined;
  const index = parseJson(await tar.read(entry, MAX_JSON_BYTES), `${tar.file}:index.json`);
  if (!isIndex(index)) return undefined;
  for (const [i, raw] of (index.manifests as unknown[]).entries()) {
    const descriptor = parseDescriptor(raw, `${tar.file}:index.json entry ${i}`);
    const blob = tar.get(blobPath(descriptor.digest));
    if (blob === undefined) continue;
    const doc = parseJson(verifyBytes(await tar.read(blob, MAX_JSON_BYTES), descriptor.digest, tar.file), `manifest ${descriptor.digest}`);
    if (isIndex(doc, descriptor.mediaType)) continue;
    const manifest = parseManifest(doc, `manifest ${descriptor.digest}`);
    if (manifest.config.digest === configDigest) return { digest: descriptor.digest, layers: [...manifest.layers] };
  }
  return undefined;
}

/** The stored layer's digest: from its blobs/ path, equal to the diffID when uncompressed, else hashed. */
async function layerDigest(tar: TarIndex, entry: TarEntry, diffId: string): Promise<string> {
  const named = /^blobs\/(sha256)\/([a-f0-9]{64})$/.exec(entry.name);
  if (named !== null) return `${named[1]}:${named[2]}`;
  const head = await tar.read({ ...entry, size: Math.min(entry.size, 4) }, 4);
  if (sniffCompression(head) === 'none') return diffId;
  const hash = createHash('sha256');
  for await (const chunk of tar.open(entry)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}
