export { isTrivyDbError, TrivyDbError, type TrivyDbErrorCode } from './errors.js';
export {
  exportTrivyDb, type ExportedFile, type ExportTrivyDbOptions, type TrivyDbExportSummary,
} from './export.js';
export {
  buildTrivyTree, buildTrivyTreeAsync, TrivyTreeBuilder, type TrivyTree, type TrivyTreeOptions, type TrivyTreeSummary,
} from './tree.js';
export { DEFAULT_UPDATE_INTERVAL_MS, exportTime, SCHEMA_VERSION, trivyMetadata, type TrivyMetadata } from './metadata.js';
export {
  DB_CONFIG_MEDIA_TYPE, DB_LAYER_MEDIA_TYPE, DB_TAG, LAYER_TITLE, OCI_INDEX_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE,
} from './oci.js';
export { LANG_SPECS, OS_SPECS, type DataSource, type LangSpec, type OsSpec } from './names.js';
