import { ALL_ANALYZERS, type Analyzer } from '../catalog/index.js';
import { openImage, walkDirectory, walkLayer, isImageError, type ImageSource, type RegistryOptions } from '../image/index.js';
import type { Inventory, ScanIssue } from '../inventory/index.js';
import { defaultStellaHome, LayerCache } from './cache.js';
import { analyzerFingerprint, FragmentBuilder, maxFileSizeFor, wantedBy, type LayerFragment } from './fragment.js';
import { mergeFragments } from './merge.js';

export interface ScanProgress {
  readonly layer: number;
  readonly layers: number;
  readonly diffId: string;
  readonly cached: boolean;
}

/**
 * Where layer fragments are looked up before a layer is read, and kept after: the file cache under
 * $STELLA_HOME (LayerCache) for the CLI, the store for the server and its workers.
 */
export interface FragmentCache {
  get(diffId: string, analyzers: string): LayerFragment | undefined | Promise<LayerFragment | undefined>;
  put(fragment: LayerFragment): void | Promise<void>;
}

export interface ScanOptions {
  readonly platform?: string;
  readonly offline?: boolean;
  /** Where the layer cache lives; default $STELLA_HOME or ./.stella. */
  readonly stellaHome?: string;
  /** false: neither read nor write the layer cache. */
  readonly cache?: boolean;
  /** A fragment cache to use instead of the file cache under stellaHome (ignored when cache is false). */
  readonly fragments?: FragmentCache;
  /** Where temporary files go (a compressed outer archive is decompressed there); default os.tmpdir(). */
  readonly workDir?: string;
  /** Registry client options (TLS, credentials folder, retries) for registry: targets. */
  readonly registry?: RegistryOptions;
  readonly analyzers?: readonly Analyzer[];
  readonly onProgress?: (progress: ScanProgress) => void;
}

/**
 * Scans an image (or a root filesystem) into an Inventory. Layers whose fragment is cached are
 * not read at all; a layer that fails (hostile entry, bomb, digest mismatch) becomes an issue
 * and the other layers still count.
 */
export async function scanImage(target: string, options: ScanOptions = {}): Promise<Inventory> {
  const analyzers = options.analyzers ?? ALL_ANALYZERS;
  const source = await openImage(target, {
    platform: options.platform,
    offline: options.offline,
    ...(options.workDir === undefined ? {} : { workDir: options.workDir }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  });
  try {
    if (source.kind === 'dir') {
      const builder = new FragmentBuilder('dir:', analyzers);
      const raw = await walkDirectory(source.root, { layerId: 'dir:', wants: wantedBy(analyzers), maxFileSize: maxFileSizeFor(analyzers), consumer: builder });
      const merged = mergeFragments([builder.finish(raw)], true);
      return { ...merged, ...(source.info.layers.length > 0 ? { image: source.info } : {}) };
    }
    const fragments = await layerFragments(source, analyzers, options);
    const merged = mergeFragments(fragments.fragments);
    return { image: source.info, ...merged, issues: [...fragments.issues, ...merged.issues] };
  } finally {
    await source.close();
  }
}

async function layerFragments(source: ImageSource, analyzers: readonly Analyzer[], options: ScanOptions): Promise<{ fragments: LayerFragment[]; issues: ScanIssue[] }> {
  const cache: FragmentCache | undefined = options.cache === false ? undefined : options.fragments ?? new LayerCache(options.stellaHome ?? defaultStellaHome());
  const fingerprint = analyzerFingerprint(analyzers);
  const layers = source.info.layers;
  const fragments: LayerFragment[] = [];
  const issues: ScanIssue[] = [];
  for (let i = 0; i < layers.length; i++) {
    const diffId = layers[i]!.diffId;
    const cached = await cache?.get(diffId, fingerprint);
    options.onProgress?.({ layer: i + 1, layers: layers.length, diffId, cached: cached !== undefined });
    if (cached !== undefined) {
      fragments.push(cached);
      continue;
    }
    try {
      const stream = await source.openLayer(i);
      const builder = new FragmentBuilder(diffId, analyzers);
      const raw = await walkLayer(stream, { layerId: diffId, wants: wantedBy(analyzers), maxFileSize: maxFileSizeFor(analyzers), consumer: builder });
      const fragment = builder.finish(raw);
      await cache?.put(fragment);
      fragments.push(fragment);
    } catch (error) {
      if (!isImageError(error)) throw error;
      issues.push({ code: error.code, message: error.message, layer: diffId });
    }
  }
  return { fragments, issues };
}
