// Element access and a cursor over one bucket's B+tree (bbolt's Cursor: a stack of pages and
// indexes; there are no sibling pointers, so `next` climbs and descends).
import { BoltError } from './errors.js';
import { BRANCH_PAGE, BUCKET_HEADER_SIZE, BUCKET_LEAF_FLAG, ELEMENT_SIZE, LEAF_PAGE, PAGE_HEADER_SIZE, readPgid } from './format.js';
import { pageView, type Pages, type PageView } from './pages.js';

/** A bucket: its root page id, or its inline page image. */
export type BucketRef = number | PageView;

const MAX_DEPTH = 64;

/** Where element i's key (and, for leaves, value) lies in view.buf. */
export interface ElementSpan {
  flags: number;
  keyStart: number;
  keyEnd: number;
  valueEnd: number;
}

export function elementOffset(view: PageView, i: number): number {
  return view.base + PAGE_HEADER_SIZE + i * ELEMENT_SIZE;
}

/** Key and value bounds of element i, checked against the page's end. */
export function elementSpan(view: PageView, i: number, out: ElementSpan): ElementSpan {
  const at = elementOffset(view, i);
  const buf = view.buf;
  let ksize: number;
  let vsize = 0;
  if (view.flags === BRANCH_PAGE) {
    out.flags = 0;
    out.keyStart = at + buf.readUInt32LE(at);
    ksize = buf.readUInt32LE(at + 4);
  } else {
    out.flags = buf.readUInt32LE(at);
    out.keyStart = at + buf.readUInt32LE(at + 4);
    ksize = buf.readUInt32LE(at + 8);
    vsize = buf.readUInt32LE(at + 12);
  }
  out.keyEnd = out.keyStart + ksize;
  out.valueEnd = out.keyEnd + vsize;
  if (out.valueEnd > view.end) throw new BoltError('CORRUPT', `page ${view.id}: element ${i} passes the end of the page`);
  return out;
}

export function branchChild(view: PageView, i: number): number {
  return readPgid(view.buf, elementOffset(view, i) + 8);
}

/** Index of the first element whose key is >= key; `exact` tells whether it is equal. */
export function search(view: PageView, key: Buffer, span: ElementSpan): { index: number; exact: boolean } {
  let lo = 0;
  let hi = view.count;
  let exact = false;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    elementSpan(view, mid, span);
    const cmp = view.buf.compare(key, 0, key.length, span.keyStart, span.keyEnd);
    if (cmp < 0) lo = mid + 1;
    else {
      if (cmp === 0) exact = true;
      hi = mid;
    }
  }
  return { index: lo, exact };
}

/** The bucket a leaf element with BucketLeafFlag points to. */
export function bucketOf(view: PageView, span: ElementSpan): BucketRef {
  const buf = view.buf;
  const vStart = span.keyEnd;
  if (span.valueEnd - vStart < BUCKET_HEADER_SIZE) throw new BoltError('CORRUPT', `page ${view.id}: bucket value of ${span.valueEnd - vStart} bytes`);
  const root = readPgid(buf, vStart);
  if (root !== 0) return root;
  const inline = pageView(buf, vStart + BUCKET_HEADER_SIZE, span.valueEnd, 0);
  if (inline.flags !== LEAF_PAGE) throw new BoltError('CORRUPT', `page ${view.id}: inline bucket page has flags 0x${inline.flags.toString(16)}`);
  if (PAGE_HEADER_SIZE + inline.count * ELEMENT_SIZE > inline.end - inline.base) throw new BoltError('CORRUPT', `page ${view.id}: inline bucket elements do not fit`);
  return inline;
}

export class Cursor {
  private readonly stack: PageView[] = [];
  private readonly index: number[] = [];
  private readonly span: ElementSpan = { flags: 0, keyStart: 0, keyEnd: 0, valueEnd: 0 };

  constructor(private readonly pages: Pages, private readonly bucket: BucketRef) {}

  /** Positions on the first element; false when the bucket is empty. */
  first(): boolean {
    this.reset();
    this.descend();
    return this.top().count > 0 || this.next();
  }

  /** Positions on the first element with key >= `key` (bbolt's Cursor.Seek); false past the end. */
  seek(key: Buffer): boolean {
    this.reset();
    for (;;) {
      const view = this.top();
      const found = search(view, key, this.span);
      if (view.flags === LEAF_PAGE) {
        this.index[this.index.length - 1] = found.index;
        return found.index < view.count || this.next();
      }
      const i = !found.exact && found.index > 0 ? found.index - 1 : found.index;
      this.index[this.index.length - 1] = i;
      this.push(this.pages.node(branchChild(view, i)));
    }
  }

  /** Moves to the next element; false past the end. */
  next(): boolean {
    for (;;) {
      let d = this.stack.length - 1;
      while (d >= 0 && this.index[d]! >= this.stack[d]!.count - 1) d--;
      if (d < 0) return false;
      this.index[d]!++;
      this.stack.length = d + 1;
      this.index.length = d + 1;
      this.descend();
      if (this.top().count > 0) return true;
    }
  }

  /** The current element's bounds in `this.view().buf` (valid until the next move). */
  current(): ElementSpan {
    return elementSpan(this.top(), this.index[this.index.length - 1]!, this.span);
  }

  view(): PageView {
    return this.top();
  }

  key(): Buffer {
    const s = this.current();
    return this.top().buf.subarray(s.keyStart, s.keyEnd);
  }

  /** The value, or null for a sub-bucket. */
  value(): Buffer | null {
    const s = this.current();
    return (s.flags & BUCKET_LEAF_FLAG) !== 0 ? null : this.top().buf.subarray(s.keyEnd, s.valueEnd);
  }

  private reset(): void {
    this.stack.length = 0;
    this.index.length = 0;
    this.push(typeof this.bucket === 'number' ? this.pages.node(this.bucket) : this.bucket);
  }

  private top(): PageView {
    return this.stack[this.stack.length - 1]!;
  }

  private push(view: PageView): void {
    if (this.stack.length >= MAX_DEPTH) throw new BoltError('CORRUPT', `bucket tree deeper than ${MAX_DEPTH} pages (a cycle?)`);
    this.stack.push(view);
    this.index.push(0);
  }

  /** From the current frame down the leftmost path to a leaf. */
  private descend(): void {
    for (let view = this.top(); view.flags === BRANCH_PAGE; view = this.top()) {
      this.push(this.pages.node(branchChild(view, this.index[this.index.length - 1]!)));
    }
  }
}
