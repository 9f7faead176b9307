import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../../advisories/index.js';
import { JsonExportError } from './errors.js';
import { isSafeExportPath, MANIFEST_FILE } from './paths.js';

/*
 * manifest.json: the last file an export writes, describing every other file in its directory.
 * A full export lists every file of the tree; a delta lists the files it carries (changed or new),
 * the paths removed since its base, the base manifest's digest and the digest of the full manifest
 * that base + delta give. Both are canonical JSON (sorted keys, files sorted by path), so the full
 * manifest is a pure function of (files, generatedAt, counts) and a delta can rebuild it exactly.
 */

export const EXPORT_FORMAT = 'stella-json-export';
export const EXPORT_FORMAT_VERSION = 1;
export const MEDIA_TYPE_JSON = 'application/json';

export interface ManifestFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: string;
}

export interface ExportCounts {
  readonly advisories: number;
  readonly withdrawn: number;
  readonly records: number;
  /** Source records per source, sorted by source. */
  readonly sources: readonly { readonly source: string; readonly records: number }[];
}

interface ManifestCommon {
  readonly format: typeof EXPORT_FORMAT;
  readonly formatVersion: typeof EXPORT_FORMAT_VERSION;
  /** The export clock: SOURCE_DATE_EPOCH, else the store's last merge (ISO-8601 UTC). */
  readonly generatedAt: string;
  /** Counts of the full export (also in a delta). */
  readonly counts: ExportCounts;
  /** The files in this directory other than manifest.json, sorted by path. */
  readonly files: readonly ManifestFile[];
}

export interface FullManifest extends ManifestCommon {
  readonly kind: 'full';
}

export interface DeltaManifest extends ManifestCommon {
  readonly kind: 'delta';
  readonly base: { readonly manifestSha256: string; readonly generatedAt: string };
  /** SHA-256 of the full manifest.json that applying this delta to its base produces. */
  readonly full: { readonly manifestSha256: string };
  /** Paths of the base that the full export no longer has, sorted. */
  readonly removed: readonly string[];
}

export type ExportManifest = FullManifest | DeltaManifest;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function serializeManifest(manifest: ExportManifest): Buffer {
  return Buffer.from(canonicalJson(manifest), 'utf8');
}

export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The full manifest with these contents; `files` in any order. */
export function fullManifest(generatedAt: string, counts: ExportCounts, files: readonly ManifestFile[]): FullManifest {
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  return { format: EXPORT_FORMAT, formatVersion: EXPORT_FORMAT_VERSION, kind: 'full', generatedAt, counts, files: sorted };
}

function bad(dir: string, what: string): JsonExportError {
  return new JsonExportError('BAD_MANIFEST', `${join(dir, MANIFEST_FILE)}: ${what}`);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSha = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Paths must be safe, strictly ascending, and distinct even when letter case is ignored. */
function checkPaths(dir: string, paths: readonly unknown[], what: string): void {
  const folded = new Set<string>();
  let last: string | undefined;
  for (const path of paths) {
    if (typeof path !== 'string' || !isSafeExportPath(path)) throw bad(dir, `${what}: unsafe path ${JSON.stringify(path)}`);
    if (last !== undefined && comparePaths(last, path) >= 0) throw bad(dir, `${what}: paths not sorted or repeated at ${JSON.stringify(path)}`);
    const fold = path.toLowerCase();
    if (folded.has(fold)) throw bad(dir, `${what}: ${JSON.stringify(path)} differs from another path only in case`);
    folded.add(fold);
    last = path;
  }
}

function checkFiles(dir: string, files: unknown): void {
  if (!Array.isArray(files)) throw bad(dir, 'files is not a list');
  for (const f of files) {
    if (!isObj(f) || !isSha(f.sha256) || !isCount(f.size) || typeof f.mediaType !== 'string') {
      throw bad(dir, `malformed file entry ${JSON.stringify(f)}`);
    }
  }
  checkPaths(dir, files.map((f: Obj) => f.path), 'files');
}

function checkCounts(dir: string, counts: unknown): void {
  const ok = isObj(counts) && isCount(counts.advisories) && isCount(counts.withdrawn) && isCount(counts.records) &&
    Array.isArray(counts.sources) && counts.sources.every((s) => isObj(s) && typeof s.source === 'string' && isCount(s.records));
  if (!ok) throw bad(dir, 'malformed counts');
}

/** Validates a parsed manifest.json (untrusted: it may come from an offline kit). */
export function checkManifest(dir: string, value: unknown): ExportManifest {
  if (!isObj(value)) throw bad(dir, 'not a JSON object');
  if (value.format !== EXPORT_FORMAT) throw bad(dir, `format ${JSON.stringify(value.format)}, expected ${EXPORT_FORMAT}`);
  if (value.formatVersion !== EXPORT_FORMAT_VERSION) throw bad(dir, `unsupported formatVersion ${JSON.stringify(value.formatVersion)}`);
  if (typeof value.generatedAt !== 'string' || Number.isNaN(Date.parse(value.generatedAt))) throw bad(dir, 'malformed generatedAt');
  checkCounts(dir, value.counts);
  checkFiles(dir, value.files);
  if (value.kind === 'full') return value as unknown as FullManifest;
  if (value.kind !== 'delta') throw bad(dir, `kind ${JSON.stringify(value.kind)}, expected full or delta`);
  const { base, full, removed } = value;
  if (!isObj(base) || !isSha(base.manifestSha256) || typeof base.generatedAt !== 'string') throw bad(dir, 'malformed base');
  if (!isObj(full) || !isSha(full.manifestSha256)) throw bad(dir, 'malformed full');
  if (!Array.isArray(removed)) throw bad(dir, 'removed is not a list');
  checkPaths(dir, removed, 'removed');
  const carried = new Set((value.files as ManifestFile[]).map((f) => f.path.toLowerCase()));
  const both = (removed as string[]).find((p) => carried.has(p.toLowerCase()));
  if (both !== undefined) throw bad(dir, `${JSON.stringify(both)} is both removed and carried`);
  return value as unknown as DeltaManifest;
}

export interface LoadedManifest {
  readonly manifest: ExportManifest;
  /** SHA-256 of manifest.json's bytes as found on disk. */
  readonly sha256: string;
}

export async function loadManifest(dir: string): Promise<LoadedManifest> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, MANIFEST_FILE));
  } catch (error) {
    throw new JsonExportError('BAD_MANIFEST', `${join(dir, MANIFEST_FILE)}: cannot read (${(error as Error).message})`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new JsonExportError('BAD_MANIFEST', `${join(dir, MANIFEST_FILE)}: not JSON`, { cause: error });
  }
  return { manifest: checkManifest(dir, value), sha256: sha256Hex(bytes) };
}

/** manifest.json of an export (full or delta), validated. */
export async function readManifest(dir: string): Promise<ExportManifest> {
  return (await loadManifest(dir)).manifest;
}
