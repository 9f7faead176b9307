export { openStore, type OpenStoreOptions, type Store } from './db.js';
export { StoreError, isStoreError, type StoreErrorCode } from './errors.js';
export type { Dialect } from './migrations.js';
export type { Database } from './schema.js';
export type {
  ParseErrorInput,
  ParseErrorRecord,
  PutRawDocumentResult,
  RawDocument,
  RawDocumentInfo,
  RawDocumentInput,
} from './raw-documents.js';
export type { JsonValue, SourceState, SourceStateInput } from './source-state.js';
export type {
  AdvisoryInput, AdvisoryPackageRef, AdvisoryWrite, MergeEvent, PutAdvisoryResult, StoredAdvisory,
} from './advisories.js';
export { sha256Hex } from './raw-documents.js';
export type {
  AliasRow, DocumentStatus, MappedRecord, MappedRecordInput, ParsedDocumentInput, ParsedRecordInput, RecordStatus, SourceCounts, SourceRecord,
} from './records.js';
export type { AccessLogEntry, AccessLogInput, AuthorityStore, TokenRecord } from './authority.js';
export { JOB_STATUSES, type CompletionEffect, type Job, type JobFilter, type JobInput, type JobLease, type JobStatus, type JobStore } from './jobs.js';
export {
  DEFAULT_CHUNK_SIZE, SCAN_STATUSES, type BlobInfo, type FragmentLookup, type FragmentOrigin, type FragmentPut, type ScanCreate, type ScanInputKind, type ScanPage,
  type ScanRecord, type ScanResults, type ScanStatus, type ScanStore, type StoredScanResults, type WriteBlobOptions,
} from './scans.js';
