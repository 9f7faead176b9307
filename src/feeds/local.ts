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
import type { FeedError } from './errors.js';

export type LocalItem =
  | { readonly path: string; readonly body: Uint8Array; readonly error?: undefined }
  | { readonly path: string; readonly body?: undefined; readonly error: FeedError };

export interface LocalSourceOptions {
  readonly include?: (path: string) => boolean;
  readonly maxEntryBytes?: number;
  readonly signal?: AbortSignal;
}

export type LocalSourceKind = 'directory' | 'zip' | 'file';
