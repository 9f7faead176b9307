import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonExportError } from './errors.js';
import {
  fullManifest, loadManifest, serializeManifest, sha256Hex,
  type DeltaManifest, type FullManifest, type ManifestFile,
} from './manifest.js';
import { checkDistinct, prepareOutDir, TreeWriter } from './tree.js';

/*
 * base (full export) + delta → the full export the delta was made from, byte for byte, manifest
 * included. Every file copied is checked against the manifest that describes it, and the rebuilt
 * manifest against the digest the delta promises; manifest.json is written last.
 */

async function readChecked(dir: string, file: ManifestFile): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, ...file.path.split('/')));
  } catch (error) {
    throw new JsonExportError('DIGEST_MISMATCH', `${dir}: ${file.path} is missing (${(error as Error).message})`, { cause: error });
  }
  if (bytes.byteLength !== file.size || sha256Hex(bytes) !== file.sha256) {
    throw new JsonExportError('DIGEST_MISMATCH', `${dir}: ${file.path} does not match its manifest (size ${bytes.byteLength}, expected ${file.size})`);
  }
  return bytes;
}

async function loadPair(baseDir: string, deltaDir: string): Promise<{ base: FullManifest; delta: DeltaManifest }> {
  const base = await loadManifest(baseDir);
  const delta = await loadManifest(deltaDir);
  if (base.manifest.kind !== 'full') throw new JsonExportError('WRONG_KIND', `${baseDir} is not a full export`);
  if (delta.manifest.kind !== 'delta') throw new JsonExportError('WRONG_KIND', `${deltaDir} is not a delta export`);
  if (delta.manifest.base.manifestSha256 !== base.sha256) {
    throw new JsonExportError(
      'BASE_MISMATCH',
      `${deltaDir} was made against the export whose manifest has SHA-256 ${delta.manifest.base.manifestSha256} ` +
        `(generated ${delta.manifest.base.generatedAt}); ${baseDir}'s manifest has ${base.sha256}`,
    );
  }
  return { base: base.manifest, delta: delta.manifest };
}

/** Applies `deltaDir` to the full export `baseDir`, writing the full result into `outDir` (new or empty). */
export async function applyJsonDelta(baseDir: string, deltaDir: string, outDir: string): Promise<void> {
  checkDistinct(outDir, [baseDir, deltaDir]);
  const { base, delta } = await loadPair(baseDir, deltaDir);
  const replaced = new Set([...delta.removed, ...delta.files.map((f) => f.path)]);
  const kept = base.files.filter((f) => !replaced.has(f.path));
  const basePaths = new Set(base.files.map((f) => f.path));
  const missing = delta.removed.filter((p) => !basePaths.has(p));
  if (missing.length > 0) {
    throw new JsonExportError('BASE_MISMATCH', `${deltaDir} removes ${missing[0]}, which ${baseDir} does not have`);
  }
  const full = fullManifest(delta.generatedAt, delta.counts, [...kept, ...delta.files]);
  const bytes = serializeManifest(full);
  if (sha256Hex(bytes) !== delta.full.manifestSha256) {
    throw new JsonExportError('DIGEST_MISMATCH', `base + delta give a manifest with SHA-256 ${sha256Hex(bytes)}, the delta promises ${delta.full.manifestSha256}`);
  }
  await prepareOutDir(outDir);
  const tree = new TreeWriter(outDir);
  const copy = async (dir: string, files: readonly ManifestFile[]): Promise<void> => {
    const batch = 64;
    for (let i = 0; i < files.length; i += batch) {
      await Promise.all(files.slice(i, i + batch).map(async (file) => {
        tree.claim(file.path, dir);
        await tree.write(file.path, await readChecked(dir, file));
      }));
    }
  };
  await copy(baseDir, kept);
  await copy(deltaDir, delta.files);
  await tree.writeManifest(bytes);
}
