import { unzipSync } from 'fflate';

/*
 * In-memory zip access over fflate with the defenses a hostile archive needs: entries are listed
 * from the central directory without inflating anything, and only named entries are inflated.
 * fflate inflates a deflated entry into a buffer of its *declared* size, so a lying header yields
 * truncated bytes, never more memory than the caller agreed to.
 */

export interface ZipEntry {
  readonly name: string;
  /** Declared uncompressed size. */
  readonly size: number;
  /** Bytes stored in the archive. */
  readonly compressedSize: number;
  /** 0 stored, 8 deflate; anything else cannot be read here. */
  readonly method: number;
}

/** The central directory's entries (directories excluded). Throws when the bytes are not a zip. */
export function listEntries(data: Uint8Array): ZipEntry[] {
  const entries: ZipEntry[] = [];
  unzipSync(data, {
    filter: (f) => {
      if (!f.name.endsWith('/')) entries.push({ name: f.name, size: f.originalSize, compressedSize: f.size, method: f.compression });
      return false;
    },
  });
  return entries;
}

export const readable = (e: ZipEntry): boolean => e.method === 0 || e.method === 8;

/** What inflating the entry may cost: its declared size, or its stored bytes when those are more. */
export const cost = (e: ZipEntry): number => Math.max(e.size, e.compressedSize);

/** The named entries' bytes (the last of duplicate names). Callers check sizes and methods first. */
export function extract(data: Uint8Array, names: ReadonlySet<string>): Map<string, Uint8Array> {
  if (names.size === 0) return new Map();
  const files = unzipSync(data, { filter: (f) => names.has(f.name) });
  return new Map(Object.entries(files));
}
