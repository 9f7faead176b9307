import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { decodeLayer, LayerStream } from './compression.js';
import { ImageError } from './errors.js';
import { baseName, normalizeImagePath, parentOf, symlinkTarget } from './paths.js';

/** Defenses against hostile layers; every one is configurable. */
export interface WalkLimits {
  /** Most uncompressed bytes in one layer (default 64 GiB). */
  readonly maxLayerBytes: number;
  /** Highest uncompressed:compressed ratio (default 200)… */
  readonly maxRatio: number;
  /** …checked once this many bytes have been decompressed (default 128 MiB). */
  readonly ratioGraceBytes: number;
  /** Most entries in one layer (default 2,000,000). */
  readonly maxEntries: number;
  /** Largest wanted file captured (default 256 MiB; per path via WalkOptions.maxFileSize). */
  readonly maxFileBytes: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = {
  maxLayerBytes: 64 * 2 ** 30,
  maxRatio: 200,
  ratioGraceBytes: 128 * 2 ** 20,
  maxEntries: 2_000_000,
  maxFileBytes: 256 * 2 ** 20,
};

export interface WalkOptions {
  /** Names the layer in errors (its diffID, or digest). */
  readonly layerId: string;
  /** Whether the content of the regular file at this absolute path is wanted. */
  /** `info` tells size and mode, so an analyzer can want e.g. every executable (Go binaries). */
  wants(path: string, info?: EntryInfo): boolean;
  /** Size limit for one wanted file (defaults to limits.maxFileBytes). */
  maxFileSize?(path: string, info?: EntryInfo): number;
  /**
   * Streaming consumer: when set, each captured file is handed over as soon as it is read and NOT
   * kept in `RawLayer.files`, so memory holds one wanted file at a time, not a layer's worth.
   * `forget` is called when a later entry of the same layer replaces or removes a path, `link`
   * when a hardlink names an already captured file.
   */
  consumer?: FileConsumer;
  readonly limits?: Partial<WalkLimits>;
}

/** What one layer (or a root filesystem) holds, as far as the analyzers care. */
export interface FileConsumer {
  file(path: string, content: Buffer, mode: number): void;
  forget(path: string): void;
  link(path: string, target: string): void;
}

/** What the walk knows of a regular file before reading it. */
export interface EntryInfo {
  readonly size: number;
  /** Permission bits as in the tar header / stat (e.g. 0o755). */
  readonly mode: number;
}

/** A wanted file that was not captured because it is larger than its limit. */
export interface SkippedFile {
  readonly path: string;
  readonly size: number;
  readonly limit: number;
}

export interface RawLayer {
  /** Wanted regular files (and hardlinks to captured files) by normalized absolute path. */
  readonly files: Map<string, Buffer>;
  /** Symlink path → target as written. */
  readonly symlinks: Map<string, string>;
  /** Hardlink path → the normalized absolute path it links to. */
  readonly hardlinks: Map<string, string>;
  /** Absolute paths deleted by `.wh.NAME` entries, sorted. */
  readonly whiteouts: string[];
  /** Directories made opaque by `.wh..wh..opq` (lower layers' contents hidden), sorted. */
  readonly opaqueDirs: string[];
  readonly entryCount: number;
  /** Uncompressed bytes read. */
  readonly bytesRead: number;
  /** Mode bits of each captured file (same keys as `files`). */
  readonly modes: Map<string, number>;
  /** Wanted files too large to capture; the rest of the layer still counts. */
  readonly skipped: SkippedFile[];
}

/** What tar-stream's extract yields (its type is not exported). */
interface TarStreamEntry {
  readonly header: tar.Header;
  resume(): unknown;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * Streams one layer tar (plain, or gzip/zstd detected by magic bytes) and keeps only what the
 * analyzers need. Unwanted contents are drained, never buffered. Hostile entries, bombs and absurd
 * entry counts reject the whole layer with an ImageError naming the layer and the entry.
 */
export async function walkLayer(stream: Readable, options: WalkOptions): Promise<RawLayer> {
  const limits = { ...DEFAULT_WALK_LIMITS, ...options.limits };
  const meter = stream instanceof LayerStream ? stream : decodeLayer(stream, { label: `layer ${options.layerId}` });
  const state = new WalkState(options, limits);
  meter.guard = (compressed, uncompressed) => bombCheck(options.layerId, state.current, limits, compressed, uncompressed);
  const extract = tar.extract();
  meter.on('error', (error) => extract.destroy(error));
  meter.pipe(extract);
  try {
    for await (const entry of extract) await state.visit(entry);
  } catch (error) {
    meter.destroy();
    throw toImageError(error, options.layerId, state.current);
  }
  return state.result(meter.uncompressedBytes);
}

function bombCheck(layerId: string, entry: string, limits: WalkLimits, compressed: number, uncompressed: number): Error | undefined {
  if (uncompressed > limits.maxLayerBytes) {
    return new ImageError('DECOMPRESSION_BOMB', `layer ${layerId} entry "${entry}": more than ${limits.maxLayerBytes} bytes uncompressed`);
  }
  if (compressed > 0 && uncompressed > limits.ratioGraceBytes && uncompressed / compressed > limits.maxRatio) {
    return new ImageError('DECOMPRESSION_BOMB', `layer ${layerId} entry "${entry}": ${uncompressed} bytes from ${compressed} compressed exceeds ratio ${limits.maxRatio}:1`);
  }
  return undefined;
}

function toImageError(error: unknown, layerId: string, entry: string): ImageError {
  if (error instanceof ImageError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ImageError('CORRUPT_LAYER', `layer ${layerId} entry "${entry}": ${message}`, { cause: error });
}

class WalkState {
  readonly files = new Map<string, Buffer>();
  readonly modes = new Map<string, number>();
  /** Sizes of captured files (for wants() on a hardlink to one). */
  readonly sizes = new Map<string, number>();
  readonly skipped: SkippedFile[] = [];
  readonly symlinks = new Map<string, string>();
  readonly hardlinks = new Map<string, string>();
  readonly whiteouts = new Set<string>();
  readonly opaqueDirs = new Set<string>();
  entryCount = 0;
  /** Raw name of the entry being read, for error messages. */
  current = '(start of archive)';

  constructor(private readonly options: WalkOptions, private readonly limits: WalkLimits) {}

  async visit(entry: TarStreamEntry): Promise<void> {
    const header = entry.header;
    this.current = header.name;
    if (++this.entryCount > this.limits.maxEntries) {
      throw this.error('TOO_MANY_ENTRIES', `more than ${this.limits.maxEntries} entries`);
    }
    const path = normalizeImagePath(header.name);
    if (path === undefined) throw this.error('HOSTILE_ENTRY', 'path escapes the image root');
    const name = baseName(path);
    if (name.startsWith(WHITEOUT_PREFIX)) return this.drain(entry, () => this.whiteout(path, name));
    switch (header.type) {
      case 'file':
      case 'contiguous-file':
        return this.file(entry, path, header.size ?? 0, header.mode ?? 0);
      case 'symlink':
        return this.drain(entry, () => this.symlink(path, header.linkname ?? ''));
      case 'link':
        return this.drain(entry, () => this.hardlink(path, header.linkname ?? ''));
      default:
        return this.drain(entry, () => undefined);
    }
  }

  result(bytesRead: number): RawLayer {
    return {
      files: this.files,
      symlinks: this.symlinks,
      hardlinks: this.hardlinks,
      whiteouts: [...this.whiteouts].sort(),
      opaqueDirs: [...this.opaqueDirs].sort(),
      entryCount: this.entryCount,
      bytesRead,
      modes: this.modes,
      skipped: this.skipped,
    };
  }

  private error(code: 'HOSTILE_ENTRY' | 'TOO_MANY_ENTRIES' | 'FILE_TOO_LARGE', what: string): ImageError {
    return new ImageError(code, `layer ${this.options.layerId} entry "${this.current}": ${what}`);
  }

  private whiteout(path: string, name: string): void {
    const dir = parentOf(path);
    if (name === OPAQUE_MARKER) this.opaqueDirs.add(dir);
    else if (!name.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) {
      // .wh..wh.* other than the opaque marker are aufs bookkeeping, not deletions.
      this.whiteouts.add(`${dir === '/' ? '' : dir}/${name.slice(WHITEOUT_PREFIX.length)}`);
    }
  }

  private symlink(path: string, target: string): void {
    if (symlinkTarget(path, target) === undefined) {
      throw this.error('HOSTILE_ENTRY', `symlink target "${target}" escapes the image root`);
    }
    this.forget(path);
    this.symlinks.set(path, target);
  }

  private hardlink(path: string, linkname: string): void {
    const target = normalizeImagePath(linkname);
    if (target === undefined) throw this.error('HOSTILE_ENTRY', `hardlink target "${linkname}" escapes the image root`);
    this.forget(path);
    this.hardlinks.set(path, target);
    const consumer = this.options.consumer;
    const mode = this.modes.get(target);
    const size = this.sizes.get(target);
    if (mode === undefined || size === undefined || !this.options.wants(path, { size, mode })) return;
    this.modes.set(path, mode);
    this.sizes.set(path, size);
    if (consumer !== undefined) return consumer.link(path, target);
    const content = this.files.get(target);
    if (content !== undefined) this.files.set(path, content);
  }

  private async file(entry: TarStreamEntry, path: string, size: number, mode: number): Promise<void> {
    this.forget(path);
    if (!this.options.wants(path, { size, mode })) return this.drain(entry, () => undefined);
    const limit = Math.min(this.options.maxFileSize?.(path, { size, mode }) ?? this.limits.maxFileBytes, this.limits.maxFileBytes);
    if (size > limit) {
      this.skipped.push({ path, size, limit });
      return this.drain(entry, () => undefined);
    }
    const parts: Buffer[] = [];
    // streamx readables are async-iterable at run time; their typings omit it.
    for await (const chunk of entry as unknown as AsyncIterable<Buffer>) parts.push(chunk);
    this.modes.set(path, mode);
    this.sizes.set(path, size);
    if (this.options.consumer !== undefined) this.options.consumer.file(path, Buffer.concat(parts), mode);
    else this.files.set(path, Buffer.concat(parts));
  }

  /** A later entry for the same path within one layer replaces the earlier one. */
  private forget(path: string): void {
    this.files.delete(path);
    if (this.modes.delete(path)) this.options.consumer?.forget(path);
    this.sizes.delete(path);
    this.symlinks.delete(path);
    this.hardlinks.delete(path);
  }

  private drain(entry: TarStreamEntry, then: () => void): void {
    then();
    entry.resume();
  }
}
