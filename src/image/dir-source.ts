import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ImageInfo } from '../inventory/index.js';
import { ImageError } from './errors.js';
import type { DirectoryImageSource } from './source.js';

/** `dir:D` — a root filesystem. It has no layers, config or platform: those fields stay empty. */
export async function openDirectory(reference: string, root: string): Promise<DirectoryImageSource> {
  const absolute = resolve(root);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isDirectory() !== true) throw new ImageError('NOT_FOUND', `${root} is not a directory`);
  const image: ImageInfo = { reference, configDigest: '', tags: [], os: '', architecture: '', layers: [] };
  return {
    kind: 'dir',
    root: absolute,
    info: image,
    openLayer: async (index: number): Promise<Readable> => {
      throw new ImageError('NOT_FOUND', `${reference} is a directory: it has no layer ${index} (walk its root instead)`);
    },
    close: async () => {},
  };
}
