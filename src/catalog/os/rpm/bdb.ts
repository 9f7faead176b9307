import { RpmdbError, type RpmdbRecord } from './errors.js';

/*
 * Berkeley DB `Packages` (RHEL/CentOS 7–8, Amazon Linux 2), read without libdb as rpm's own
 * bdb_ro backend does (rpm lib/backend/bdb_ro.c). Integers are in the writer's byte order (the
 * meta page's magic tells which); the header blobs themselves are always big-endian. Keys are
 * 4-byte instance numbers; key 0 holds a counter, not a header.
 * Hash: walk every bucket (bucket b lives on page b + spares[bitlength(b)]) and its chain of pages.
 * Btree: descend from the root through the first child to the leftmost leaf, then walk the leaves.
 */

export const BDB_HASH_MAGIC = 0x00061561;
export const BDB_BTREE_MAGIC = 0x00053162;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_BTREE_INTERNAL = 3;
const P_BTREE_LEAF = 5;
const P_OVERFLOW = 7;
const P_HASH_META = 8;
const P_HASH = 13;
const ITEM_DATA = 1;
const ITEM_OVERFLOW = 3;

type Item = { readonly data: Uint8Array } | { readonly error: string };

class Pages {
  readonly le: boolean;
  readonly pageSize: number;
  readonly lastPage: number;
  readonly view: DataView;

  constructor(readonly file: Uint8Array) {
    this.view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const magic = file.length >= 512 ? this.view.getUint32(12, true) : 0;
    const swapped = (m: number): boolean => magic === (((m & 0xff) << 24) | ((m & 0xff00) << 8) | ((m >>> 8) & 0xff00) | (m >>> 24)) >>> 0;
    const known = [BDB_HASH_MAGIC, BDB_BTREE_MAGIC];
    if (!known.includes(magic) && !known.some(swapped)) throw new RpmdbError('MALFORMED_DATABASE', 'bdb: no Berkeley DB hash or btree magic');
    this.le = known.includes(magic);
    this.pageSize = this.u32(20);
    this.lastPage = this.u32(32);
    const size = this.pageSize;
    if (size < 512 || size > 65536 || (size & (size - 1)) !== 0) throw new RpmdbError('MALFORMED_DATABASE', `bdb: invalid page size ${size}`);
    if (file[24] !== 0) throw new RpmdbError('MALFORMED_DATABASE', 'bdb: encrypted databases are not supported');
    if ((this.lastPage + 1) * size > file.length) {
      throw new RpmdbError('MALFORMED_DATABASE', `bdb: ${this.lastPage + 1} pages of ${size} bytes do not fit in ${file.length} bytes`);
    }
  }

  u32(at: number): number {
    return this.view.getUint32(at, this.le);
  }

  u16(at: number): number {
    return this.view.getUint16(at, this.le);
  }

  /** Byte offset of page `n`, or throws when it does not exist or does not say it is page n. */
  page(n: number, types: readonly number[]): number {
    if (n < 1 || n > this.lastPage) throw new RpmdbError('MALFORMED_RECORD', `bdb: page ${n} does not exist`);
    const at = n * this.pageSize;
    if (this.u32(at + 8) !== n) throw new RpmdbError('MALFORMED_RECORD', `bdb: page ${n} says it is page ${this.u32(at + 8)}`);
    const type = this.file[at + 25] ?? 0;
    if (!types.includes(type)) throw new RpmdbError('MALFORMED_RECORD', `bdb: page ${n} has type ${type}, expected ${types.join(' or ')}`);
    return at;
  }

