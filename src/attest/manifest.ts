import { AttestError } from './errors.js';
import type { Subject } from './statement.js';

/** The files an export directory holds besides its payload: the manifest and what signs it. */
export const EXPORT_MANIFEST = 'manifest.json';
export const EXPORT_SIGNATURE = 'manifest.json.sig';
export const EXPORT_STATEMENT = 'statement.dsse.json';
export const CONTROL_FILES: ReadonlySet<string> = new Set([EXPORT_MANIFEST, EXPORT_SIGNATURE, EXPORT_STATEMENT]);

export interface ManifestEntry extends Subject {
  size?: number;
}

/**
 * The file list of an export manifest. Accepts `files` as a map `{path: {sha256, size}}` (JSON
 * export) or a list `[{path, sha256, size}]` (offline kit). Paths are relative with "/" and no
 * "." or ".." segment; they must not name the control files.
 */
export function manifestEntries(manifest: unknown): ManifestEntry[] {
  const files = (manifest as { files?: unknown } | null)?.files;
  let raw: Array<[string, unknown]>;
  if (Array.isArray(files)) raw = files.map((item) => [String((item as { path?: unknown } | null)?.path), item]);
  else if (typeof files === 'object' && files !== null) raw = Object.entries(files);
  else throw new AttestError('BAD_MANIFEST', 'the manifest has no "files" map or list');
  const entries = raw.map(([path, item]) => entry(path, item));
  const names = new Set(entries.map((e) => e.name));
  if (names.size !== entries.length) throw new AttestError('BAD_MANIFEST', 'the manifest lists a path twice');
  return entries;
}

function entry(path: string, item: unknown): ManifestEntry {
  if (!isSafeRelativePath(path)) throw new AttestError('BAD_MANIFEST', `unsafe or invalid path in the manifest: ${JSON.stringify(path)}`);
  if (CONTROL_FILES.has(path)) throw new AttestError('BAD_MANIFEST', `the manifest must not list ${path}`);
  const { sha256, size } = (item ?? {}) as { sha256?: unknown; size?: unknown };
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw new AttestError('BAD_MANIFEST', `${path}: sha256 is not 64 lower-case hex digits`);
  if (size !== undefined && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) {
    throw new AttestError('BAD_MANIFEST', `${path}: size is not a non-negative integer`);
  }
  return size === undefined ? { name: path, sha256 } : { name: path, sha256, size };
}

export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
