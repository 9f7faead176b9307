// openBolt: a read-only view of a bbolt file (no mmap): metas validated as bbolt does (the valid
// meta with the higher txid wins), buckets resolved by path, cursors for sorted iteration.
import { BoltError } from './errors.js';
import { BUCKET_LEAF_FLAG, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, META_SIZE, MIN_PAGE_SIZE, PAGE_HEADER_SIZE, readMeta, type Meta } from './format.js';
import { BufferSource, FileSource, Pages, type ByteSource } from './pages.js';
import { bucketOf, Cursor, type BucketRef } from './cursor.js';
import { bytesOf, type BoltBytes } from './tree.js';
import { checkFile } from './check.js';

export interface BoltEntry {
  key: Buffer;
  /** null when the key is a nested bucket. */
  value: Buffer | null;
}

export interface BoltReader {
  readonly pageSize: number;
  readonly txid: bigint;
  /** Names of the buckets nested directly under `path` (the root by default), sorted. */
  bucketNames(path?: readonly BoltBytes[]): Buffer[];
  /** The value of `key` in the bucket at `path`; undefined when the bucket or key is missing or the key is a bucket. */
  get(path: readonly BoltBytes[], key: BoltBytes): Buffer | undefined;
  /** Entries of the bucket at `path`, sorted; with `prefix`, from Seek(prefix) while keys start with it. */
  entries(path: readonly BoltBytes[], options?: { prefix?: BoltBytes }): Iterable<BoltEntry>;
  /** Consistency problems (like bbolt's tx.Check, plus key order and meta checksums); [] when the file is sound. */
  check(): string[];
  close(): void;
}

export interface MetaSlot {
  meta: Meta | undefined;
  error: BoltError | undefined;
}

function slot(buf: Buffer, off: number): MetaSlot {
  try {
    return { meta: readMeta(buf, off), error: undefined };
  } catch (err) {
    if (err instanceof BoltError) return { meta: undefined, error: err };
    throw err;
  }
}

function slotAt(source: ByteSource, pageSize: number): MetaSlot {
  const need = PAGE_HEADER_SIZE + META_SIZE;
  if (pageSize + need > source.size) return { meta: undefined, error: new BoltError('INVALID_FILE', 'file too short for meta page 1') };
  const found = slot(source.read(pageSize, need), 0);
  if (found.meta !== undefined && found.meta.pageSize !== pageSize) {
    return { meta: undefined, error: new BoltError('INVALID_FILE', `meta page 1 at offset ${pageSize} says the page size is ${found.meta.pageSize}`) };
  }
  return found;
}

/** Both metas: meta 0 at offset 0, meta 1 one page later (when meta 0 is bad, try 4096 first, then other page sizes). */
export function readMetas(source: ByteSource): [MetaSlot, MetaSlot] {
  const need = PAGE_HEADER_SIZE + META_SIZE;
  if (source.size < need) throw new BoltError('INVALID_FILE', `file of ${source.size} bytes is too short to be a bbolt file`);
  const m0 = slot(source.read(0, need), 0);
  if (m0.meta !== undefined) return [m0, slotAt(source, m0.meta.pageSize)];
  const fallback = slotAt(source, DEFAULT_PAGE_SIZE);
  if (fallback.meta !== undefined) return [m0, fallback];
  for (let size = MIN_PAGE_SIZE; size <= MAX_PAGE_SIZE; size *= 2) {
    const found = size === DEFAULT_PAGE_SIZE ? fallback : slotAt(source, size);
    if (found.meta !== undefined) return [m0, found];
  }
  return [m0, fallback];
}

function chooseMeta([m0, m1]: [MetaSlot, MetaSlot]): Meta {
  const a = m0.meta;
  const b = m1.meta;
  if (a !== undefined && b !== undefined) return b.txid > a.txid ? b : a;
  const chosen = a ?? b;
  if (chosen === undefined) throw m0.error!;
  return chosen;
}

export class Reader implements BoltReader {
  readonly pageSize: number;
  readonly txid: bigint;
  readonly meta: Meta;
  readonly metas: [MetaSlot, MetaSlot];
  readonly pages: Pages;

  constructor(source: ByteSource) {
    try {
      this.metas = readMetas(source);
      this.meta = chooseMeta(this.metas);
    } catch (err) {
      source.close();
      throw err;
    }
    this.pageSize = this.meta.pageSize;
    this.txid = this.meta.txid;
    if (source.size < 2 * this.pageSize) {
      source.close();
      throw new BoltError('INVALID_FILE', `file of ${source.size} bytes is shorter than two ${this.pageSize}-byte pages`);
    }
    this.pages = new Pages(source, this.pageSize, this.meta.pgid);
  }

  /** The bucket at `path`, or undefined when a name is missing or names a value. */
  resolve(path: readonly BoltBytes[]): BucketRef | undefined {
    let bucket: BucketRef = this.meta.root;
    for (const name of path) {
      const key = bytesOf(name);
      const cursor = new Cursor(this.pages, bucket);
      if (!cursor.seek(key) || !cursor.key().equals(key)) return undefined;
      const span = cursor.current();
      if ((span.flags & BUCKET_LEAF_FLAG) === 0) return undefined;
      bucket = bucketOf(cursor.view(), span);
    }
    return bucket;
  }

  bucketNames(path: readonly BoltBytes[] = []): Buffer[] {
    const names: Buffer[] = [];
    for (const entry of this.entries(path)) if (entry.value === null) names.push(entry.key);
    return names;
  }

  get(path: readonly BoltBytes[], key: BoltBytes): Buffer | undefined {
    const bucket = this.resolve(path);
    if (bucket === undefined) return undefined;
    const k = bytesOf(key);
    const cursor = new Cursor(this.pages, bucket);
    if (!cursor.seek(k) || !cursor.key().equals(k)) return undefined;
    return cursor.value() ?? undefined;
  }

  *entries(path: readonly BoltBytes[], options?: { prefix?: BoltBytes }): Generator<BoltEntry> {
    const bucket = this.resolve(path);
    if (bucket === undefined) return;
    const cursor = new Cursor(this.pages, bucket);
    const prefix = options?.prefix === undefined ? undefined : bytesOf(options.prefix);
    for (let ok = prefix === undefined ? cursor.first() : cursor.seek(prefix); ok; ok = cursor.next()) {
      const key = cursor.key();
      if (prefix !== undefined && (key.length < prefix.length || key.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0)) return;
      yield { key, value: cursor.value() };
    }
  }

  check(): string[] {
    return checkFile(this);
  }

  close(): void {
    this.pages.source.close();
  }
}

/** Opens a bbolt file from a path (positioned reads) or from bytes in memory. */
export function openBolt(pathOrBuffer: string | Uint8Array): BoltReader {
  return new Reader(typeof pathOrBuffer === 'string' ? new FileSource(pathOrBuffer) : new BufferSource(pathOrBuffer));
}
