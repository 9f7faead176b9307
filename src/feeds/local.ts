/*
 * CONTRACT (implementation to follow in this file): reading `--from` sources and zip archives.
 *
 * openLocalSource(from, options): an async iterable over the documents of a local directory
 * (recursive, entries sorted by path, symlinks not followed out of the directory), a zip file
 * (streamed entry by entry with yauzl from its central directory: the archive is never loaded
 * whole; a truncated or corrupt archive throws FeedError('BAD_ARCHIVE') before anything is
 * yielded when the central directory is unreadable, and yields a per-entry error for one bad
 * entry), or a single file. `include(path)` filters by the relative path ('/'-separated) before
 * any bytes are read. An entry larger than maxEntryBytes (default 64 MiB) yields an error item
 * rather than its bytes. `from` that does not exist: FeedError('BAD_LOCAL_SOURCE').
 *
 * zipEntries(zipPath, options): the same for one zip file (used for downloaded OSV all.zip).
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type Options as ZipOptions, type ZipFile } from 'yauzl';
import { FeedError, type FeedErrorCode } from './errors.js';

export type LocalItem =
  | { readonly path: string; readonly body: Uint8Array; readonly error?: undefined }
  | { readonly path: string; readonly body?: undefined; readonly error: FeedError };

export interface LocalSourceOptions {
  readonly include?: (path: string) => boolean;
  readonly maxEntryBytes?: number;
  readonly signal?: AbortSignal;
}

export type LocalSourceKind = 'directory' | 'zip' | 'file';

const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024;
const READ_CHUNK = 64 * 1024;
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/**
 * decodeStrings: false because yauzl treats an unsafe entry name ('..', absolute) as fatal for the
 * whole archive; we decode and validate names ourselves so such an entry is one error item.
 */
const ZIP_OPTIONS: ZipOptions = { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true, decodeStrings: false };

/** What `from` is: a directory, a zip (PK\x03\x04 magic or a .zip name) or any other file. */
export async function localSourceKind(from: string): Promise<LocalSourceKind> {
  const info = await stat(from).catch((error: unknown) => {
    throw badSource(from, error);
  });
  if (info.isDirectory()) return 'directory';
  if (!info.isFile()) throw new FeedError('BAD_LOCAL_SOURCE', `${from}: not a regular file, zip or directory`);
  if (from.toLowerCase().endsWith('.zip') || (await startsWithZipMagic(from))) return 'zip';
  return 'file';
}

/** See the contract above. A single file is yielded under its base name. */
export async function* openLocalSource(from: string, options: LocalSourceOptions = {}): AsyncIterable<LocalItem> {
  const kind = await localSourceKind(from);
  if (kind === 'zip') {
    yield* zipEntries(from, options);
  } else if (kind === 'directory') {
    yield* walkDirectory(from, options);
  } else {
    const name = path.basename(from);
    if (options.include?.(name) === false) return;
    throwIfAborted(options.signal, from);
    yield await readLocalFile(from, name, maxEntryBytes(options));
  }
}

/**
 * The entries of one zip, in central-directory order, one at a time. The central directory is read
 * through once before the first entry is yielded, so an unreadable one throws BAD_ARCHIVE up front.
 */
