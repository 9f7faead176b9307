import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DirBlobStore, TarBlobStore } from './blob-stores.js';
import { ImageError } from './errors.js';
import { MAX_JSON_BYTES, parseJson, selectImage, sourceFromCandidate, type SelectOptions } from './oci.js';
import type { LayeredSource } from './layered.js';
import type { TarIndex } from './tar-index.js';

/** `oci-dir:D` — an OCI image layout directory (oci-layout, index.json, blobs/). */
export async function openOciDir(reference: string, root: string, options: SelectOptions): Promise<LayeredSource> {
  const layout = await stat(join(root, 'oci-layout')).catch(() => undefined);
  if (layout?.isFile() !== true) throw new ImageError('BAD_MANIFEST', `${root} is not an OCI image layout (no oci-layout file)`);
  const indexFile = join(root, 'index.json');
  const bytes = await readFile(indexFile).catch((error: unknown) => {
    throw new ImageError('BAD_MANIFEST', `${indexFile} cannot be read`, { cause: error });
  });
  const store = new DirBlobStore(root);
  const chosen = await selectImage(store, parseJson(bytes, indexFile), undefined, options);
  return sourceFromCandidate(store, reference, chosen);
}

/** `oci-archive:F` — a tar of an OCI image layout, read in place (nothing extracted). */
export async function openOciArchive(reference: string, tar: TarIndex, options: SelectOptions, onClose: () => Promise<void>): Promise<LayeredSource> {
  const entry = tar.get('index.json');
  if (entry === undefined) throw new ImageError('BAD_MANIFEST', `${tar.file} holds no index.json`);
  const store = new TarBlobStore(tar, onClose);
  try {
    const index = parseJson(await tar.read(entry, MAX_JSON_BYTES), `${tar.file}:index.json`);
    return sourceFromCandidate(store, reference, await selectImage(store, index, undefined, options));
  } catch (error) {
    await store.close();
    throw error;
  }
}
