import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { CurrentSchemaPostgresDialect } from './pg-dialect.js';
import {
  countAdvisories,
  deleteAdvisories,
  findAdvisoryKeysByAlias,
  findAdvisoryKeysByPackage,
  getAdvisory,
  lastMergeAt,
  listAdvisories,
  listAdvisoryHashes,
  listMergeEvents,
  putAdvisories,
  putAdvisory,
  type AdvisoryWrite,
  type MergeEvent,
  type PutAdvisoryResult,
  type StoredAdvisory,
} from './advisories.js';
import {
  countBySource,
  getMappedAdvisories,
  listAliasRows,
  listMappedRecords,
  listPendingDocuments,
  listRecordsToMap,
  putMappedRecords,
  putParsedDocument,
  putParsedDocuments,
  resetMapping,
  type AliasRow,
  type DocumentStatus,
  type MappedRecordInput,
  type ParsedDocumentInput,
  type ParsedRecordInput,
  type SourceCounts,
  type SourceRecord,
  type MappedRecord,
} from './records.js';
import { authorityStore, type AuthorityStore } from './authority.js';
import { jobStore, type JobStore } from './jobs.js';
import { scanStore, type ScanStore } from './scans.js';
import { StoreError } from './errors.js';
import { migrateToLatest, type Dialect } from './migrations.js';
import {
  getRawDocument,
  listParseErrors,
  listRawDocuments,
  putRawDocument,
  putRawDocuments,
  recordParseError,
  type ParseErrorInput,
  type ParseErrorRecord,
  type PutRawDocumentResult,
  type RawDocument,
  type RawDocumentInfo,
  type RawDocumentInput,
} from './raw-documents.js';
import type { Database } from './schema.js';
import { getSourceState, putSourceState, type SourceState, type SourceStateInput } from './source-state.js';

export interface OpenStoreOptions {
  /**
   * `postgres://…` / `postgresql://…` for PostgreSQL; `:memory:` or `sqlite:<path>` for SQLite.
   * Default: $STELLA_DATABASE_URL, else SQLite at `<stellaHome>/stella.db`.
   */
  url?: string;
  /** Default: $STELLA_HOME, else `./.stella`. */
  stellaHome?: string;
  /** The clock for every timestamp the store writes. Default: wall clock. */
  now?: () => Date;
  /** PostgreSQL only: the schema to work in (sets the connections' search_path). */
  schema?: string;
}

