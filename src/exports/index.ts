export {
  applyJsonDelta, exportJsonSnapshot, isJsonExportError, JsonExportError, readManifest, verifyExportTree,
  type DeltaManifest, type ExportCounts, type ExportManifest, type FullManifest, type JsonExportErrorCode,
  type JsonExportOptions, type JsonExportSummary, type ManifestFile,
} from './json/index.js';
export {
  buildTrivyTree, buildTrivyTreeAsync, DB_CONFIG_MEDIA_TYPE, DB_LAYER_MEDIA_TYPE, DB_TAG, exportTrivyDb, isTrivyDbError,
  TrivyDbError, TrivyTreeBuilder, type ExportTrivyDbOptions, type TrivyDbErrorCode, type TrivyDbExportSummary,
  type TrivyTree, type TrivyTreeOptions, type TrivyTreeSummary,
} from './trivy-db/index.js';
