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
