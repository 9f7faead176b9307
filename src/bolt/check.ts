// The consistency check (bbolt's tx.Check and more): both metas valid, freelist readable, every
// page below the high-water mark reachable exactly once or free, only branch/leaf pages in bucket
// trees, keys non-empty and strictly increasing within pages and within their branch key ranges.
import { BoltError } from './errors.js';
import { BRANCH_PAGE, BUCKET_LEAF_FLAG, FREELIST_PAGE, LEAF_PAGE, PGID_NO_FREELIST } from './format.js';
import { branchChild, bucketOf, elementSpan, type BucketRef, type ElementSpan } from './cursor.js';
import type { PageView } from './pages.js';
import type { Reader } from './reader.js';

const FREELIST_COUNT_OVERFLOW = 0xffff;

class Checker {
  readonly errors: string[] = [];
  private readonly reachable: Uint8Array;
  private readonly freed: Uint8Array;
  private readonly limit: number;

  constructor(private readonly reader: Reader) {
    const { meta, pages } = reader;
    const size = pages.source.size;
    const need = meta.pgid * meta.pageSize;
    if (size < need) this.errors.push(`file is ${size} bytes but the high-water mark ${meta.pgid} needs ${need}`);
    this.limit = Math.min(meta.pgid, Math.floor(size / meta.pageSize));
    this.reachable = new Uint8Array(this.limit);
    this.freed = new Uint8Array(this.limit);
  }

  run(): string[] {
    const { meta, metas } = this.reader;
    metas.forEach((slot, i) => { if (slot.error !== undefined) this.errors.push(`meta ${i}: ${slot.error.message}`); });
    this.reachable.fill(1, 0, Math.min(2, this.limit));
    if (meta.freelist !== PGID_NO_FREELIST) this.freelist(meta.freelist);
    this.tree(meta.root, undefined, undefined);
    for (let id = 0; id < this.limit; id++) {
      if (this.reachable[id] === 0 && this.freed[id] === 0) this.errors.push(`page ${id}: unreachable unfreed`);
    }
    return this.errors;
  }

  private freelist(id: bigint): void {
    if (id >= BigInt(this.limit) || id < 2n) {
      this.errors.push(`freelist page ${id}: out of bounds (high-water mark ${this.limit})`);
      return;
    }
    const view = this.page(Number(id));
    if (view === undefined) return;
    if (view.flags !== FREELIST_PAGE) this.errors.push(`page ${id}: freelist page has flags 0x${view.flags.toString(16)}`);
    this.mark(view);
    let count = view.count;
    let at = view.base + 16;
    if (count === FREELIST_COUNT_OVERFLOW) {
      count = Number(view.buf.readBigUInt64LE(at));
      at += 8;
    }
    if (at + count * 8 > view.end) {
      this.errors.push(`page ${id}: freelist of ${count} ids does not fit its ${view.overflow + 1} pages`);
      return;
    }
    for (let i = 0; i < count; i++, at += 8) {
      const free = view.buf.readBigUInt64LE(at);
      if (free >= BigInt(this.limit) || free < 2n) this.errors.push(`freelist: page ${free} out of bounds`);
      else if (this.freed[Number(free)] === 1) this.errors.push(`page ${free}: already freed`);
      else this.freed[Number(free)] = 1;
    }
  }

  /** A page, or undefined with the reason recorded. */
  private page(id: number): PageView | undefined {
    try {
      return this.reader.pages.get(id);
    } catch (err) {
      if (!(err instanceof BoltError)) throw err;
      this.errors.push(err.message);
      return undefined;
    }
  }

