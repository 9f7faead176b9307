import type { ImageInfo, LayerInfo } from '../inventory/index.js';
import { ImageError } from './errors.js';
import { LayeredSource } from './layered.js';
import { DEFAULT_PLATFORM, formatPlatform, parsePlatform, platformMatches, type BlobStore, type Platform } from './source.js';

/** Manifests, indexes and configs are small; anything bigger is not one. */
export const MAX_JSON_BYTES = 8 * 2 ** 20;

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);
const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size?: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageManifest {
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface ImageConfig {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly diffIds: readonly string[];
}

export interface SelectOptions {
  /** The --platform text; absent → linux/amd64, but a lone image of another platform is accepted. */
  readonly platform?: string;
  /** Picks index entries by their ref-name annotation (tag). */
  readonly ref?: string;
}

export function parseJson(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ImageError('BAD_MANIFEST', `${what} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ImageError('BAD_MANIFEST', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

export function parseDescriptor(value: unknown, what: string): Descriptor {
  const d = value as Record<string, unknown> | null;
  if (typeof d !== 'object' || d === null || typeof d.digest !== 'string' || !/^sha(256|512):[a-f0-9]+$/.test(d.digest)) {
    throw new ImageError('BAD_MANIFEST', `${what}: descriptor without a valid digest`);
  }
  const p = d.platform as Record<string, unknown> | undefined;
  const platform = typeof p?.os === 'string' && typeof p.architecture === 'string'
    ? { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' && p.variant !== '' ? { variant: p.variant } : {}) }
    : undefined;
  return {
    mediaType: typeof d.mediaType === 'string' ? d.mediaType : '',
    digest: d.digest,
    ...(typeof d.size === 'number' ? { size: d.size } : {}),
    ...(platform ? { platform } : {}),
    ...(typeof d.annotations === 'object' && d.annotations !== null ? { annotations: d.annotations as Record<string, string> } : {}),
  };
}

export function parseManifest(doc: Record<string, unknown>, what: string): ImageManifest {
  if (doc.schemaVersion !== 2) throw new ImageError('BAD_MANIFEST', `${what}: schemaVersion ${String(doc.schemaVersion)} is not supported (want 2)`);
  if (!Array.isArray(doc.layers)) throw new ImageError('BAD_MANIFEST', `${what}: no layers array`);
  return {
    config: parseDescriptor(doc.config, `${what} config`),
    layers: doc.layers.map((layer, i) => parseDescriptor(layer, `${what} layer ${i}`)),
  };
}

export function parseConfig(doc: Record<string, unknown>, what: string): ImageConfig {
  const rootfs = doc.rootfs as Record<string, unknown> | undefined;
  const ids = rootfs?.diff_ids;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && /^sha256:[a-f0-9]{64}$/.test(id))) {
    throw new ImageError('BAD_MANIFEST', `${what}: rootfs.diff_ids missing or malformed`);
  }
  return {
    os: typeof doc.os === 'string' ? doc.os : '',
    architecture: typeof doc.architecture === 'string' ? doc.architecture : '',
    ...(typeof doc.variant === 'string' && doc.variant !== '' ? { variant: doc.variant } : {}),
    diffIds: ids as string[],
  };
}

export function isIndex(doc: Record<string, unknown>, mediaType = ''): boolean {
  return INDEX_TYPES.has(mediaType) || INDEX_TYPES.has(String(doc.mediaType)) || (Array.isArray(doc.manifests) && doc.layers === undefined);
}

export interface Candidate {
  readonly descriptor: Descriptor;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
  readonly configBytes: Buffer;
  readonly tags: string[];
}

/**
 * Index (or manifest) → the one image for the wanted platform, with its config. Nested indexes are
 * followed; attestation manifests are skipped.
 */
export async function selectImage(store: BlobStore, root: Record<string, unknown>, rootDescriptor: Descriptor | undefined, options: SelectOptions): Promise<Candidate> {
  const wanted = options.platform === undefined ? DEFAULT_PLATFORM : parsePlatform(options.platform);
  const candidates: Candidate[] = [];
  if (isIndex(root, rootDescriptor?.mediaType)) {
    await collect(store, root, options.ref, candidates, 0);
  } else {
    candidates.push(await loadCandidate(store, root, rootDescriptor ?? { mediaType: '', digest: 'sha256:' }, []));
  }
  if (candidates.length === 0) throw new ImageError('NOT_FOUND', options.ref === undefined ? 'the index lists no image manifest' : `no image tagged "${options.ref}" in the index`);
  const match = candidates.find((c) => platformMatches(wanted, platformOf(c)));
  if (match !== undefined) return match;
  const lone = candidates.length === 1 ? candidates[0] : undefined;
  if (lone !== undefined && options.platform === undefined) return lone;
  const offered = [...new Set(candidates.map((c) => formatPlatform(platformOf(c))))].sort();
  throw new ImageError('PLATFORM_NOT_FOUND', `no image for platform ${formatPlatform(wanted)}; available: ${offered.join(', ')}`);
}

function platformOf(c: Candidate): Platform {
  return { os: c.config.os, architecture: c.config.architecture, ...(c.config.variant ? { variant: c.config.variant } : {}) };
}

async function collect(store: BlobStore, index: Record<string, unknown>, ref: string | undefined, out: Candidate[], depth: number): Promise<void> {
  if (depth > 4) throw new ImageError('BAD_MANIFEST', 'indexes nested more than 4 deep');
  const entries = Array.isArray(index.manifests) ? index.manifests : [];
  for (const [i, raw] of entries.entries()) {
    const descriptor = parseDescriptor(raw, `index entry ${i}`);
    const tags = tagsOf(descriptor);
    if (ref !== undefined && depth === 0 && !tags.some((tag) => tag === ref || tag.endsWith(`:${ref}`))) continue;
    if (isAttestation(descriptor)) continue;
    const bytes = await (store.readManifest ?? store.readBlob).call(store, descriptor.digest, MAX_JSON_BYTES);
    const doc = parseJson(bytes, `manifest ${descriptor.digest}`);
    if (isIndex(doc, descriptor.mediaType)) await collect(store, doc, undefined, out, depth + 1);
    else if (MANIFEST_TYPES.has(descriptor.mediaType) || descriptor.mediaType === '' || doc.layers !== undefined) {
      out.push(await loadCandidate(store, doc, descriptor, tags));
    }
  }
}

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown');
}

function tagsOf(d: Descriptor): string[] {
  const names = [d.annotations?.[CONTAINERD_NAME], d.annotations?.[REF_NAME]].filter((n): n is string => typeof n === 'string' && n !== '');
  return [...new Set(names)];
}

async function loadCandidate(store: BlobStore, doc: Record<string, unknown>, descriptor: Descriptor, tags: string[]): Promise<Candidate> {
  const manifest = parseManifest(doc, `manifest ${descriptor.digest}`);
  const configBytes = await store.readBlob(manifest.config.digest, MAX_JSON_BYTES);
  const config = parseConfig(parseJson(configBytes, `config ${manifest.config.digest}`), `config ${manifest.config.digest}`);
  if (config.diffIds.length !== manifest.layers.length) {
    throw new ImageError('BAD_MANIFEST', `manifest ${descriptor.digest} lists ${manifest.layers.length} layers but its config has ${config.diffIds.length} diff_ids`);
  }
  return { descriptor, manifest, config, configBytes, tags };
}

/** The chosen image as a LayeredSource reading layers from the store. */
export function sourceFromCandidate(store: BlobStore, reference: string, chosen: Candidate): LayeredSource {
  const layers: LayerInfo[] = chosen.manifest.layers.map((layer, i) => ({
    digest: layer.digest,
    diffId: chosen.config.diffIds[i] as string,
    ...(layer.size !== undefined ? { size: layer.size } : {}),
    ...(layer.mediaType !== '' ? { mediaType: layer.mediaType } : {}),
  }));
  const info: ImageInfo = {
    reference,
    ...(chosen.descriptor.digest !== 'sha256:' ? { manifestDigest: chosen.descriptor.digest } : {}),
    configDigest: chosen.manifest.config.digest,
    tags: [...chosen.tags].sort(),
    os: chosen.config.os,
    architecture: chosen.config.architecture,
    ...(chosen.config.variant ? { variant: chosen.config.variant } : {}),
    layers,
  };
  return new LayeredSource(info, async (i) => store.openBlob(layers[i]?.digest as string), () => store.close());
}
