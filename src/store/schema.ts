import type { ColumnType, Generated } from 'kysely';

/**
 * The one schema both dialects share. Timestamps are ISO-8601 text in UTC (`Date#toISOString()`)
 * on SQLite and PostgreSQL alike, so rows compare and sort the same way on both.
 */
export interface Database {
  raw_documents: RawDocumentsTable;
  source_state: SourceStateTable;
  advisories: AdvisoriesTable;
  advisory_aliases: AdvisoryAliasesTable;
  merge_events: MergeEventsTable;
  parse_errors: ParseErrorsTable;
  source_records: SourceRecordsTable;
  advisory_packages: AdvisoryPackagesTable;
  authority_secrets: AuthoritySecretsTable;
  authority_tokens: AuthorityTokensTable;
  quota_ledger: QuotaLedgerTable;
  access_log: AccessLogTable;
  jobs: JobsTable;
  scans: ScansTable;
  scan_results: ScanResultsTable;
  upload_blobs: UploadBlobsTable;
  upload_blob_chunks: UploadBlobChunksTable;
  layer_fragments: LayerFragmentsTable;
}

/** SQLite `blob` / PostgreSQL `bytea`: both drivers hand back a Buffer. */
type Bytes = ColumnType<Buffer, Buffer | Uint8Array, never>;

export interface RawDocumentsTable {
  id: Generated<number>;
  source: string;
  document_id: string;
  url: string | null;
  content_type: string | null;
  sha256: string;
  fetched_at: string;
  body: Bytes;
  /** 'pending' (not parsed yet) | 'parsed' | 'failed'. */
  status: ColumnType<string, string | undefined, string>;
}

export interface SourceStateTable {
  source: string;
  /** JSON text of the connector's cursor, or null. */
  cursor: string | null;
  last_success: string | null;
  last_error: string | null;
  failure_count: number;
  backoff_until: string | null;
  updated_at: string;
}

export interface AdvisoriesTable {
  key: string;
  /** The canonical advisory as JSON text (serialized by the caller, deterministically). */
  json: string;
  sha256: string;
  modified: string | null;
  withdrawn: string | null;
}

export interface AdvisoryAliasesTable {
  alias: string;
  key: string;
}

export interface MergeEventsTable {
  id: Generated<number>;
  key: string;
  before_sha256: string | null;
  /** Null when the merge removed the advisory (its records now belong to another key). */
  after_sha256: string | null;
  at: string;
}

export interface ParseErrorsTable {
  id: Generated<number>;
  source: string;
  document_id: string;
  record_id: string | null;
  message: string;
  at: string;
}

export interface SourceRecordsTable {
  source: string;
  record_id: string;
  /** The raw document this version of the record came from. */
  document_id: string;
  document_sha256: string;
  recorded_at: string;
  /** The parsed record (JSON text) and its SHA-256: an identical re-parse changes nothing. */
  dto: string;
  dto_sha256: string;
  /** 'parsed' (waiting for map) | 'mapped' | 'failed'. */
  status: string;
  /** The mapped SourceAdvisory (JSON text) once mapped. */
  advisory: string | null;
  /** JSON array: the record id followed by its aliases (for the alias graph). */
  ids: string | null;
  /** JSON array of upstream ids. */
  upstream: string | null;
  error: string | null;
  updated_at: string;
}

export interface AdvisoryPackagesTable {
  ecosystem: string;
  name: string;
  key: string;
}

/** Instance secrets (issue 8): the token signing key (private JWK), salts and the access-log HMAC key. */
export interface AuthoritySecretsTable {
  name: string;
  value: string;
  created_at: string;
}

/** Issued tokens, keyed by the salted SHA-256 of the token id: never the token nor the id. */
export interface AuthorityTokensTable {
  token_hash: string;
  label: string;
  /** Comma-separated scope names. */
  scopes: string;
  issued_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** Scans per UTC day and key hash (token hash or salted IP hash): nothing else. */
export interface QuotaLedgerTable {
  /** YYYY-MM-DD (UTC). */
  day: string;
  key_hash: string;
  count: number;
}

export interface AccessLogTable {
  id: Generated<number>;
  at: string;
  method: string;
  /** The matched route pattern, never the raw URL; null when no route matched. */
  route: string | null;
  status: number;
  duration_ms: number;
  /** The raw client IP, null once the retention job replaced it with `ip_hmac`. */
  ip: string | null;
  ip_hmac: string | null;
  token_hash: string | null;
}

/** The job queue (src/store/jobs.ts). */
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** JSON text. */
  payload: string;
  /** queued | running | succeeded | failed | dead | cancelled. */
  status: string;
  attempts: number;
  max_attempts: number;
  run_at: string;
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_expires_at: ColumnType<string | null, string | null | undefined, string | null>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON text of the handler's result. */
  result: ColumnType<string | null, string | null | undefined, string | null>;
  dedupe_key: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: string;
  updated_at: string;
}

/** Scans (issue 8, src/store/scans.ts): status queued | running | done | failed; JSON in input/summary. */
export interface ScansTable {
  id: string;
  status: string;
  target: string;
  input_kind: string;
  input: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  summary: string | null;
  error: string | null;
  /** Salted hash of who asked (the quota key); never an IP. */
  quota_key: string | null;
  results_sha256: string | null;
}

/** A finished scan's inventory and findings, canonical JSON, one row per scan. */
export interface ScanResultsTable {
  scan_id: string;
  inventory: string;
  findings: string;
  sha256: string;
}

/** An upload, stored as chunks; 'writing' until complete. */
export interface UploadBlobsTable {
  id: string;
  status: string;
  /** bigint on PostgreSQL (pg hands it back as a string). */
  size: ColumnType<number | string, number, number>;
  chunk_size: number;
  chunks: number;
  sha256: string | null;
  created_at: string;
}

export interface UploadBlobChunksTable {
  blob_id: string;
  idx: number;
  bytes: Bytes;
}

/** Per-layer analyzer output keyed by (layer diffID, analyzer fingerprint); origin 'scan' | 'upload'. */
export interface LayerFragmentsTable {
  digest: string;
  analyzers: string;
  json: string;
  sha256: string;
  origin: string;
  /** '' for the scanner's own fragment (trusted by every scan); else the uploader's quota key. */
  owner: string;
  created_at: string;
}
