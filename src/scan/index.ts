export { scanImage, type ScanOptions, type ScanProgress } from './scan.js';
export { LayerCache, defaultStellaHome } from './cache.js';
export { buildFragment, analyzerFingerprint, type LayerFragment } from './fragment.js';
export { mergeFragments, type Merged } from './merge.js';
export { advisoriesFromSnapshot, advisoriesFromStore } from './advisories.js';
