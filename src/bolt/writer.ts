// Lays a BoltBucket tree out as a bbolt file, bottom-up: each bucket's sub-buckets first, then its
// leaves, then its branch levels, every page written once in page-id order. Small buckets without
// sub-buckets are inlined into their parent's leaf exactly when bbolt's Bucket.inlineable() says so.
import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { BoltError } from './errors.js';
import {
  BRANCH_PAGE, BUCKET_HEADER_SIZE, BUCKET_LEAF_FLAG, DEFAULT_PAGE_SIZE, ELEMENT_SIZE, FREELIST_PAGE,
  isValidPageSize, LEAF_PAGE, PAGE_HEADER_SIZE, writeMetaPage,
} from './format.js';
import { PageSink, type SinkOutput } from './sink.js';
import { splitNode } from './split.js';
import { BoltBucket, byteLengthOf, type BoltBytes } from './tree.js';

export interface BoltWriteOptions {
  /** Page size in bytes: a power of two from 512 to 16 MiB; 4096 by default. */
  pageSize?: number;
}

export interface BoltWriteResult {
  bytes: number;
  pages: number;
}

/** One bucket's elements, sorted: byte-string keys, values (bucket values as Buffers), sizes, flags. */
interface Elements {
  keys: string[];
  values: BoltBytes[];
  vlen: Float64Array;
  flags: Uint8Array;
}

function sortedKeys(entries: Map<string, unknown>): string[] {
  const keys = Array.from(entries.keys());
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) return keys.sort();
  }
  return keys;
}

function writeValue(buf: Buffer, at: number, value: BoltBytes): void {
  if (typeof value === 'string') buf.write(value, at, 'utf8');
  else buf.set(value, at);
}

/** Writes a page header plus the leaf elements [s, e) at buf[base]. */
function writeLeafPage(buf: Buffer, base: number, pgid: number, overflow: number, el: Elements, s: number, e: number): void {
  buf.writeUInt32LE(pgid % 0x100000000, base);
  buf.writeUInt32LE(Math.floor(pgid / 0x100000000), base + 4);
  buf.writeUInt16LE(LEAF_PAGE, base + 8);
  buf.writeUInt16LE(e - s, base + 10);
  buf.writeUInt32LE(overflow, base + 12);
  let data = base + PAGE_HEADER_SIZE + ELEMENT_SIZE * (e - s);
  for (let i = s, at = base + PAGE_HEADER_SIZE; i < e; i++, at += ELEMENT_SIZE) {
    const key = el.keys[i]!;
    buf.writeUInt32LE(el.flags[i]!, at);
    buf.writeUInt32LE(data - at, at + 4);
    buf.writeUInt32LE(key.length, at + 8);
    buf.writeUInt32LE(el.vlen[i]!, at + 12);
    data += buf.write(key, data, 'latin1');
    writeValue(buf, data, el.values[i]!);
    data += el.vlen[i]!;
  }
}

class Layout {
  readonly sink: PageSink;
  readonly pageSize: number;
  private readonly maxInline: number;

  constructor(sink: PageSink) {
    this.sink = sink;
    this.pageSize = sink.pageSize;
    this.maxInline = sink.pageSize / 4;
  }

  /** Lays out `bucket` (sub-buckets first) and returns its value for the parent's leaf. */
  bucket(bucket: BoltBucket): Buffer {
    const keys = sortedKeys(bucket.entries);
    const n = keys.length;
    const el: Elements = { keys, values: new Array<BoltBytes>(n), vlen: new Float64Array(n), flags: new Uint8Array(n) };
    let hasSub = false;
    let size = PAGE_HEADER_SIZE;
    for (let i = 0; i < n; i++) {
      const entry = bucket.entries.get(keys[i]!)!;
      let value: BoltBytes;
      if (entry instanceof BoltBucket) {
        value = this.bucket(entry);
        el.flags[i] = BUCKET_LEAF_FLAG;
        hasSub = true;
      } else {
        value = entry;
      }
      el.values[i] = value;
      const vlen = byteLengthOf(value);
      el.vlen[i] = vlen;
      size += ELEMENT_SIZE + keys[i]!.length + vlen;
    }
    if (!bucket.isRoot && !hasSub && size <= this.maxInline) return inlineValue(el, size);
    const value = Buffer.alloc(BUCKET_HEADER_SIZE);
    value.writeBigUInt64LE(BigInt(this.tree(el)));
    return value;
  }

  /** Writes the leaves and branch levels for `el`; returns the root page id. */
  private tree(el: Elements): number {
    const n = el.keys.length;
    const elsize = new Float64Array(n);
    for (let i = 0; i < n; i++) elsize[i] = ELEMENT_SIZE + el.keys[i]!.length + el.vlen[i]!;
    const split = splitNode(elsize, n, this.pageSize);
    let keys: string[] = [];
    let pgids: number[] = [];
    let start = 0;
    for (let j = 0; j < split.ends.length; j++) {
      const end = split.ends[j]!;
      const npages = Math.ceil(split.sizes[j]! / this.pageSize);
      const pgid = this.sink.alloc(npages);
      writeLeafPage(this.sink.buf, this.sink.off, pgid, npages - 1, el, start, end);
      keys.push(el.keys[start]!);
      pgids.push(pgid);
      start = end;
    }
    while (pgids.length > 1) [keys, pgids] = this.branchLevel(keys, pgids);
    return pgids[0]!;
  }

