import { RpmdbError } from './errors.js';

/*
 * An rpm header blob as the rpmdb stores it (rpm lib/header.c): big-endian `il` (index entries)
 * and `dl` (data length), `il` 16-byte entries {tag, type, offset, count}, then `dl` bytes of data.
 * Entry 0 is normally the immutable region (tag 63) whose trailer names how many entries belong to
 * it; entries after the region are "dribbles" rpm added at install time, and they win over a region
 * entry of the same tag.
 */

export const RPMTAG = {
  NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, SUMMARY: 1004, VENDOR: 1011, LICENSE: 1014,
  ARCH: 1022, SOURCERPM: 1044, MODULARITYLABEL: 5096,
} as const;

const enum T { NULL = 0, CHAR = 1, INT8 = 2, INT16 = 3, INT32 = 4, INT64 = 5, STRING = 6, BIN = 7, STRING_ARRAY = 8, I18NSTRING = 9 }

const ALIGN: Readonly<Record<number, number>> = { [T.INT16]: 2, [T.INT32]: 4, [T.INT64]: 8 };
const SIZE: Readonly<Record<number, number>> = { [T.CHAR]: 1, [T.INT8]: 1, [T.INT16]: 2, [T.INT32]: 4, [T.INT64]: 8, [T.BIN]: 1 };
const MAX_INDEX = 0xffff; // rpm's HEADER_TAGS_MAX
const MAX_DATA = 0x0fffffff; // rpm's HEADER_DATA_MAX
const isRegionTag = (tag: number): boolean => tag >= 61 && tag < 64;

interface Entry { readonly type: number; readonly offset: number; readonly count: number; readonly length: number }

const utf8 = new TextDecoder('utf-8');

/** Decoded view of one header blob; values are decoded on demand. */
export class RpmHeader {
  constructor(private readonly data: Uint8Array, private readonly entries: ReadonlyMap<number, Entry>) {}

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** The tag's string (STRING, or the first of STRING_ARRAY / I18NSTRING); undefined for other types. */
  string(tag: number): string | undefined {
    const entry = this.entries.get(tag);
    if (entry === undefined || (entry.type !== T.STRING && entry.type !== T.STRING_ARRAY && entry.type !== T.I18NSTRING)) return undefined;
    const end = this.data.indexOf(0, entry.offset);
    return utf8.decode(this.data.subarray(entry.offset, end));
  }

  strings(tag: number): string[] | undefined {
    const entry = this.entries.get(tag);
    if (entry === undefined || (entry.type !== T.STRING && entry.type !== T.STRING_ARRAY && entry.type !== T.I18NSTRING)) return undefined;
    const values: string[] = [];
    let at = entry.offset;
    for (let i = 0; i < entry.count; i++) {
      const end = this.data.indexOf(0, at);
      values.push(utf8.decode(this.data.subarray(at, end)));
      at = end + 1;
    }
    return values;
  }

  /** INT8/16/32 values (unsigned, as rpm prints them); undefined for other types. */
  numbers(tag: number): number[] | undefined {
    const entry = this.entries.get(tag);
    if (entry === undefined) return undefined;
    const view = new DataView(this.data.buffer, this.data.byteOffset + entry.offset, entry.length);
    const read = entry.type === T.INT32 ? (i: number) => view.getUint32(i * 4)
      : entry.type === T.INT16 ? (i: number) => view.getUint16(i * 2)
        : entry.type === T.INT8 || entry.type === T.CHAR ? (i: number) => view.getUint8(i) : undefined;
    if (read === undefined) return undefined;
    return Array.from({ length: entry.count }, (_, i) => read(i));
  }
}

function fail(message: string): never {
  throw new RpmdbError('MALFORMED_RECORD', `rpm header: ${message}`);
}

/** Bytes taken by `count` NUL-terminated strings at `offset`, or -1 when they run past the data. */
function stringsLength(data: Uint8Array, offset: number, count: number): number {
  let at = offset;
  for (let i = 0; i < count; i++) {
    const end = data.indexOf(0, at);
    if (end < 0) return -1;
    at = end + 1;
  }
  return at - offset;
}

function entryLength(data: Uint8Array, type: number, offset: number, count: number): number {
  if (type === T.STRING) return count === 1 ? stringsLength(data, offset, 1) : -1;
  if (type === T.STRING_ARRAY || type === T.I18NSTRING) return stringsLength(data, offset, count);
  const size = SIZE[type] ?? 0;
  return offset + size * count <= data.length ? size * count : -1;
}

/** Checks the immutable region's trailer when entry 0 is a region (legacy headers have none). */
function checkRegion(view: DataView, data: Uint8Array, il: number): void {
  const tag0 = view.getInt32(8);
  if (!isRegionTag(tag0)) return;
  const type0 = view.getUint32(12);
  const offset0 = view.getInt32(16);
  const count0 = view.getUint32(20);
  if (type0 !== T.BIN || count0 !== 16) fail(`region tag ${tag0} has type ${type0} and count ${count0}, expected BIN and 16`);
  if (offset0 === 0) return; // the region covers the whole header
  if (offset0 < 0 || offset0 + 16 > data.length) fail(`region trailer offset ${offset0} outside ${data.length} data bytes`);
  const trailer = new DataView(data.buffer, data.byteOffset + offset0, 16);
  const ril = -trailer.getInt32(8) / 16;
  if (trailer.getInt32(0) !== tag0 || !Number.isInteger(ril) || ril < 1 || ril > il) {
    fail(`region trailer of tag ${tag0} is invalid (tag ${trailer.getInt32(0)}, ${ril} entries of ${il})`);
  }
}

/** Parses and validates a header blob as stored in the rpmdb (no leading 8-byte magic). */
export function parseHeader(blob: Uint8Array): RpmHeader {
  if (blob.length < 8) fail(`${blob.length} bytes, shorter than the 8-byte preamble`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  if (il < 1 || il > MAX_INDEX) fail(`${il} index entries`);
  if (dl > MAX_DATA) fail(`data length ${dl} is too large`);
  const expected = 8 + 16 * il + dl;
  if (expected !== blob.length) fail(`blob is ${blob.length} bytes, its preamble says ${expected} (il ${il}, dl ${dl})`);
  const data = blob.subarray(8 + 16 * il);
  checkRegion(view, data, il);
  const entries = new Map<number, Entry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + 16 * i;
    const tag = view.getInt32(at);
    const type = view.getUint32(at + 4);
    const offset = view.getInt32(at + 8);
    const count = view.getUint32(at + 12);
    if (isRegionTag(tag)) continue;
    if (type > T.I18NSTRING) fail(`tag ${tag} has unknown type ${type}`);
    if (offset < 0 || offset > dl || (offset === dl && type !== T.NULL)) fail(`tag ${tag} offset ${offset} outside ${dl} data bytes`);
    if (offset % (ALIGN[type] ?? 1) !== 0) fail(`tag ${tag} offset ${offset} is misaligned for type ${type}`);
    if (type !== T.NULL && (count < 1 || count > dl)) fail(`tag ${tag} has count ${count}`);
    const length = type === T.NULL ? 0 : entryLength(data, type, offset, count);
    if (length < 0) fail(`tag ${tag} (type ${type}, count ${count}) runs past the data`);
    // Later entries (install-time dribbles) replace earlier ones, as rpm's headerImport does.
    entries.set(tag, { type, offset, count, length });
  }
  return new RpmHeader(data, entries);
}
