import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ADVISORY_SCHEMA_VERSION, type Advisory } from '../../advisories/index.js';
import { writeBoltFile } from '../../bolt/index.js';
import type { Store } from '../../store/index.js';
import { writeDbArchive } from './archive.js';
import { TrivyDbError } from './errors.js';
import { DEFAULT_UPDATE_INTERVAL_MS, exportTime, metadataJson, trivyMetadata, type TrivyMetadata } from './metadata.js';
import {
  blobPath, linkOrCopy, ociArtifact, readBaseManifestDigest, sameBytes, sha256OfFile, writeOrReuse, type OciArtifact,
} from './oci.js';
import { buildTrivyTreeAsync, type TrivyTree, type TrivyTreeOptions, type TrivyTreeSummary } from './tree.js';

/*
 * `exportTrivyDb(store, { out })` writes, under `out` (which must be absent or empty):
 *   db/trivy.db, db/metadata.json   what trivy reads from <cache>/db with --skip-db-update
 *   db.tar.gz                       the two files, as trivy-db publishes them
 *   oci/                            an OCI image layout of the artifact tagged "2" (oci.ts)
 * Times come from `now`, else SOURCE_DATE_EPOCH, else the store's last merge: never the wall clock,
 * so the same store exports to the same bytes. A delta (`delta.base`: an earlier export directory)
 * links every file whose bytes equal the base's file at the same path (blobs are content-addressed,
 * so an equal blob is the same path) instead of keeping a second copy, and names the base's manifest
 * digest in metadata.json (BaseManifestDigest) and in the manifest (org.opencontainers.image.base.digest).
 */

export interface ExportTrivyDbOptions extends TrivyTreeOptions {
  readonly out: string;
  readonly now?: Date;
  /** Where SOURCE_DATE_EPOCH is read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** NextUpdate = UpdatedAt + this (default 24 h, as trivy-db's release builds). */
  readonly updateIntervalMs?: number;
  readonly delta?: { readonly base: string };
  /** Advisories read from the store per page (default 500). */
  readonly pageSize?: number;
}

export interface ExportedFile {
  readonly sha256: string;
  readonly size: number;
}

export interface TrivyDbExportSummary {
  readonly updatedAt: string;
  readonly nextUpdate: string;
  readonly tree: TrivyTreeSummary;
  readonly db: { readonly bytes: number; readonly pages: number };
  /** Every file written, by path relative to `out` (sorted). */
  readonly files: Readonly<Record<string, ExportedFile>>;
  readonly manifestDigest: string;
  readonly layerDigest: string;
  readonly configDigest: string;
  readonly delta?: { readonly base: string; readonly baseManifestDigest: string; readonly reused: readonly string[] };
}

async function* storeAdvisories(store: Store, pageSize: number): AsyncGenerator<Advisory> {
  for (let after: string | null = null; ;) {
    const page = await store.listAdvisories(after, pageSize);
    if (page.length === 0) return;
    for (const row of page) {
      let advisory: Advisory;
      try {
        advisory = JSON.parse(row.json) as Advisory;
      } catch (cause) {
        throw new TrivyDbError('BAD_RECORD', `stored advisory ${row.key} is not JSON`, { cause });
      }
      if (advisory.schemaVersion !== ADVISORY_SCHEMA_VERSION || !Array.isArray(advisory.affected)) {
        throw new TrivyDbError('BAD_RECORD', `stored advisory ${row.key} is not a canonical advisory (schema ${String(advisory.schemaVersion)})`);
      }
      yield advisory;
    }
    after = page[page.length - 1]?.key ?? null;
  }
}

