import type { Advisory } from '../advisories/index.js';
import { ALL_ANALYZERS, type Analyzer } from '../catalog/index.js';
import type { Inventory } from '../inventory/index.js';
import { indexAdvisories, matchPackages, type Finding } from '../match/index.js';
import { readSbom, SBOM_INPUT_FORMATS, isSbomInputFormat, type SbomInputFormat } from '../sbom/index.js';
import type { FragmentLookup, Store } from '../store/index.js';
import { advisoriesFromSnapshot, advisoriesFromStore } from './advisories.js';
import { ScanError } from './errors.js';
import { analyzerFingerprint, type LayerFragment } from './fragment.js';
import { parseLayerFragment } from './fragment-validate.js';
import { scanImage, type FragmentCache, type ScanOptions } from './scan.js';

/*
 * The one scan service (issue 8): what to scan → Inventory → candidate advisories → findings.
 * `stella scan`, the server's `scan` job and anything else that scans go through here, so a scan
 * gives the same findings wherever it runs. Filtering and report writing stay with the caller
 * (report/), as they depend on how the result is asked for, not on the scan.
 */

/** SBOM type names for X-Stella-Sbom-Type: a family, or an exact input format. */
export const SBOM_FAMILIES = ['cyclonedx', 'spdx', 'syft', 'trivy'] as const;
export type SbomFamily = (typeof SBOM_FAMILIES)[number];
export type SbomType = SbomFamily | SbomInputFormat;

export function isSbomType(value: string): value is SbomType {
  return (SBOM_FAMILIES as readonly string[]).includes(value) || isSbomInputFormat(value);
}

const FAMILY_FORMATS: Readonly<Record<SbomFamily, readonly SbomInputFormat[]>> = {
  cyclonedx: SBOM_INPUT_FORMATS.filter((f) => f.startsWith('cyclonedx-')),
  spdx: SBOM_INPUT_FORMATS.filter((f) => f.startsWith('spdx')),
  syft: ['syft-json'],
  trivy: ['trivy-json'],
};

export type ScanInput =
  /** A local image as `openImage` takes it: docker-archive:F, oci-archive:F, oci-dir:D, dir:D, registry:R or a bare path. */
  | { readonly kind: 'image'; readonly path: string; readonly reference?: string }
  /** A registry image reference ("registry:" optional). */
  | { readonly kind: 'image'; readonly ref: string; readonly reference?: string }
  /** An SBOM document; `type` names its family or format, else it is detected. */
  | { readonly kind: 'sbom'; readonly bytes: Buffer | string; readonly type?: SbomType; readonly name?: string };

export interface InventoryOptions extends Omit<ScanOptions, 'stellaHome'> {
  /** Where the file layer cache lives (when no `fragments` cache is given) and snapshots are staged. */
  readonly stellaHome: string;
  /** SBOM size limit (bytes). */
  readonly maxSbomBytes?: number;
}

export interface AdvisoryOptions {
  /** Advisories from this store (what `stella db fetch` + `merge` built)… */
  readonly store?: Store;
  /** …or from an offline snapshot folder laid out by source (osv/, ghsa/, nvd/…). */
  readonly advisoriesDir?: string;
  readonly stellaHome: string;
  /** The clock stamped on snapshot documents (deterministic provenance). */
  readonly now: () => Date;
}

export type ScanTargetOptions = InventoryOptions & AdvisoryOptions;

export interface ScanOutcome {
  readonly inventory: Inventory;
  /** Every finding, unfiltered, in the matcher's order. */
  readonly findings: Finding[];
  /** How many candidate advisories the matcher saw. */
  readonly advisoryCount: number;
}

/** The inventory of an image or an SBOM (no advisories involved). */
export async function scanInventory(input: ScanInput, options: InventoryOptions): Promise<Inventory> {
  if (input.kind === 'sbom') {
    const accept = input.type === undefined || isSbomInputFormat(input.type) ? undefined : FAMILY_FORMATS[input.type];
    return readSbom(input.bytes, {
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.type !== undefined && isSbomInputFormat(input.type) ? { format: input.type } : {}),
      ...(accept === undefined ? {} : { accept }),
      ...(options.maxSbomBytes === undefined ? {} : { maxBytes: options.maxSbomBytes }),
    });
  }
  const target = 'ref' in input ? registryTarget(input.ref) : input.path;
  if (target === '') throw new ScanError('BAD_TARGET', 'no image path or reference given');
  const inventory = await scanImage(target, {
    stellaHome: options.stellaHome,
    ...(options.fragments === undefined ? {} : { fragments: options.fragments }),
    ...(options.cache === undefined ? {} : { cache: options.cache }),
    ...(options.platform === undefined ? {} : { platform: options.platform }),
    ...(options.offline === undefined ? {} : { offline: options.offline }),
    ...(options.workDir === undefined ? {} : { workDir: options.workDir }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.analyzers === undefined ? {} : { analyzers: options.analyzers }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  if (input.reference === undefined || inventory.image === undefined) return inventory;
  return { ...inventory, image: { ...inventory.image, reference: input.reference } };
}

function registryTarget(ref: string): string {
  const bare = ref.replace(/^(registry|docker):/, '');
  return bare === '' ? '' : `registry:${bare}`;
}

/** Candidate advisories for the inventory's packages, from the store or an offline snapshot. */
export async function advisoriesFor(inventory: Inventory, options: AdvisoryOptions): Promise<Advisory[]> {
  if (options.advisoriesDir !== undefined) {
    return advisoriesFromSnapshot(options.advisoriesDir, { now: options.now, stellaHome: options.stellaHome });
  }
  if (options.store !== undefined) return advisoriesFromStore(options.store, inventory);
  throw new ScanError('ADVISORIES', 'no advisory source: give a store or an advisory snapshot folder');
}

/** Matches the inventory against the advisories: every finding (unfiltered). */
export async function matchInventory(inventory: Inventory, options: AdvisoryOptions): Promise<{ findings: Finding[]; advisoryCount: number }> {
  const advisories = await advisoriesFor(inventory, options);
  return { findings: matchPackages(inventory, indexAdvisories(advisories)), advisoryCount: advisories.length };
}

/** Target → inventory → advisories → findings. */
export async function scanTarget(input: ScanInput, options: ScanTargetOptions): Promise<ScanOutcome> {
  const inventory = await scanInventory(input, options);
  const { findings, advisoryCount } = await matchInventory(inventory, options);
  return { inventory, findings, advisoryCount };
}

/** The analyzer fingerprint fragments must carry to be used by this scanner. */
export function currentAnalyzerFingerprint(analyzers: readonly Analyzer[] = ALL_ANALYZERS): string {
  return analyzerFingerprint(analyzers);
}

/**
 * Layer fragments kept in the store (`layer_fragments`), shared by every server and worker: a
 * fragment another node computed, or a CI builder uploaded, saves reading that layer. A stored
 * fragment that no longer validates is a miss (and is replaced by the next scan of that layer).
 */
export function storeFragmentCache(store: Store, lookup: FragmentLookup = {}): FragmentCache {
  return {
    async get(diffId: string, analyzers: string): Promise<LayerFragment | undefined> {
      const row = await store.scans.getFragment(diffId, analyzers, lookup);
      if (row === undefined) return undefined;
      try {
        return parseLayerFragment(JSON.parse(row.json), { layer: diffId, analyzers });
      } catch {
        return undefined;
      }
    },
    async put(fragment: LayerFragment): Promise<void> {
      await store.scans.putFragment({ digest: fragment.layer, analyzers: fragment.analyzers, json: JSON.stringify(fragment), origin: 'scan' });
    },
  };
}
