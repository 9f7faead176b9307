import type { Inventory } from '../inventory/index.js';
import { cycloneDxWriter } from './cyclonedx-writer.js';
import { spdx2Writer } from './spdx2-writer.js';
import { spdx3Writer } from './spdx3-writer.js';
import { SbomWriteError } from './write-errors.js';
import { canonicalJson } from './write-ids.js';
import { buildWriteModel } from './write-model.js';
import type { SbomFormatWriter, SbomWriteFormat, WriteOptions } from './writer-format.js';

export const DEFAULT_NAMESPACE_BASE = 'https://stella-ops.org/spdxdocs';

/** The one place SBOM output formats are registered. */
const WRITERS: ReadonlyMap<SbomWriteFormat, SbomFormatWriter> = new Map(
  [cycloneDxWriter(), spdx2Writer(), spdx3Writer()].map((w) => [w.format, w]),
);

export const SBOM_WRITE_FORMATS: readonly SbomWriteFormat[] = [...WRITERS.keys()];

export function isSbomWriteFormat(value: string): value is SbomWriteFormat {
  return WRITERS.has(value as SbomWriteFormat);
}

function namespaceBase(base: string | undefined): string {
  const value = base ?? DEFAULT_NAMESPACE_BASE;
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new SbomWriteError('invalid-namespace-base', `document namespace base is not an absolute URI: ${value}`, { cause });
  }
  if (url.hash !== '' || url.search !== '' || value.includes('#')) {
    throw new SbomWriteError('invalid-namespace-base', `document namespace base has a query or fragment: ${value}`);
  }
  return value;
}

/**
 * Serializes an inventory as an SBOM: sorted keys and lists, a trailing newline, and the same bytes
 * for the same inventory (in any package order), clock and tool version.
 */
export function writeSbom(inventory: Inventory, format: SbomWriteFormat, options: WriteOptions): string {
  const writer = WRITERS.get(format);
  if (writer === undefined) throw new SbomWriteError('unknown-format', `unknown SBOM format "${String(format)}"; known: ${SBOM_WRITE_FORMATS.join(', ')}`);
  const base = namespaceBase(options.documentNamespaceBase);
  const model = buildWriteModel(inventory, options.created, options.toolVersion);
  return canonicalJson(writer.render(model, { namespaceBase: base }));
}
