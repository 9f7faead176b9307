import type { WriteModel } from './write-model.js';

export type SbomWriteFormat = 'cyclonedx' | 'spdx-json' | 'spdx3-json';

export interface WriteOptions {
  /** The injected clock: the CLI passes SOURCE_DATE_EPOCH, else now. */
  readonly created: Date;
  readonly toolVersion: string;
  /** Absolute URI under which SPDX document namespaces and element ids are minted. */
  readonly documentNamespaceBase?: string;
}

/** One SBOM format: renders the neutral model as a JSON-serializable document (keys are sorted later). */
export interface SbomFormatWriter {
  readonly format: SbomWriteFormat;
  render(model: WriteModel, options: { readonly namespaceBase: string }): unknown;
}
