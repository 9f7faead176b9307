import { RpmdbError, type RpmdbRecord } from './errors.js';

/*
 * rpm's "ndb" package store, Packages.db (SUSE; rpm lib/backend/ndb/rpmpkg.c). Little-endian.
 * A 16-byte file header (magic "RpmP", version 0, generation, slot page count, next index), then
 * 16-byte slots {"Slot", pkgidx, blkoff, blkcnt} filling the slot pages; each used slot points at a
 * blob of blkcnt 16-byte blocks: {"BlbS", pkgidx, generation, length, header…, pad, adler32,
 * length, "BlbE"}.
 */

export const NDB_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_MAGIC = 0x53626c42; // "BlbS"
const BLOB_TAIL_MAGIC = 0x45626c42; // "BlbE"
const BLOCK = 16;
const SLOT_PAGE = 4096;
const MAX_SLOT_PAGES = 2048; // the same guard go-rpmdb uses: 2048 pages = 524,000 slots

/** Adler-32 (RFC 1950) as rpm's ndb computes it over a blob's head, header and padding. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length;) {
    // Reducing every 5552 bytes (zlib's NMAX) keeps the sums small integers.
    const end = Math.min(i + 5552, bytes.length);
    for (; i < end; i++) {
      a += bytes[i] ?? 0;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function readBlob(file: Uint8Array, view: DataView, pkgIdx: number, blkOff: number, blkCnt: number): Uint8Array | string {
  const start = blkOff * BLOCK;
  const end = start + blkCnt * BLOCK;
  if (blkCnt < 2 || end > file.length) return `blob of ${blkCnt} blocks at block ${blkOff} runs past the end of the file`;
  if (view.getUint32(start, true) !== BLOB_MAGIC) return `no blob magic at block ${blkOff}`;
  if (view.getUint32(start + 4, true) !== pkgIdx) return `blob at block ${blkOff} belongs to package ${view.getUint32(start + 4, true)}`;
  const length = view.getUint32(start + 12, true);
  if (Math.ceil((16 + length + 12) / BLOCK) !== blkCnt) return `blob length ${length} does not fit ${blkCnt} blocks`;
  if (view.getUint32(end - 4, true) !== BLOB_TAIL_MAGIC || view.getUint32(end - 8, true) !== length) return 'blob tail is damaged';
  if (adler32(file.subarray(start, end - 12)) !== view.getUint32(end - 12, true)) return 'blob checksum mismatch';
  return file.subarray(start + 16, start + 16 + length);
}

/** Every used slot's header blob, in slot order. */
export function readNdb(file: Uint8Array): RpmdbRecord[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 32 || view.getUint32(0, true) !== NDB_MAGIC) throw new RpmdbError('MALFORMED_DATABASE', 'ndb: no "RpmP" magic');
  if (view.getUint32(4, true) !== 0) throw new RpmdbError('MALFORMED_DATABASE', `ndb: unsupported version ${view.getUint32(4, true)}`);
  const slotPages = view.getUint32(12, true);
  if (slotPages < 1 || slotPages > MAX_SLOT_PAGES || slotPages * SLOT_PAGE > file.length) {
    throw new RpmdbError('MALFORMED_DATABASE', `ndb: ${slotPages} slot pages in a ${file.length}-byte file`);
  }
  const firstDataBlock = (slotPages * SLOT_PAGE) / BLOCK;
  const records: RpmdbRecord[] = [];
  // Slots 0 and 1 are the file header.
  for (let at = 2 * BLOCK; at < slotPages * SLOT_PAGE; at += BLOCK) {
    if (view.getUint32(at, true) !== SLOT_MAGIC) throw new RpmdbError('MALFORMED_DATABASE', `ndb: slot at byte ${at} has no "Slot" magic`);
    const pkgIdx = view.getUint32(at + 4, true);
    const blkOff = view.getUint32(at + 8, true);
    const blkCnt = view.getUint32(at + 12, true);
    if (blkOff === 0) continue; // free slot
    if (pkgIdx === 0 || blkOff < firstDataBlock) {
      records.push({ instance: pkgIdx, error: `ndb slot at byte ${at} is invalid (package ${pkgIdx}, block ${blkOff})` });
      continue;
    }
    const blob = readBlob(file, view, pkgIdx, blkOff, blkCnt);
    records.push(typeof blob === 'string' ? { instance: pkgIdx, error: `ndb package ${pkgIdx}: ${blob}` } : { instance: pkgIdx, blob });
  }
  return records;
}
