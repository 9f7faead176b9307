export { applyJsonDelta } from './delta.js';
export { JsonExportError, isJsonExportError, type JsonExportErrorCode } from './errors.js';
export { exportJsonSnapshot, exportTime, type JsonExportOptions, type JsonExportSummary } from './export.js';
export {
  EXPORT_FORMAT, EXPORT_FORMAT_VERSION, MEDIA_TYPE_JSON, readManifest, serializeManifest,
  type DeltaManifest, type ExportCounts, type ExportManifest, type FullManifest, type ManifestFile,
} from './manifest.js';
export { advisoryPath, INDEX_FILE, isSafeExportPath, MANIFEST_FILE, recordPath } from './paths.js';
export { verifyExportTree } from './verify.js';
