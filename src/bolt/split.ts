// bbolt's node.split / splitTwo / splitIndex with FillPercent 1.0 (maxFillPercent): a write-once
// file packs pages full. The one deviation: a page never reaches 0xFFFF elements (bbolt would
// panic there; it can only happen with page sizes above 1 MiB).
import { MAX_PAGE_COUNT, MIN_KEYS_PER_PAGE, PAGE_HEADER_SIZE } from './format.js';

const MAX_ELEMENTS = MAX_PAGE_COUNT - 1;

export interface Split {
  /** Exclusive end index of each node, in order. */
  ends: number[];
  /** Byte size of each node (header + elements + data). */
  sizes: number[];
}

/**
 * Splits elements of byte sizes `elsize[0..n)` into nodes exactly as bbolt's splitTwo loop does
 * with threshold = pageSize: a node is split only when it has more than 2*MinKeysPerPage elements
 * and is at least a page big; the first part takes elements while they fit the threshold (at
 * least MinKeysPerPage of them) and the rest keeps at least MinKeysPerPage.
 */
export function splitNode(elsize: ArrayLike<number>, n: number, pageSize: number): Split {
  const ends: number[] = [];
  const sizes: number[] = [];
  let remaining = PAGE_HEADER_SIZE;
  for (let i = 0; i < n; i++) remaining += elsize[i]!;
  let start = 0;
  for (;;) {
    const count = n - start;
    if (count <= MIN_KEYS_PER_PAGE * 2 || (remaining < pageSize && count <= MAX_ELEMENTS)) {
      ends.push(n);
      sizes.push(remaining);
      return { ends, sizes };
    }
    // splitIndex: `index` is the last i visited, `first` the size of elements [0, index).
    let sz = PAGE_HEADER_SIZE;
    let index = 0;
    let first = sz;
    for (let i = 0; i < count - MIN_KEYS_PER_PAGE; i++) {
      index = i;
      first = sz;
      const el = elsize[start + i]!;
      if (i >= MIN_KEYS_PER_PAGE && (sz + el > pageSize || i >= MAX_ELEMENTS)) break;
      sz += el;
    }
    ends.push(start + index);
    sizes.push(first);
    remaining -= first - PAGE_HEADER_SIZE;
    start += index;
  }
}
