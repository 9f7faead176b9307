// On-disk constants and the meta page of bbolt file format version 2 (see
// docs/research/bbolt-trivy-db.md, Part 1). All integers are little-endian.
import { BoltError } from './errors.js';

export const PAGE_HEADER_SIZE = 16;
export const ELEMENT_SIZE = 16;
export const BUCKET_HEADER_SIZE = 16;
export const META_SIZE = 64;

export const BRANCH_PAGE = 0x01;
export const LEAF_PAGE = 0x02;
export const META_PAGE = 0x04;
export const FREELIST_PAGE = 0x10;
export const BUCKET_LEAF_FLAG = 0x01;

export const MAGIC = 0xed0cdaed;
export const VERSION = 2;
export const MIN_KEYS_PER_PAGE = 2;
/** node.write panics at this many inodes; our splitter keeps every page below it. */
export const MAX_PAGE_COUNT = 0xffff;
export const MAX_KEY_SIZE = 32768;
export const MAX_VALUE_SIZE = 0x7ffffffe;
/** Largest pgid bbolt can map on 64-bit platforms (MaxMapSize 0xFFFFFFFFFFFF bytes). */
export const MAX_MAP_SIZE = 0xffffffffffff;
export const PGID_NO_FREELIST = 0xffffffffffffffffn;

export const DEFAULT_PAGE_SIZE = 4096;
export const MIN_PAGE_SIZE = 512;
export const MAX_PAGE_SIZE = 1 << 24;

export function isValidPageSize(size: number): boolean {
  return Number.isInteger(size) && size >= MIN_PAGE_SIZE && size <= MAX_PAGE_SIZE && (size & (size - 1)) === 0;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a 64 (Go's hash/fnv New64a) of buf[start, end). */
export function fnv1a64(buf: Uint8Array, start: number, end: number): bigint {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = ((h ^ BigInt(buf[i]!)) * FNV_PRIME) & MASK64;
  return h;
}

export interface Meta {
  pageSize: number;
  flags: number;
  root: number;
  sequence: bigint;
  freelist: bigint;
  /** High-water mark: number of pages in use. */
  pgid: number;
  txid: bigint;
}

/** Writes a whole meta page (header + meta + checksum) for page `id` at buf[off]. */
export function writeMetaPage(buf: Buffer, off: number, id: number, meta: Meta): void {
  buf.fill(0, off, off + meta.pageSize);
  buf.writeBigUInt64LE(BigInt(id), off);
  buf.writeUInt16LE(META_PAGE, off + 8);
  const m = off + PAGE_HEADER_SIZE;
  buf.writeUInt32LE(MAGIC, m);
  buf.writeUInt32LE(VERSION, m + 4);
  buf.writeUInt32LE(meta.pageSize, m + 8);
  buf.writeUInt32LE(meta.flags, m + 12);
  buf.writeBigUInt64LE(BigInt(meta.root), m + 16);
  buf.writeBigUInt64LE(meta.sequence, m + 24);
  buf.writeBigUInt64LE(meta.freelist, m + 32);
  buf.writeBigUInt64LE(BigInt(meta.pgid), m + 40);
  buf.writeBigUInt64LE(meta.txid, m + 48);
  buf.writeBigUInt64LE(fnv1a64(buf, m, m + 56), m + 56);
}

/** Reads and validates the meta at page offset `off` (magic, version, checksum: bbolt's order). */
export function readMeta(buf: Buffer, off: number): Meta {
  if (buf.length < off + PAGE_HEADER_SIZE + META_SIZE) throw new BoltError('INVALID_FILE', `file too short for a meta page at offset ${off}`);
  const m = off + PAGE_HEADER_SIZE;
  if (buf.readUInt32LE(m) !== MAGIC) throw new BoltError('INVALID_FILE', `meta at offset ${off}: bad magic 0x${buf.readUInt32LE(m).toString(16)}`);
  const version = buf.readUInt32LE(m + 4);
  if (version !== VERSION) throw new BoltError('INVALID_FILE', `meta at offset ${off}: version ${version}, expected ${VERSION}`);
  if (buf.readBigUInt64LE(m + 56) !== fnv1a64(buf, m, m + 56)) throw new BoltError('CHECKSUM', `meta at offset ${off}: checksum mismatch`);
  const pageSize = buf.readUInt32LE(m + 8);
  if (!isValidPageSize(pageSize)) throw new BoltError('INVALID_FILE', `meta at offset ${off}: unsupported page size ${pageSize}`);
  return {
    pageSize,
    flags: buf.readUInt32LE(m + 12),
    root: toPgid(buf.readBigUInt64LE(m + 16), 'meta root'),
    sequence: buf.readBigUInt64LE(m + 24),
    freelist: buf.readBigUInt64LE(m + 32),
    pgid: toPgid(buf.readBigUInt64LE(m + 40), 'meta pgid'),
    txid: buf.readBigUInt64LE(m + 48),
  };
}

function toPgid(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new BoltError('CORRUPT', `${what} ${value} is out of range`);
  return Number(value);
}

/** A u64 page id from two u32 halves; ids past 2^53 cannot address a real file. */
export function readPgid(buf: Buffer, off: number): number {
  const lo = buf.readUInt32LE(off);
  const hi = buf.readUInt32LE(off + 4);
  if (hi >= 0x200000) throw new BoltError('CORRUPT', `page id ${buf.readBigUInt64LE(off)} at offset ${off} is out of range`);
  return hi * 0x100000000 + lo;
}
