export { scanImage, type ScanOptions, type ScanProgress } from './scan.js';
export { LayerCache, defaultStellaHome } from './cache.js';
export { buildFragment, analyzerFingerprint, type LayerFragment } from './fragment.js';
export { mergeFragments, type Merged } from './merge.js';
export { advisoriesFromSnapshot, advisoriesFromStore } from './advisories.js';
export type { FragmentCache } from './scan.js';
export { ScanError, isScanError, type ScanErrorCode } from './errors.js';
export { parseLayerFragment, LAYER_DIGEST, MAX_FRAGMENT_FILES } from './fragment-validate.js';
export { FRAGMENT_SCHEMA } from './fragment.js';
export {
  SBOM_FAMILIES, advisoriesFor, currentAnalyzerFingerprint, isSbomType, matchInventory, scanInventory, scanTarget, storeFragmentCache,
  type AdvisoryOptions, type InventoryOptions, type SbomFamily, type SbomType, type ScanInput, type ScanOutcome, type ScanTargetOptions,
} from './service.js';
export { SCAN_JOB_KIND, scanJobHandler, scanJobInput, summarize, type ScanJobAttempt, type ScanJobInput, type ScanJobOptions, type ScanJobResult, type ScanSummary } from './job.js';