async function prepareOut(out: string): Promise<void> {
  try {
    if ((await readdir(out)).length > 0) throw new TrivyDbError('OUT_NOT_EMPTY', `${out} is not empty: an export never mixes with old files`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new TrivyDbError('BAD_OPTION', `${out} is not a directory`, { cause: error });
    if (code !== 'ENOENT') throw error;
  }
  await mkdir(join(out, 'db'), { recursive: true });
  await mkdir(join(out, 'oci', 'blobs', 'sha256'), { recursive: true });
}

async function listFiles(root: string, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(root, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** Replaces each big file equal to the base's file at the same path by a link to it. */
async function reuseFromBase(out: string, base: string, paths: readonly string[]): Promise<string[]> {
  const reused: string[] = [];
  for (const rel of paths) {
    const mine = join(out, rel);
    const { size } = await stat(mine);
    if (await sameBytes(join(base, rel), size, await sha256OfFile(mine))) {
      await linkOrCopy(join(base, rel), mine);
      reused.push(rel);
    }
  }
  return reused;
}

/** The export's own manifest (what `--sign-key` signs): every file with its SHA-256 and size. */
export const EXPORT_MANIFEST_FILE = 'manifest.json';
export const TRIVY_EXPORT_FORMAT = 'stella-trivy-db-export';

/** Deterministic: the export clock and the files, sorted by path, keys sorted. */
export function exportManifestJson(generatedAt: string, files: Readonly<Record<string, ExportedFile>>): string {
  const list = Object.keys(files).sort().map((path) => ({ path, sha256: files[path]!.sha256, size: files[path]!.size }));
  return `${JSON.stringify({ files: list, format: TRIVY_EXPORT_FORMAT, formatVersion: 1, generatedAt }, null, 2)}\n`;
}

async function describeFiles(out: string): Promise<Record<string, ExportedFile>> {
  const files: Record<string, ExportedFile> = {};
  for (const rel of await listFiles(out)) {
    const path = join(out, rel);
    files[rel] = { sha256: (await sha256OfFile(path)).slice('sha256:'.length), size: (await stat(path)).size };
  }
  return files;
}

interface Written {
  readonly db: { readonly bytes: number; readonly pages: number };
  readonly layer: { readonly digest: string; readonly size: number };
  readonly artifact: OciArtifact;
  readonly reused: string[];
}

/** trivy.db, metadata.json, db.tar.gz and the OCI layout; a delta links what equals its base. */
async function writeExport(out: string, tree: TrivyTree, metadata: TrivyMetadata, base: string | undefined): Promise<Written> {
  const db = await writeBoltFile(tree.root, join(out, 'db', 'trivy.db'));
  await writeFile(join(out, 'db', 'metadata.json'), metadataJson(metadata));
  const layer = await writeDbArchive([
    { name: 'trivy.db', path: join(out, 'db', 'trivy.db') },
    { name: 'metadata.json', path: join(out, 'db', 'metadata.json') },
  ], join(out, 'db.tar.gz'));
  const baseDigest = metadata.BaseManifestDigest;
  const artifact = ociArtifact({ layer, created: metadata.UpdatedAt, ...(baseDigest === undefined ? {} : { baseDigest }) });
  const layoutDir = join(out, 'oci');
  const reused: string[] = [];
  for (const blob of [artifact.config, artifact.manifest]) {
    const candidate = base === undefined ? undefined : blobPath(join(base, 'oci'), blob.descriptor.digest);
    if (await writeOrReuse(blobPath(layoutDir, blob.descriptor.digest), blob.bytes, candidate)) reused.push(blobRel(blob.descriptor.digest));
  }
  await linkOrCopy(join(out, 'db.tar.gz'), blobPath(layoutDir, layer.digest));
  await writeFile(join(layoutDir, 'oci-layout'), artifact.layout);
  await writeFile(join(layoutDir, 'index.json'), artifact.index);
  if (base !== undefined) reused.push(...(await reuseFromBase(out, base, ['db/trivy.db', 'db.tar.gz', blobRel(layer.digest)])));
  return { db, layer, artifact, reused: reused.sort() };
}

function blobRel(digest: string): string {
  return `oci/blobs/sha256/${digest.slice('sha256:'.length)}`;
}

/** Exports the store's merged advisories as a Trivy DB v2 (see the comment above). */
export async function exportTrivyDb(store: Store, options: ExportTrivyDbOptions): Promise<TrivyDbExportSummary> {
  const { out, delta } = options;
  const pageSize = options.pageSize ?? 500;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new TrivyDbError('BAD_OPTION', `pageSize must be a positive whole number, got ${pageSize}`);
  const baseManifestDigest = delta === undefined ? undefined : await readBaseManifestDigest(delta.base);
  const mergedAt = await store.lastMergeAt();
  const time = exportTime({ ...(options.now === undefined ? {} : { now: options.now }), ...(options.env === undefined ? {} : { env: options.env }), lastMergeAt: mergedAt });
  const metadata = trivyMetadata(time, options.updateIntervalMs ?? DEFAULT_UPDATE_INTERVAL_MS, baseManifestDigest);
  await prepareOut(out);
  try {
    const tree = await buildTrivyTreeAsync(storeAdvisories(store, pageSize), options);
    if ((await store.lastMergeAt()) !== mergedAt) throw new TrivyDbError('STORE_CHANGED', 'the store merged during the export; export again');
    const written = await writeExport(out, tree, metadata, delta?.base);
    const files = await describeFiles(out);
    await writeFile(join(out, EXPORT_MANIFEST_FILE), exportManifestJson(metadata.UpdatedAt, files));
    return {
      updatedAt: metadata.UpdatedAt, nextUpdate: metadata.NextUpdate, tree: tree.summary, db: written.db,
      files,
      manifestDigest: written.artifact.manifest.descriptor.digest, layerDigest: written.layer.digest,
      configDigest: written.artifact.config.descriptor.digest,
      ...(delta === undefined || baseManifestDigest === undefined ? {} : { delta: { base: delta.base, baseManifestDigest, reused: written.reused } }),
    };
  } catch (error) {
    await Promise.all(['db', 'db.tar.gz', 'oci', EXPORT_MANIFEST_FILE].map((p) => rm(join(out, p), { recursive: true, force: true })));
    throw error;
  }
}
