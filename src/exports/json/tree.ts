import { lstat, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { JsonExportError } from './errors.js';
import { MEDIA_TYPE_JSON, sha256Hex, type ManifestFile } from './manifest.js';
import { MANIFEST_FILE } from './paths.js';

/*
 * File-system side of the export: an output directory that starts empty, files created exclusively
 * (a second write to a path — or to a case variant of it on a case-insensitive file system — is
 * an error, never an overwrite), and manifest.json renamed into place last.
 */

const MANIFEST_TEMP = '.manifest.json.partial';

/** Creates `dir` if needed; refuses a directory that already holds anything. */
export async function prepareOutDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries = await readdir(dir);
  if (entries.length > 0) {
    throw new JsonExportError('OUT_NOT_EMPTY', `${dir} is not empty (${entries.length} entries): export into a new or empty directory`);
  }
}

/** Refuses `out` when it is one of the input directories. */
export function checkDistinct(out: string, inputs: readonly string[]): void {
  for (const input of inputs) {
    if (resolve(out) === resolve(input)) throw new JsonExportError('BAD_OPTION', `the output directory ${out} is also an input`);
  }
}

export class TreeWriter {
  private readonly dirs = new Set<string>();
  private readonly folded = new Set<string>();

  constructor(readonly root: string) {}

  /** Claims `path` for this tree; a path repeated, even in another letter case, is a collision. */
  claim(path: string, what: string): void {
    const fold = path.toLowerCase();
    if (this.folded.has(fold)) throw new JsonExportError('PATH_COLLISION', `${what}: ${path} is already taken`);
    this.folded.add(fold);
  }

  async write(path: string, bytes: Uint8Array): Promise<void> {
    const target = join(this.root, ...path.split('/'));
    const parent = dirname(target);
    if (!this.dirs.has(parent)) {
      await mkdir(parent, { recursive: true });
      this.dirs.add(parent);
    }
    try {
      await writeFile(target, bytes, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new JsonExportError('PATH_COLLISION', `${path} already exists in ${this.root}`, { cause: error });
      }
      throw error;
    }
  }

  /** manifest.json, written to a temporary name and renamed: present only when complete. */
  async writeManifest(bytes: Uint8Array): Promise<void> {
    const temp = join(this.root, MANIFEST_TEMP);
    await writeFile(temp, bytes);
    await rename(temp, join(this.root, MANIFEST_FILE));
  }
}

export function describeFile(path: string, bytes: Uint8Array): ManifestFile {
  return { path, sha256: sha256Hex(bytes), size: bytes.byteLength, mediaType: MEDIA_TYPE_JSON };
}

export interface TreeListing {
  /** Regular files, relative, '/'-separated, sorted. */
  readonly files: string[];
  /** Entries that are neither regular files nor directories (symlinks, devices…). */
  readonly others: string[];
}

/** Every entry under `root` (symlinks are reported, never followed). */
export async function listTree(root: string): Promise<TreeListing> {
  const files: string[] = [];
  const others: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(rel === '' ? root : join(root, rel), { withFileTypes: true });
    for (const entry of entries) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push(path);
      else others.push(path);
    }
  };
  await walk('');
  files.sort();
  others.sort();
  return { files, others };
}

/** True when `path` exists and is a regular file (not a symlink). */
export async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
}
