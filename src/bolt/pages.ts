// Page access for the reader: from a Buffer (views, no copies) or from a file by positioned reads
// with an LRU of page spans, so a 1 GB file is never read whole.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BoltError } from './errors.js';
import { BRANCH_PAGE, ELEMENT_SIZE, LEAF_PAGE, PAGE_HEADER_SIZE, readPgid } from './format.js';

/** One page (with its overflow pages) or an inline bucket's page image inside a value. */
export interface PageView {
  buf: Buffer;
  /** Offset of the page header in buf. */
  base: number;
  /** End of the bytes the page may use (span end, or the end of the inline value). */
  end: number;
  /** Page id, or 0 for an inline page. */
  id: number;
  flags: number;
  count: number;
  overflow: number;
}

export interface ByteSource {
  readonly size: number;
  /** Bytes [pos, pos + len); throws CORRUPT past the end. */
  read(pos: number, len: number): Buffer;
  close(): void;
}

export class BufferSource implements ByteSource {
  readonly size: number;
  private readonly buf: Buffer;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = this.buf.length;
  }

  read(pos: number, len: number): Buffer {
    if (pos + len > this.size) throw new BoltError('CORRUPT', `read of ${len} bytes at offset ${pos} passes the end of the ${this.size}-byte file`);
    return this.buf.subarray(pos, pos + len);
  }

  close(): void {}
}

export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    try {
      this.size = fstatSync(this.fd).size;
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
  }

  read(pos: number, len: number): Buffer {
    if (this.fd === undefined) throw new BoltError('INVALID_FILE', 'the reader is closed');
    if (pos + len > this.size) throw new BoltError('CORRUPT', `read of ${len} bytes at offset ${pos} passes the end of the ${this.size}-byte file`);
    const out = Buffer.allocUnsafeSlow(len);
    for (let done = 0; done < len;) {
      const n = readSync(this.fd, out, done, len - done, pos + done);
      if (n === 0) throw new BoltError('CORRUPT', `file ended at offset ${pos + done} while reading a page`);
      done += n;
    }
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Parses the page header at buf[base]; `end` bounds the element data. */
export function pageView(buf: Buffer, base: number, end: number, id: number): PageView {
  if (base + PAGE_HEADER_SIZE > end) throw new BoltError('CORRUPT', `page ${id}: no room for a page header`);
  return { buf, base, end, id, flags: buf.readUInt16LE(base + 8), count: buf.readUInt16LE(base + 10), overflow: buf.readUInt32LE(base + 12) };
}

const CACHE_BYTES = 32 * 1024 * 1024;

export class Pages {
  readonly pageSize: number;
  /** High-water mark from the meta in use: ids at or past it are not pages. */
  readonly hwm: number;
  readonly source: ByteSource;
  private readonly cache = new Map<number, PageView>();
  private cached = 0;
  private readonly caching: boolean;

  constructor(source: ByteSource, pageSize: number, hwm: number) {
    this.source = source;
    this.pageSize = pageSize;
    this.hwm = hwm;
    this.caching = !(source instanceof BufferSource);
  }

  /** Page `id` with its overflow pages; the header id must match (bbolt's FastCheck). */
  get(id: number): PageView {
    const hit = this.cache.get(id);
    if (hit !== undefined) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    if (id < 2 || id >= this.hwm) throw new BoltError('CORRUPT', `page ${id} is outside the data pages [2, ${this.hwm})`);
    const ps = this.pageSize;
    let buf = this.source.read(id * ps, ps);
    const overflow = buf.readUInt32LE(12);
    if (overflow > 0) {
      if (id + overflow >= this.hwm) throw new BoltError('CORRUPT', `page ${id}: ${overflow} overflow pages pass the high-water mark ${this.hwm}`);
      buf = this.source.read(id * ps, (overflow + 1) * ps);
    }
    if (readPgid(buf, 0) !== id) throw new BoltError('CORRUPT', `page ${id}: header says page ${readPgid(buf, 0)}`);
    const view = pageView(buf, 0, buf.length, id);
    if (this.caching) this.remember(id, view);
    return view;
  }

  /** A branch or leaf page (what bucket trees are made of). */
  node(id: number): PageView {
    const view = this.get(id);
    if (view.flags !== BRANCH_PAGE && view.flags !== LEAF_PAGE) throw new BoltError('CORRUPT', `page ${id}: flags 0x${view.flags.toString(16)} where a branch or leaf page was expected`);
    if (view.flags === BRANCH_PAGE && view.count === 0) throw new BoltError('CORRUPT', `page ${id}: empty branch page`);
    if (PAGE_HEADER_SIZE + view.count * ELEMENT_SIZE > view.end - view.base) throw new BoltError('CORRUPT', `page ${id}: ${view.count} elements do not fit`);
    return view;
  }

  private remember(id: number, view: PageView): void {
    this.cache.set(id, view);
    this.cached += view.buf.length;
    for (const [oldId, old] of this.cache) {
      if (this.cached <= CACHE_BYTES || oldId === id) break;
      this.cache.delete(oldId);
      this.cached -= old.buf.length;
    }
  }
}