export interface Store {
  readonly dialect: Dialect;
  /** Applies pending migrations (already done by `openStore`); returns the names applied. */
  migrate(): Promise<string[]>;
  putRawDocument(doc: RawDocumentInput): Promise<PutRawDocumentResult>;
  putRawDocuments(docs: readonly RawDocumentInput[]): Promise<PutRawDocumentResult[]>;
  getRawDocument(source: string, documentId: string, sha256?: string): Promise<RawDocument | undefined>;
  listRawDocuments(source: string): Promise<RawDocumentInfo[]>;
  getSourceState(source: string): Promise<SourceState | undefined>;
  putSourceState(state: SourceStateInput): Promise<SourceState>;
  putAdvisory(advisory: AdvisoryWrite): Promise<PutAdvisoryResult>;
  /** Many advisories in one transaction; unchanged ones are not written. */
  putAdvisories(advisories: readonly AdvisoryWrite[]): Promise<PutAdvisoryResult[]>;
  deleteAdvisories(keys: readonly string[]): Promise<number>;
  listAdvisoryHashes(): Promise<Map<string, string>>;
  listAdvisories(afterKey: string | null, limit: number): Promise<{ key: string; json: string; sha256: string }[]>;
  /** The newest merge event's time (ISO-8601), or null: the export clock. */
  lastMergeAt(): Promise<string | null>;
  /** Mapped source records in (source, record id) order, a page at a time after `after`. */
  listMappedRecords(after: { source: string; recordId: string } | null, limit: number): Promise<MappedRecord[]>;
  countAdvisories(): Promise<{ total: number; withdrawn: number }>;
  getAdvisory(key: string): Promise<StoredAdvisory | undefined>;
  findAdvisoryKeysByAlias(alias: string): Promise<string[]>;
  findAdvisoryKeysByPackage(name: string, ecosystem?: string): Promise<string[]>;
  listMergeEvents(key: string): Promise<MergeEvent[]>;
  recordParseError(error: ParseErrorInput): Promise<void>;
  listParseErrors(source: string): Promise<ParseErrorRecord[]>;
  listPendingDocuments(source: string, afterId: number, limit: number): Promise<RawDocument[]>;
  putParsedDocument(
    documentRowId: number,
    status: Exclude<DocumentStatus, 'pending'>,
    records: readonly ParsedRecordInput[],
  ): Promise<{ changed: number }>;
  putParsedDocuments(documents: readonly ParsedDocumentInput[]): Promise<{ changed: number }>;
  listRecordsToMap(source: string, afterRecordId: string | null, limit: number): Promise<SourceRecord[]>;
  putMappedRecords(records: readonly MappedRecordInput[]): Promise<void>;
  listAliasRows(): Promise<AliasRow[]>;
  getMappedAdvisories(refs: readonly { source: string; recordId: string }[]): Promise<Map<string, string>>;
  resetMapping(source: string): Promise<number>;
  countBySource(): Promise<SourceCounts[]>;
  /** A trivial query (`select 1`): resolves when the database answers (readiness probes). */
  ping(): Promise<void>;
  /** Tokens, instance secrets, the quota ledger and the access log (issue 8). */
  readonly authority: AuthorityStore;
  /** The job queue (issue 8): enqueue, claim under a lease, complete/fail/release, cancel. */
  readonly jobs: JobStore;
  /** Scans, their results, chunked upload blobs and layer fragments (issue 8). */
  readonly scans: ScanStore;
  close(): Promise<void>;
}

type Target = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

