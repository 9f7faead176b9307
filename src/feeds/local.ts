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
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
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
  try {
    for (let entry = await zip.next(); entry !== undefined; entry = await zip.next()) {
      throwIfAborted(options.signal, zipPath);
      const item = await readZipEntry(zip, entry, options.include, max);
      if (item !== undefined) yield item;
    }
  } finally {
    zip.close();
  }
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
    try {
      return new ZipReader(await yauzl.openPromise(zipPath, ZIP_OPTIONS), zipPath);
    } catch (error) {
      throw isMissing(error) ? badSource(zipPath, error) : badArchive(zipPath, error);
    }
  }

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
  }
}

async function checkCentralDirectory(zipPath: string, signal: AbortSignal | undefined): Promise<void> {
  const zip = await ZipReader.open(zipPath);
  try {
    while ((await zip.next()) !== undefined) throwIfAborted(signal, zipPath);
  } finally {
    zip.close();
  }
}

async function readZipEntry(zip: ZipReader, entry: Entry, include: LocalSourceOptions['include'], max: number): Promise<LocalItem | undefined> {
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
  if (name.endsWith('/') || include?.(name) === false) return undefined;
  const where = `${zip.zipPath}: entry ${JSON.stringify(name)}`;
  const unsafe = yauzl.validateFileName(name);
  if (unsafe !== null) return errorItem(name, 'BAD_ARCHIVE', `${where} not extracted: ${unsafe}`);
  if (entry.uncompressedSize > max) return errorItem(name, 'TOO_LARGE', `${where} is ${entry.uncompressedSize} bytes, over the ${max}-byte limit`);
  try {
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
