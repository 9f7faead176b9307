// Page allocation for the writer: pages get consecutive ids from 3 up (0 and 1 are the metas,
// 2 the freelist) and are handed to `out` in chunks as soon as they are laid out, so the file
// never sits in memory whole.
import { constants } from 'node:buffer';
import { BoltError } from './errors.js';
import { MAX_MAP_SIZE } from './format.js';

export const FIRST_DATA_PGID = 3;
const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 8 * 1024 * 1024;

/** Receives laid-out bytes for file offset `position` (the sink may reuse `buf` afterwards when built with reuse). */
export type SinkOutput = (buf: Buffer, position: number) => void;

export class PageSink {
  readonly pageSize: number;
  /** Next page id to allocate (the high-water mark once layout is done). */
  nextPgid = FIRST_DATA_PGID;
  /** Where the current allocation is to be written. */
  buf: Buffer;
  off = 0;
  private chunk: Buffer;
  private used = 0;
  private chunkPgid = FIRST_DATA_PGID;
  private big: Buffer | undefined;
  private readonly out: SinkOutput;
  private readonly reuse: boolean;

  /** `reuse`: the output copies the bytes (file writes), so one chunk buffer can be zeroed and reused. */
  constructor(pageSize: number, out: SinkOutput, reuse: boolean) {
    this.pageSize = pageSize;
    this.out = out;
    this.reuse = reuse;
    this.chunk = Buffer.alloc(Math.max(MIN_CHUNK, pageSize));
    this.buf = this.chunk;
  }

  /** Reserves `npages` zeroed contiguous pages; write them at this.buf[this.off…]. Returns the first id. */
  alloc(npages: number): number {
    const bytes = npages * this.pageSize;
    const pgid = this.nextPgid;
    if ((pgid + npages) * this.pageSize > MAX_MAP_SIZE) throw new BoltError('TOO_LARGE', `the file would pass bbolt's maximum map size of ${MAX_MAP_SIZE} bytes`);
    if (this.big !== undefined) this.flushBig();
    if (this.used + bytes > this.chunk.length) {
      this.flush();
      if (bytes > this.chunk.length && this.chunk.length < MAX_CHUNK) this.grow(bytes);
    }
    this.nextPgid += npages;
    if (bytes > this.chunk.length) {
      if (bytes > constants.MAX_LENGTH) throw new BoltError('TOO_LARGE', `a node of ${bytes} bytes does not fit in one buffer`);
      this.big = Buffer.alloc(bytes);
      this.buf = this.big;
      this.off = 0;
      return pgid;
    }
    this.buf = this.chunk;
    this.off = this.used;
    this.used += bytes;
    return pgid;
  }

  /** Hands every laid-out page to the output. */
  finish(): void {
    if (this.big !== undefined) this.flushBig();
    this.flush();
  }

  private grow(bytes: number): void {
    let size = this.chunk.length;
    while (size < bytes && size < MAX_CHUNK) size *= 2;
    this.chunk = Buffer.alloc(size);
  }

  private flushBig(): void {
    const big = this.big!;
    this.out(big, this.chunkPgid * this.pageSize);
    this.chunkPgid += big.length / this.pageSize;
    this.big = undefined;
  }

  private flush(): void {
    if (this.used === 0) {
      this.chunkPgid = this.nextPgid;
      return;
    }
    this.out(this.chunk.subarray(0, this.used), this.chunkPgid * this.pageSize);
    if (this.reuse) this.chunk.fill(0, 0, this.used);
    else this.chunk = Buffer.alloc(this.chunk.length < MAX_CHUNK ? this.chunk.length * 2 : MAX_CHUNK);
    this.chunkPgid = this.nextPgid;
    this.used = 0;
  }
}