function resolveTarget(options: OpenStoreOptions): Target {
  const env = process.env.STELLA_DATABASE_URL;
  const url = options.url ?? (env !== undefined && env !== '' ? env : undefined);
  if (url === undefined) {
    const envHome = process.env.STELLA_HOME;
    const home = options.stellaHome ?? (envHome !== undefined && envHome !== '' ? envHome : join(process.cwd(), '.stella'));
    return { dialect: 'sqlite', path: join(home, 'stella.db') };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { dialect: 'postgres', url };
  if (url === ':memory:') return { dialect: 'sqlite', path: ':memory:' };
  if (url.startsWith('sqlite:') && url.length > 'sqlite:'.length) return { dialect: 'sqlite', path: url.slice('sqlite:'.length) };
  throw new StoreError('BAD_URL', `unsupported database URL (want postgres://…, sqlite:<path> or :memory:): ${redact(url)}`);
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

async function createKysely(target: Target, schema: string | undefined): Promise<Kysely<Database>> {
  if (target.dialect === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(join(target.path, '..'), { recursive: true });
    let database: SqliteDatabase.Database;
    try {
      database = new SqliteDatabase(target.path);
    } catch (cause) {
      throw new StoreError('OPEN_FAILED', `cannot open SQLite database ${target.path}: ${String(cause)}`, { cause });
    }
    database.pragma('busy_timeout = 5000');
    if (target.path !== ':memory:') {
      database.pragma('journal_mode = WAL');
      // The recommended pairing with WAL: commits are not fsynced one by one (a power cut can lose
      // the last transactions, never corrupt the database); checkpoints still sync. Feed runs are
      // resumable, so a lost tail is fetched again.
      database.pragma('synchronous = NORMAL');
    }
    return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  }
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new StoreError('INVALID_INPUT', `not a plain SQL identifier: ${JSON.stringify(schema)}`);
  }
  // pg loads only for PostgreSQL stores (it is not needed, nor paid for, on the SQLite default).
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: target.url,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  return new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
}

/** Opens (creating if need be) the store and brings its schema up to date. */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const target = resolveTarget(options);
  const now = options.now ?? (() => new Date());
  const db = await createKysely(target, options.schema);
  const dialect = target.dialect;
  try {
    await migrateToLatest(db as Kysely<unknown>, dialect, options.schema);
  } catch (cause) {
    await db.destroy();
    if (cause instanceof StoreError) throw cause;
    throw new StoreError('OPEN_FAILED', `cannot open ${dialect} store: ${String(cause)}`, { cause });
  }
  let closed = false;
  const use = <R>(fn: (live: Kysely<Database>) => Promise<R>): Promise<R> =>
    closed ? Promise.reject(new StoreError('CLOSED', 'the store is closed')) : fn(db);
  return {
    dialect,
    migrate: () => use((d) => migrateToLatest(d as Kysely<unknown>, dialect, options.schema)),
    putRawDocument: (doc) => use((d) => putRawDocument(d, now, doc)),
    putRawDocuments: (docs) => use((d) => putRawDocuments(d, now, docs)),
    getRawDocument: (source, documentId, sha256) => use((d) => getRawDocument(d, source, documentId, sha256)),
    listRawDocuments: (source) => use((d) => listRawDocuments(d, source)),
    getSourceState: (source) => use((d) => getSourceState(d, source)),
    putSourceState: (state) => use((d) => putSourceState(d, now, state)),
    putAdvisory: (advisory) => use((d) => putAdvisory(d, dialect, now, advisory)),
    putAdvisories: (advisories) => use((d) => putAdvisories(d, dialect, now, advisories)),
    deleteAdvisories: (keys) => use((d) => deleteAdvisories(d, dialect, now, keys)),
    listAdvisoryHashes: () => use((d) => listAdvisoryHashes(d)),
    listAdvisories: (afterKey, limit) => use((d) => listAdvisories(d, afterKey, limit)),
    countAdvisories: () => use((d) => countAdvisories(d)),
    lastMergeAt: () => use((d) => lastMergeAt(d)),
    listMappedRecords: (after, limit) => use((d) => listMappedRecords(d, after, limit)),
    getAdvisory: (key) => use((d) => getAdvisory(d, key)),
    findAdvisoryKeysByAlias: (alias) => use((d) => findAdvisoryKeysByAlias(d, alias)),
    findAdvisoryKeysByPackage: (name, ecosystem) => use((d) => findAdvisoryKeysByPackage(d, name, ecosystem)),
    listMergeEvents: (key) => use((d) => listMergeEvents(d, key)),
    recordParseError: (error) => use((d) => recordParseError(d, now, error)),
    listParseErrors: (source) => use((d) => listParseErrors(d, source)),
    listPendingDocuments: (source, afterId, limit) => use((d) => listPendingDocuments(d, source, afterId, limit)),
    putParsedDocument: (id, status, records) => use((d) => putParsedDocument(d, now, id, status, records)),
    listRecordsToMap: (source, after, limit) => use((d) => listRecordsToMap(d, source, after, limit)),
    putParsedDocuments: (documents) => use((d) => putParsedDocuments(d, now, documents)),
    putMappedRecords: (records) => use((d) => putMappedRecords(d, dialect, now, records)),
    listAliasRows: () => use((d) => listAliasRows(d)),
    getMappedAdvisories: (refs) => use((d) => getMappedAdvisories(d, refs)),
    resetMapping: (source) => use((d) => resetMapping(d, now, source)),
    countBySource: () => use((d) => countBySource(d)),
    ping: () => use(async (d) => {
      await sql`select 1`.execute(d);
    }),
    authority: authorityStore(use, dialect, now),
    jobs: jobStore(use, dialect),
    scans: scanStore(use, now),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