export async function* zipEntries(zipPath: string, options: LocalSourceOptions = {}): AsyncIterable<LocalItem> {
  const max = maxEntryBytes(options);
  await checkCentralDirectory(zipPath, options.signal);
  const zip = await ZipReader.open(zipPath);
  let handle: FileHandle | undefined;
  try {
    handle = await open(zipPath, 'r');
    for (let entry = await zip.next(); entry !== undefined; entry = await zip.next()) {
      throwIfAborted(options.signal, zipPath);
      const item = await readZipEntry(zip, entry, options.include, max, handle);
      if (item !== undefined) yield item;
    }
  } finally {
    zip.close();
    await handle?.close();
  }
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
/** Entries up to this size are read with one positioned read and inflated synchronously. */
const DIRECT_READ_LIMIT = 8 << 20;

/**
 * The fast path for an ordinary entry (stored or deflated, not encrypted, small): one positioned
 * read of its local header and data, then a synchronous inflate bounded by the declared size. yauzl
 * has already validated the central directory record; this checks the local header's signature and
 * the inflated size. Per-entry streams cost more than the inflate itself on small records (OSV's
 * all.zip holds hundreds of thousands of ~2 KB files). Returns undefined to fall back to yauzl's
 * stream for anything else.
 */
async function readDirect(handle: FileHandle, entry: Entry, max: number): Promise<Buffer | undefined> {
  const method = entry.compressionMethod;
  if ((method !== 0 && method !== 8) || (entry.generalPurposeBitFlag & 1) !== 0) return undefined;
  if (entry.compressedSize > DIRECT_READ_LIMIT || entry.uncompressedSize > Math.min(max, DIRECT_READ_LIMIT)) return undefined;
  const nameLength = entry.fileNameRaw.length;
  // The local extra field may differ from the central one: read generously, re-read if short.
  let length = 30 + nameLength + entry.extraFieldLength + 256 + entry.compressedSize;
  let buffer = Buffer.alloc(length);
  let { bytesRead } = await handle.read(buffer, 0, length, entry.relativeOffsetOfLocalHeader);
  if (bytesRead < 30 || buffer.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) throw new Error('bad local file header signature');
  const start = 30 + buffer.readUInt16LE(26) + buffer.readUInt16LE(28);
  const end = start + entry.compressedSize;
  if (end > bytesRead) {
    length = end;
    buffer = Buffer.alloc(length);
    ({ bytesRead } = await handle.read(buffer, 0, length, entry.relativeOffsetOfLocalHeader));
    if (end > bytesRead) throw new Error('entry data runs past the end of the file');
  }
  const data = buffer.subarray(start, end);
  const body = method === 0 ? Buffer.from(data) : inflateRawSync(data, { maxOutputLength: entry.uncompressedSize + 1 });
  if (body.length !== entry.uncompressedSize) throw new Error(`inflated to ${body.length} bytes, the directory says ${entry.uncompressedSize}`);
  return body;
}

/** yauzl's events as one-entry-at-a-time promises; an 'error' between calls is kept, never unhandled. */
class ZipReader {
  private failure: unknown;

  private constructor(private readonly zip: ZipFile, readonly zipPath: string) {
    zip.on('error', (error: unknown) => {
      this.failure ??= error;
    });
  }

  static async open(zipPath: string): Promise<ZipReader> {
    let reader: CachedReader | undefined;
    try {
      reader = new CachedReader(zipPath);
      const zip = await yauzl.fromRandomAccessReaderPromise(reader, reader.size, ZIP_OPTIONS);
      const opened = new ZipReader(zip, zipPath);
      opened.reader = reader;
      return opened;
    } catch (error) {
      reader?.dispose();
      throw isMissing(error) ? badSource(zipPath, error) : badArchive(zipPath, error);
    }
  }

  private reader: CachedReader | undefined;

  next(): Promise<Entry | undefined> {
    return new Promise((resolve, reject) => {
      if (this.failure !== undefined) return reject(badArchive(this.zipPath, this.failure));
      const settle = (): void => {
        this.zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      };
      const onEntry = (entry: Entry): void => {
        settle();
        resolve(entry);
      };
      const onEnd = (): void => {
        settle();
        resolve(undefined);
      };
      const onError = (error: unknown): void => {
        settle();
        reject(badArchive(this.zipPath, error));
      };
      this.zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
      this.zip.readEntry();
    });
  }

  openStream(entry: Entry): Promise<Readable> {
    return this.zip.openReadStreamPromise(entry);
  }

  close(): void {
    this.zip.close();
    this.reader?.dispose();
  }
}

/**
 * yauzl reads the central directory a few bytes at a time; with plain fs reads that is two
 * asynchronous system calls per entry. This reader serves those small reads from a 1 MiB block read
 * with one positioned read, so walking the directory of a 300,000-entry all.zip costs a few hundred
 * reads. Entry data still streams (createReadStream on the same descriptor).
 */
class CachedReader extends yauzl.RandomAccessReader {
  readonly size: number;
  private readonly fd: number;
  private block = Buffer.alloc(0);
  private blockStart = 0;
  private closed = false;

  constructor(private readonly file: string) {
    super();
    this.fd = openSync(file, 'r');
    try {
      this.size = fstatSync(this.fd).size;
    } catch (error) {
      closeSync(this.fd);
      throw error;
    }
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return createReadStream(this.file, { fd: this.fd, start, end: end - 1, autoClose: false });
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    try {
      let done = 0;
      while (done < length) {
        const at = position + done;
        if (at < this.blockStart || at >= this.blockStart + this.block.length) {
          const size = Math.max(BLOCK_SIZE, length - done);
          const block = Buffer.alloc(size);
          const read = readSync(this.fd, block, 0, size, at);
          if (read === 0) throw new Error(`unexpected end of file at offset ${at}`);
          this.block = block.subarray(0, read);
          this.blockStart = at;
        }
        const from = at - this.blockStart;
        const n = Math.min(length - done, this.block.length - from);
        this.block.copy(buffer, offset + done, from, from + n);
        done += n;
      }
      queueMicrotask(() => callback(null));
    } catch (error) {
      queueMicrotask(() => callback(error as Error));
    }
  }

  override close(callback: (err: Error | null) => void): void {
    queueMicrotask(() => callback(null));
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

const BLOCK_SIZE = 1 << 20;

async function checkCentralDirectory(zipPath: string, signal: AbortSignal | undefined): Promise<void> {
  const zip = await ZipReader.open(zipPath);
  try {
    while ((await zip.next()) !== undefined) throwIfAborted(signal, zipPath);
  } finally {
    zip.close();
  }
}

async function readZipEntry(
  zip: ZipReader,
  entry: Entry,
  include: LocalSourceOptions['include'],
  max: number,
  handle: FileHandle,
): Promise<LocalItem | undefined> {
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
  if (name.endsWith('/') || include?.(name) === false) return undefined;
  const where = `${zip.zipPath}: entry ${JSON.stringify(name)}`;
  const unsafe = yauzl.validateFileName(name);
  if (unsafe !== null) return errorItem(name, 'BAD_ARCHIVE', `${where} not extracted: ${unsafe}`);
  if (entry.uncompressedSize > max) return errorItem(name, 'TOO_LARGE', `${where} is ${entry.uncompressedSize} bytes, over the ${max}-byte limit`);
  try {
    const direct = await readDirect(handle, entry, max);
    if (direct !== undefined) return { path: name, body: direct };
    const body = await collect(await zip.openStream(entry), max);
    return body === undefined ? errorItem(name, 'TOO_LARGE', `${where} is over the ${max}-byte limit`) : { path: name, body };
  } catch (error) {
    return errorItem(name, 'BAD_ARCHIVE', `${where} is unreadable: ${messageOf(error)}`, error);
  }
}

/** The stream's bytes, or undefined (and the stream destroyed) once they pass `max`. */
async function collect(stream: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) return undefined; // leaving the loop destroys the stream
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

type Listed =
  | { readonly path: string; readonly key: Buffer; readonly file: string; readonly error?: undefined }
  | { readonly path: string; readonly key: Buffer; readonly file?: undefined; readonly error: FeedError };

/** Every file under `root`, sorted by relative path in byte order, then read one at a time. */
async function* walkDirectory(root: string, options: LocalSourceOptions): AsyncGenerator<LocalItem> {
  const max = maxEntryBytes(options);
  const realRoot = await realpath(root);
  const listed = await listTree(realRoot);
  listed.sort((a, b) => Buffer.compare(a.key, b.key));
  for (const item of listed) {
    if (options.include?.(item.path) === false) continue;
    throwIfAborted(options.signal, root);
    yield item.file === undefined ? { path: item.path, error: item.error } : await readLocalFile(item.file, item.path, max);
  }
}

async function listTree(realRoot: string): Promise<Listed[]> {
  const out: Listed[] = [];
  const pending: string[] = [''];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let entries;
    try {
      entries = await readdir(path.join(realRoot, dir), { withFileTypes: true });
    } catch (error) {
      if (dir === '') throw badSource(realRoot, error);
      out.push(listedError(dir, `${dir}: directory unreadable: ${messageOf(error)}`, error));
      continue;
    }
    for (const entry of entries) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      const file = path.join(realRoot, rel);
      if (entry.isDirectory()) pending.push(rel);
      else if (entry.isFile()) out.push({ path: rel, key: Buffer.from(rel), file });
      else if (entry.isSymbolicLink()) out.push(...(await resolveLink(realRoot, file, rel)));
      else out.push(listedError(rel, `${rel}: not a regular file`));
    }
  }
  return out;
}

/**
 * A symbolic link is read only when it resolves to a regular file inside the root; one to a
 * directory inside the root is skipped (that directory is walked where it really is).
 */
async function resolveLink(realRoot: string, link: string, rel: string): Promise<Listed[]> {
  let target: string;
  try {
    target = await realpath(link);
  } catch (error) {
    return [listedError(rel, `${rel}: broken symbolic link`, error)];
  }
  const inside = path.relative(realRoot, target);
  if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    return [listedError(rel, `${rel}: symbolic link to ${target}, outside ${realRoot}: not followed`)];
  }
  const info = await stat(target);
  if (info.isFile()) return [{ path: rel, key: Buffer.from(rel), file: target }];
  return info.isDirectory() ? [] : [listedError(rel, `${rel}: not a regular file`)];
}