  /** Writes one level of branch pages over (first key, child) pairs; returns the level above. */
  private branchLevel(keys: string[], pgids: number[]): [string[], number[]] {
    const n = keys.length;
    const elsize = new Float64Array(n);
    for (let i = 0; i < n; i++) elsize[i] = ELEMENT_SIZE + keys[i]!.length;
    const split = splitNode(elsize, n, this.pageSize);
    const upKeys: string[] = [];
    const upPgids: number[] = [];
    let start = 0;
    for (let j = 0; j < split.ends.length; j++) {
      const end = split.ends[j]!;
      const npages = Math.ceil(split.sizes[j]! / this.pageSize);
      const pgid = this.sink.alloc(npages);
      writeBranchPage(this.sink.buf, this.sink.off, pgid, npages - 1, keys, pgids, start, end);
      upKeys.push(keys[start]!);
      upPgids.push(pgid);
      start = end;
    }
    return [upKeys, upPgids];
  }
}

function writeBranchPage(buf: Buffer, base: number, pgid: number, overflow: number, keys: string[], pgids: number[], s: number, e: number): void {
  buf.writeUInt32LE(pgid % 0x100000000, base);
  buf.writeUInt32LE(Math.floor(pgid / 0x100000000), base + 4);
  buf.writeUInt16LE(BRANCH_PAGE, base + 8);
  buf.writeUInt16LE(e - s, base + 10);
  buf.writeUInt32LE(overflow, base + 12);
  let data = base + PAGE_HEADER_SIZE + ELEMENT_SIZE * (e - s);
  for (let i = s, at = base + PAGE_HEADER_SIZE; i < e; i++, at += ELEMENT_SIZE) {
    const key = keys[i]!;
    const child = pgids[i]!;
    buf.writeUInt32LE(data - at, at);
    buf.writeUInt32LE(key.length, at + 4);
    buf.writeUInt32LE(child % 0x100000000, at + 8);
    buf.writeUInt32LE(Math.floor(child / 0x100000000), at + 12);
    data += buf.write(key, data, 'latin1');
  }
}

/** An inline bucket: bucket header (root 0, sequence 0), then the leaf page image with id 0. */
function inlineValue(el: Elements, size: number): Buffer {
  const value = Buffer.alloc(BUCKET_HEADER_SIZE + size);
  writeLeafPage(value, BUCKET_HEADER_SIZE, 0, 0, el, 0, el.keys.length);
  return value;
}

function pageSizeOf(options: BoltWriteOptions | undefined): number {
  const pageSize = options?.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!isValidPageSize(pageSize)) throw new BoltError('INVALID_FILE', `page size ${pageSize} is not a power of two from 512 to 16 MiB`);
  return pageSize;
}

/** Lays out `root` through `out`; returns pages 0-2 (metas, empty freelist) and the high-water mark. */
function layout(root: BoltBucket, pageSize: number, out: SinkOutput, reuse: boolean): { head: Buffer; pages: number } {
  if (!root.isRoot) throw new BoltError('INVALID_KEY', 'writeBolt takes the root from createBoltTree()');
  const sink = new PageSink(pageSize, out, reuse);
  const rootValue = new Layout(sink).bucket(root);
  sink.finish();
  const pages = sink.nextPgid;
  const head = Buffer.alloc(3 * pageSize);
  const meta = { pageSize, flags: 0, root: Number(rootValue.readBigUInt64LE(0)), sequence: 0n, freelist: 2n, pgid: pages, txid: 0n };
  // Like db.init(): txid 0 on page 0 and 1 on page 1, so the next writer continues from txid 1.
  writeMetaPage(head, 0, 0, meta);
  writeMetaPage(head, pageSize, 1, { ...meta, txid: 1n });
  head.writeBigUInt64LE(2n, 2 * pageSize);
  head.writeUInt16LE(FREELIST_PAGE, 2 * pageSize + 8);
  return { head, pages };
}

/** The bbolt file for `root`, in memory. */
export function writeBolt(root: BoltBucket, options?: BoltWriteOptions): Buffer {
  const pageSize = pageSizeOf(options);
  const parts: Buffer[] = [];
  const { head, pages } = layout(root, pageSize, (buf) => parts.push(Buffer.from(buf)), true);
  return Buffer.concat([head, ...parts], pages * pageSize);
}

/**
 * Writes the bbolt file for `root` to `path` (created or truncated), page chunks as they are laid
 * out, then fdatasync. The work is synchronous; on failure the partial file is removed.
 */
export async function writeBoltFile(root: BoltBucket, path: string, options?: BoltWriteOptions): Promise<BoltWriteResult> {
  const pageSize = pageSizeOf(options);
  const fd = openSync(path, 'w', 0o644);
  let result: BoltWriteResult;
  try {
    const { head, pages } = layout(root, pageSize, (buf, position) => writeAll(fd, buf, position), true);
    writeAll(fd, head, 0);
    fdatasyncSync(fd);
    result = { bytes: pages * pageSize, pages };
  } catch (err) {
    closeSync(fd);
    unlinkSync(path);
    throw err;
  }
  closeSync(fd);
  return result;
}

function writeAll(fd: number, buf: Buffer, position: number): void {
  for (let done = 0; done < buf.length;) done += writeSync(fd, buf, done, buf.length - done, position + done);
}
