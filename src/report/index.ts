export { writeReport } from './write.js';
export { REPORT_FORMATS, isReportFormat, type ReportFormat, type ReportInput, type SuppressedFinding } from './model.js';
export { REPORT_JSON_SCHEMA_VERSION } from './json.js';
export { ReportError, type ReportErrorCode } from './errors.js';
export { FilterError, exitCodeFor, filterFindings, parseIgnoreFile, parseOpenVex, parseSeverities, type FilterErrorCode, type FilterOptions, type FilterResult, type IgnoreEntry, type Suppression, type VexStatement, type VexStatus } from './filters.js';