  /** Marks a page and its overflow pages reachable; false when it was reached before. */
  private mark(view: PageView): boolean {
    let fresh = true;
    for (let i = 0; i <= view.overflow; i++) {
      const id = view.id + i;
      if (id >= this.limit) {
        this.errors.push(`page ${id}: out of bounds: ${this.limit}`);
      } else if (this.reachable[id] === 1) {
        this.errors.push(`page ${id}: multiple references`);
        fresh = false;
      } else {
        this.reachable[id] = 1;
        if (this.freed[id] === 1) this.errors.push(`page ${id}: reachable freed`);
      }
    }
    return fresh;
  }

  private tree(id: number, lo: Buffer | undefined, hi: Buffer | undefined): void {
    if (id < 2 || id >= this.limit) {
      this.errors.push(`page ${id}: out of bounds: ${this.limit}`);
      return;
    }
    const view = this.page(id);
    if (view === undefined || !this.mark(view)) return;
    if (view.flags !== BRANCH_PAGE && view.flags !== LEAF_PAGE) {
      this.errors.push(`page ${id}: invalid type: flags 0x${view.flags.toString(16)}`);
      return;
    }
    if (view.flags === BRANCH_PAGE && view.count === 0) this.errors.push(`page ${id}: empty branch page`);
    const keys = this.keys(view, lo, hi);
    if (keys === undefined) return;
    if (view.flags === BRANCH_PAGE) {
      for (let i = 0; i < view.count; i++) this.tree(branchChild(view, i), keys[i], i + 1 < keys.length ? keys[i + 1] : hi);
    } else {
      this.buckets(view);
    }
  }

  /** Keys of a page, checked: non-empty, strictly increasing, inside [lo, hi). */
  private keys(view: PageView, lo: Buffer | undefined, hi: Buffer | undefined): Buffer[] | undefined {
    const where = view.id === 0 ? 'inline bucket page' : `page ${view.id}`;
    const span: ElementSpan = { flags: 0, keyStart: 0, keyEnd: 0, valueEnd: 0 };
    const keys: Buffer[] = [];
    try {
      for (let i = 0; i < view.count; i++) {
        elementSpan(view, i, span);
        const key = view.buf.subarray(span.keyStart, span.keyEnd);
        if (key.length === 0) this.errors.push(`${where}: element ${i} has an empty key`);
        const prev = keys[i - 1];
        if (prev !== undefined && prev.compare(key) >= 0) this.errors.push(`${where}: key ${i} (${key.toString('hex')}) is not above key ${i - 1}`);
        if (lo !== undefined && key.compare(lo) < 0) this.errors.push(`${where}: key ${key.toString('hex')} is below its branch key ${lo.toString('hex')}`);
        if (hi !== undefined && key.compare(hi) >= 0) this.errors.push(`${where}: key ${key.toString('hex')} is not below the next branch key ${hi.toString('hex')}`);
        if (view.flags === LEAF_PAGE && (span.flags & ~BUCKET_LEAF_FLAG) !== 0) this.errors.push(`${where}: element ${i} has unknown flags 0x${span.flags.toString(16)}`);
        keys.push(key);
      }
    } catch (err) {
      if (!(err instanceof BoltError)) throw err;
      this.errors.push(err.message);
      return undefined;
    }
    return keys;
  }

  /** Nested buckets of a leaf page: page trees are walked, inline pages checked in place. */
  private buckets(view: PageView): void {
    const span: ElementSpan = { flags: 0, keyStart: 0, keyEnd: 0, valueEnd: 0 };
    for (let i = 0; i < view.count; i++) {
      elementSpan(view, i, span);
      if ((span.flags & BUCKET_LEAF_FLAG) === 0) continue;
      let ref: BucketRef;
      try {
        ref = bucketOf(view, span);
      } catch (err) {
        if (!(err instanceof BoltError)) throw err;
        this.errors.push(err.message);
        continue;
      }
      if (typeof ref === 'number') this.tree(ref, undefined, undefined);
      else if (this.keys(ref, undefined, undefined) !== undefined) this.buckets(ref);
    }
  }
}

export function checkFile(reader: Reader): string[] {
  return new Checker(reader).run();
}
