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
