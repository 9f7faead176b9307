import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ImageError } from './errors.js';
import { normalizeImagePath } from './paths.js';

const BLOCK = 512;

export interface TarEntry {
  /** Normalized name without the leading "/" (e.g. "blobs/sha256/ab…"). */
  readonly name: string;
  /** Byte offset of the content in the archive file. */
  readonly offset: number;
  readonly size: number;
  /** ustar type flag: "0" file, "2" symlink, "5" directory… */
  readonly type: string;
  readonly linkname: string;
}

/**
 * An outer archive (docker save output, an OCI archive) indexed by reading only its headers:
 * entries are contiguous in a tar, so each one can later be streamed by byte range without
 * reading or extracting the rest.
 */
export class TarIndex {
  private constructor(readonly file: string, readonly entries: ReadonlyMap<string, TarEntry>) {}

  static async load(file: string): Promise<TarIndex> {
    const handle = await open(file, 'r').catch((error: unknown) => {
      throw new ImageError('NOT_FOUND', `cannot open "${file}": ${(error as Error).message}`, { cause: error });
    });
    try {
      return new TarIndex(file, await readHeaders(handle, file));
    } finally {
      await handle.close();
    }
  }

  get(name: string): TarEntry | undefined {
    const key = normalizeImagePath(name)?.slice(1);
    if (key === undefined) return undefined;
    const entry = this.entries.get(key);
    if (entry?.type === '2' || entry?.type === '1') return this.followLink(entry, 0);
    return entry;
  }

  open(entry: TarEntry): Readable {
    if (entry.size === 0) return Readable.from([]);
    return createReadStream(this.file, { start: entry.offset, end: entry.offset + entry.size - 1, highWaterMark: 1 << 20 });
  }

  async read(entry: TarEntry, maxBytes: number): Promise<Buffer> {
    if (entry.size > maxBytes) {
      throw new ImageError('BAD_MANIFEST', `"${entry.name}" in ${this.file} is ${entry.size} bytes, over the ${maxBytes}-byte limit`);
    }
    const parts: Buffer[] = [];
    for await (const chunk of this.open(entry)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  // docker save writes some layers as symlinks to identical layer.tar files of other images.
  private followLink(entry: TarEntry, depth: number): TarEntry | undefined {
    if (depth > 8) return undefined;
    const base = entry.type === '2' ? entry.name.split('/').slice(0, -1).join('/') + '/' : '';
    const key = normalizeImagePath(base + entry.linkname)?.slice(1);
    const target = key === undefined ? undefined : this.entries.get(key);
    if (target?.type === '2' || target?.type === '1') return this.followLink(target, depth + 1);
    return target;
  }
}

interface Pending {
  name?: string;
  linkname?: string;
  size?: number;
}

async function readHeaders(handle: FileHandle, file: string): Promise<Map<string, TarEntry>> {
  const { size: fileSize } = await handle.stat();
  const entries = new Map<string, TarEntry>();
  const block = Buffer.alloc(BLOCK);
  let position = 0;
  let pending: Pending = {};
  while (position + BLOCK <= fileSize) {
    await handle.read(block, 0, BLOCK, position);
    if (block.every((byte) => byte === 0)) break;
    if (!checksumOk(block)) throw new ImageError('BAD_MANIFEST', `${file} is not a tar archive (bad header at byte ${position})`);
    const type = String.fromCharCode(block[156] ?? 0x30).replace('\0', '0');
    const size = pending.size ?? readNumber(block.subarray(124, 136));
    const offset = position + BLOCK;
    if (offset + size > fileSize) throw new ImageError('BAD_MANIFEST', `${file} is truncated (entry at byte ${position})`);
    position = offset + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L' || type === 'K') {
      const body = Buffer.alloc(size);
      await handle.read(body, 0, size, offset);
      pending = mergeExtended(pending, type, body);
      continue;
    }
    if (type === 'g') continue;
    const name = normalizeImagePath(pending.name ?? ustarName(block))?.slice(1);
    const linkname = pending.linkname ?? cString(block.subarray(157, 257));
    pending = {};
    if (name !== undefined && name !== '') entries.set(name, { name, offset, size, type, linkname });
  }
  return entries;
}

function mergeExtended(pending: Pending, type: string, body: Buffer): Pending {
  if (type === 'L') return { ...pending, name: cString(body) };
  if (type === 'K') return { ...pending, linkname: cString(body) };
  const next = { ...pending };
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(body.toString('latin1', at, space));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = body.toString('utf8', space + 1, at + length - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') next.name = value;
    else if (key === 'linkpath') next.linkname = value;
    else if (key === 'size') next.size = Number(value);
    at += length;
  }
  return next;
}

function ustarName(block: Buffer): string {
  const name = cString(block.subarray(0, 100));
  const magic = block.toString('latin1', 257, 262);
  const prefix = magic === 'ustar' ? cString(block.subarray(345, 500)) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end < 0 ? bytes.length : end);
}

/** Octal, or GNU base-256 when the high bit of the first byte is set. */
function readNumber(field: Buffer): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = cString(field).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum === readNumber(block.subarray(148, 156));
}
