import type { Readable } from 'node:stream';
import type { ImageInfo } from '../inventory/index.js';
import { ImageError } from './errors.js';

export interface OpenImageOptions {
  /** `os/arch[/variant]`; default linux/amd64 (explicitly given → a single-platform image must match). */
  readonly platform?: string;
  /** Forbid the network: registry sources fail with OFFLINE. */
  readonly offline?: boolean;
  /** Where temporary files go (a compressed outer archive is decompressed there); default os.tmpdir(). */
  readonly workDir?: string;
}

interface SourceBase {
  readonly info: ImageInfo;
  /**
   * The layer's UNCOMPRESSED tar bytes (gzip/zstd detected by magic bytes). The blob digest and
   * the diffID are verified while streaming: a mismatch errors the stream (DIGEST_MISMATCH).
   */
  openLayer(index: number): Promise<Readable>;
  close(): Promise<void>;
}

/** An image made of layers (archives, layouts, registries). */
export interface LayeredImageSource extends SourceBase {
  readonly kind: 'layers';
}

/** A root filesystem on disk: `info.layers` is empty; walk `root` with walkDirectory. */
export interface DirectoryImageSource extends SourceBase {
  readonly kind: 'dir';
  readonly root: string;
}

export type ImageSource = LayeredImageSource | DirectoryImageSource;

/**
 * Where blobs come from: an OCI layout directory, a tar archive, or a registry. Everything above
 * it (index → manifest → config → layers, platform choice, verification) is shared.
 */
export interface BlobStore {
  /** The stored bytes of a blob, unverified (callers verify). NOT_FOUND when absent. */
  openBlob(digest: string): Promise<Readable>;
  /** A small blob (manifest, config) read whole and verified; over `maxBytes` → BAD_MANIFEST. */
  readBlob(digest: string, maxBytes: number): Promise<Buffer>;
  /** A manifest or index named by digest, verified (registries serve these apart from blobs); default readBlob. */
  readManifest?(digest: string, maxBytes: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  const [os, architecture, variant] = parts;
  if (parts.length < 2 || parts.length > 3 || !os || !architecture || (parts.length === 3 && !variant)) {
    throw new ImageError('PLATFORM_NOT_FOUND', `platform "${text}" is not os/arch[/variant]`);
  }
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter((part) => part !== undefined && part !== '').join('/');
}

/** arm64 is v8 unless said otherwise; a request without a variant accepts any variant. */
export function platformMatches(wanted: Platform, offered: Platform): boolean {
  if (wanted.os !== offered.os || wanted.architecture !== offered.architecture) return false;
  if (wanted.variant === undefined) return true;
  const normal = (p: Platform): string | undefined => p.variant ?? (p.architecture === 'arm64' ? 'v8' : undefined);
  return normal(wanted) === normal(offered);
}
