import type { Readable } from 'node:stream';
import type { ImageInfo } from '../inventory/index.js';
import { decodeLayer } from './compression.js';
import { ImageError } from './errors.js';
import type { LayeredImageSource } from './source.js';

/** A layered image whose stored layer bytes come from `openRaw`; verification and decoding are shared. */
export class LayeredSource implements LayeredImageSource {
  readonly kind = 'layers';
  private closed = false;

  constructor(
    readonly info: ImageInfo,
    private readonly openRaw: (index: number) => Promise<Readable>,
    private readonly onClose: () => Promise<void>,
  ) {}

  async openLayer(index: number): Promise<Readable> {
    const layer = this.info.layers[index];
    if (layer === undefined) throw new ImageError('NOT_FOUND', `${this.info.reference} has no layer ${index} (it has ${this.info.layers.length})`);
    if (this.closed) throw new ImageError('NOT_FOUND', `${this.info.reference} is closed`);
    const raw = await this.openRaw(index);
    return decodeLayer(raw, { label: `layer ${layer.diffId}`, digest: layer.digest, diffId: layer.diffId });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.onClose();
  }
}