function listedError(rel: string, message: string, cause?: unknown): Listed {
  return { path: rel, key: Buffer.from(rel), error: new FeedError('BAD_LOCAL_SOURCE', message, { cause }) };
}

/** One file's bytes, or an error item (too large, unreadable): never throws. */
async function readLocalFile(file: string, rel: string, max: number): Promise<LocalItem> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    if (size > max) return errorItem(rel, 'TOO_LARGE', `${rel} is ${size} bytes, over the ${max}-byte limit`);
    const body = await readCapped(handle, size, max);
    return body === undefined ? errorItem(rel, 'TOO_LARGE', `${rel} is over the ${max}-byte limit`) : { path: rel, body };
  } catch (error) {
    return errorItem(rel, 'BAD_LOCAL_SOURCE', `${rel}: unreadable: ${messageOf(error)}`, error);
  } finally {
    await handle?.close();
  }
}

/** Reads to end of file, but never more than max + 1 bytes (the file may grow while we read). */
async function readCapped(handle: FileHandle, size: number, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(size + 1 - total, READ_CHUNK), max + 1 - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    if (total > max) return undefined;
    chunks.push(chunk.subarray(0, bytesRead));
  }
}

async function startsWithZipMagic(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw badSource(file, error);
  });
  try {
    const head = Buffer.alloc(ZIP_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(ZIP_MAGIC);
  } finally {
    await handle.close();
  }
}

function maxEntryBytes(options: LocalSourceOptions): number {
  return options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
}

function errorItem(name: string, code: FeedErrorCode, message: string, cause?: unknown): LocalItem {
  return { path: name, error: new FeedError(code, message, { cause }) };
}

function throwIfAborted(signal: AbortSignal | undefined, from: string): void {
  if (signal?.aborted === true) throw new FeedError('ABORTED', `${from}: reading aborted`, { cause: signal.reason });
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function badSource(from: string, error: unknown): FeedError {
  const what = isMissing(error) ? 'no such file or directory' : messageOf(error);
  return new FeedError('BAD_LOCAL_SOURCE', `${from}: ${what}`, { cause: error });
}

function badArchive(zipPath: string, error: unknown): FeedError {
  return new FeedError('BAD_ARCHIVE', `${zipPath}: unreadable zip archive: ${messageOf(error)}`, { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
