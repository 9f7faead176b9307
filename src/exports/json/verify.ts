import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isJsonExportError } from './errors.js';
import { loadManifest, sha256Hex, type ManifestFile } from './manifest.js';
import { MANIFEST_FILE } from './paths.js';
import { listTree } from './tree.js';

/*
 * Checks a directory against its manifest.json (a full export or a delta alike: the manifest's
 * `files` are the files the directory carries): every file present with its size and SHA-256, and
 * nothing else there — no extra file, no symlink or other special entry.
 */

async function checkFile(dir: string, file: ManifestFile): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, ...file.path.split('/')));
  } catch {
    return `${file.path}: missing`;
  }
  if (bytes.byteLength !== file.size) return `${file.path}: size ${bytes.byteLength}, manifest says ${file.size}`;
  const digest = sha256Hex(bytes);
  if (digest !== file.sha256) return `${file.path}: sha256 ${digest}, manifest says ${file.sha256}`;
  return undefined;
}

/** Problems found, one line each; [] when the tree is exactly what its manifest describes. */
export async function verifyExportTree(dir: string): Promise<string[]> {
  let files: readonly ManifestFile[];
  try {
    files = (await loadManifest(dir)).manifest.files;
  } catch (error) {
    if (isJsonExportError(error)) return [`${MANIFEST_FILE}: ${error.message}`];
    throw error;
  }
  const problems: string[] = [];
  const batch = 64;
  for (let i = 0; i < files.length; i += batch) {
    const found = await Promise.all(files.slice(i, i + batch).map((f) => checkFile(dir, f)));
    for (const problem of found) if (problem !== undefined) problems.push(problem);
  }
  const listed = new Set(files.map((f) => f.path));
  const tree = await listTree(dir);
  for (const path of tree.files) {
    if (path !== MANIFEST_FILE && !listed.has(path)) problems.push(`${path}: not in the manifest`);
  }
  for (const path of tree.others) problems.push(`${path}: not a regular file`);
  return problems;
}