  /** Concatenates an overflow chain, bounded by its stated length and the page count. */
  overflow(first: number, length: number): Item {
    const out = new Uint8Array(length);
    let filled = 0;
    let next = first;
    try {
      for (let hops = 0; filled < length; hops++) {
        if (hops > this.lastPage) return { error: `bdb: overflow chain from page ${first} loops` };
        const at = this.page(next, [P_OVERFLOW]);
        const bytes = this.u16(at + 22);
        if (PAGE_HEADER + bytes > this.pageSize || filled + bytes > length) return { error: `bdb: overflow page ${next} holds ${bytes} bytes, too many` };
        out.set(this.file.subarray(at + PAGE_HEADER, at + PAGE_HEADER + bytes), filled);
        filled += bytes;
        next = this.u32(at + 16);
      }
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
    return { data: out };
  }
}

function hashItem(pages: Pages, pageAt: number, offset: number, length: number): Item {
  if (length < 1 || offset + length > pages.pageSize) return { error: `bdb: item at offset ${offset} has length ${length}` };
  const at = pageAt + offset;
  const type = pages.file[at];
  if (type === ITEM_DATA) return { data: pages.file.subarray(at + 1, at + length) };
  if (type === ITEM_OVERFLOW && length === 12) return pages.overflow(pages.u32(at + 4), pages.u32(at + 8));
  return { error: `bdb: unsupported item type ${type ?? -1}` };
}

function btreeItem(pages: Pages, pageAt: number, offset: number): Item | 'deleted' {
  if (offset % 4 !== 0 || offset + 3 > pages.pageSize) return { error: `bdb: btree item offset ${offset} is invalid` };
  const at = pageAt + offset;
  const type = pages.file[at + 2] ?? 0;
  if ((type & 0x80) !== 0) return 'deleted';
  if (type === ITEM_DATA) {
    const length = pages.u16(at);
    if (offset + 3 + length > pages.pageSize) return { error: `bdb: btree item at offset ${offset} runs past its page` };
    return { data: pages.file.subarray(at + 3, at + 3 + length) };
  }
  if (type === ITEM_OVERFLOW && offset + 12 <= pages.pageSize) return pages.overflow(pages.u32(at + 4), pages.u32(at + 8));
  return { error: `bdb: unsupported btree item type ${type} at offset ${offset}` };
}

function toRecord(pages: Pages, key: Item, value: Item, where: string): RpmdbRecord | undefined {
  if ('error' in key) return { instance: 0, error: `${where}: key: ${key.error}` };
  if (key.data.length !== 4) return { instance: 0, error: `${where}: key of ${key.data.length} bytes, expected 4` };
  const instance = new DataView(key.data.buffer, key.data.byteOffset, 4).getUint32(0, pages.le);
  if (instance === 0) return undefined; // the instance counter, not a package
  return 'error' in value ? { instance, error: `${where}: ${value.error}` } : { instance, blob: value.data };
}

/** Key/value pairs of one hash page: items are packed from the page end downwards. */
function readHashPage(pages: Pages, n: number, at: number, out: RpmdbRecord[]): void {
  const entries = pages.u16(at + 20);
  if (entries % 2 !== 0 || PAGE_HEADER + 2 * entries > pages.pageSize) throw new RpmdbError('MALFORMED_RECORD', `bdb: page ${n} has ${entries} entries`);
  for (let i = 0; i < entries; i += 2) {
    const keyOff = pages.u16(at + PAGE_HEADER + 2 * i);
    const valueOff = pages.u16(at + PAGE_HEADER + 2 * i + 2);
    const keyEnd = i === 0 ? pages.pageSize : pages.u16(at + PAGE_HEADER + 2 * i - 2);
    const key = hashItem(pages, at, keyOff, keyEnd - keyOff);
    const value = hashItem(pages, at, valueOff, keyOff - valueOff);
    const record = toRecord(pages, key, value, `bdb page ${n} entry ${i / 2}`);
    if (record !== undefined) out.push(record);
  }
}

function readHash(pages: Pages): RpmdbRecord[] {
  const maxBucket = pages.u32(72);
  const spares = (bucket: number): number => pages.u32(96 + 4 * (bucket === 0 ? 0 : 32 - Math.clz32(bucket)));
  const out: RpmdbRecord[] = [];
  const seen = new Set<number>();
  for (let bucket = 0; bucket <= maxBucket && bucket <= pages.lastPage; bucket++) {
    let n = bucket + spares(bucket);
    try {
      while (n !== 0) {
        if (seen.has(n)) throw new RpmdbError('MALFORMED_RECORD', `bdb: page ${n} is reached twice`);
        seen.add(n);
        const at = pages.page(n, [P_HASH, P_HASH_UNSORTED, P_HASH_META]);
        readHashPage(pages, n, at, out);
        n = pages.u32(at + 16);
      }
    } catch (error) {
      out.push({ instance: 0, error: `bdb bucket ${bucket}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return out;
}

function readBtree(pages: Pages): RpmdbRecord[] {
  let n = pages.u32(88);
  for (let depth = 0; ; depth++) {
    if (depth > 64) throw new RpmdbError('MALFORMED_DATABASE', 'bdb: btree deeper than 64 levels');
    const at = pages.page(n, [P_BTREE_INTERNAL, P_BTREE_LEAF]);
    if (pages.file[at + 25] === P_BTREE_LEAF) break;
    if (pages.u16(at + 20) === 0) throw new RpmdbError('MALFORMED_DATABASE', `bdb: btree page ${n} is empty`);
    n = pages.u32(at + pages.u16(at + PAGE_HEADER) + 4);
  }
  const out: RpmdbRecord[] = [];
  for (let hops = 0; n !== 0; hops++) {
    if (hops > pages.lastPage) throw new RpmdbError('MALFORMED_DATABASE', 'bdb: btree leaf chain loops');
    const at = pages.page(n, [P_BTREE_LEAF]);
    const entries = pages.u16(at + 20);
    for (let i = 0; i + 1 < entries; i += 2) {
      const key = btreeItem(pages, at, pages.u16(at + PAGE_HEADER + 2 * i));
      const value = btreeItem(pages, at, pages.u16(at + PAGE_HEADER + 2 * i + 2));
      if (key === 'deleted' || value === 'deleted') continue;
      const record = toRecord(pages, key, value, `bdb page ${n} entry ${i / 2}`);
      if (record !== undefined) out.push(record);
    }
    n = pages.u32(at + 16);
  }
  return out;
}

/** Every record of a Berkeley DB `Packages` file except the key-0 counter. */
export function readBdb(file: Uint8Array): RpmdbRecord[] {
  const pages = new Pages(file);
  const magic = pages.u32(12);
  const version = pages.u32(16);
  if (magic === BDB_HASH_MAGIC) {
    if (version < 8 || version > 10) throw new RpmdbError('MALFORMED_DATABASE', `bdb: unsupported hash version ${version}`);
    return readHash(pages);
  }
  if (version < 9 || version > 10) throw new RpmdbError('MALFORMED_DATABASE', `bdb: unsupported btree version ${version}`);
  try {
    return readBtree(pages);
  } catch (error) {
    if (error instanceof RpmdbError && error.code === 'MALFORMED_DATABASE') throw error;
    throw new RpmdbError('MALFORMED_DATABASE', error instanceof Error ? error.message : String(error), { cause: error });
  }
}
