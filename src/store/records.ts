import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from './migrations.js';
import { chunks } from './advisories.js';
import { sha256Hex, toInfo, type RawDocument } from './raw-documents.js';
import type { Database } from './schema.js';

/*
 * The pipeline's intermediate state: raw documents waiting to be parsed, and source records (one
 * row per record id a source has published) waiting to be mapped. Every stage reads what the
 * previous one left and marks what it finished, in the same transaction as its output, so a kill at
 * any point leaves a consistent store and the next run carries on.
 */

export type DocumentStatus = 'pending' | 'parsed' | 'failed';
export type RecordStatus = 'parsed' | 'mapped' | 'failed';

export interface ParsedRecordInput {
  source: string;
  recordId: string;
  documentId: string;
  documentSha256: string;
  /** When the document was fetched (ISO-8601 UTC). */
  recordedAt: string;
  /** The parsed record as JSON text (serialized deterministically by the caller). */
  dto: string;
}

/** A stored source record waiting for (or done with) mapping. */
export interface SourceRecord extends ParsedRecordInput {
  status: RecordStatus;
}

export interface MappedRecordInput {
  source: string;
  recordId: string;
  /** The SourceAdvisory as JSON text; null with an error when mapping failed. */
  advisory: string | null;
  /** Record id then aliases. */
  ids: readonly string[];
  upstream: readonly string[];
  error?: string | null;
}

export interface AliasRow {
  source: string;
  recordId: string;
  ids: string[];
  upstream: string[];
}

export interface SourceCounts {
  source: string;
  documents: { pending: number; parsed: number; failed: number };
  records: { parsed: number; mapped: number; failed: number };
  parseErrors: number;
}

/** Raw documents of `source` not parsed yet, in fetch (insertion) order, after `afterId`. */
export async function listPendingDocuments(
  db: Kysely<Database>,
  source: string,
  afterId: number,
  limit: number,
): Promise<RawDocument[]> {
  const rows = await db
    .selectFrom('raw_documents')
    .selectAll()
    .where('source', '=', source)
    .where('status', '=', 'pending')
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...toInfo(row), body: new Uint8Array(row.body.buffer, row.body.byteOffset, row.body.byteLength) }));
}

export interface ParsedDocumentInput {
  documentRowId: number;
  status: Exclude<DocumentStatus, 'pending'>;
  records: readonly ParsedRecordInput[];
}

/**
 * Stores the records parsed from one document and marks the document parsed (or failed), in one
 * transaction. A record whose parsed form is byte-identical to the stored one is left alone — it
 * keeps the provenance of the document it was first seen in and does not need mapping again.
 */
export function putParsedDocument(
  db: Kysely<Database>,
  now: () => Date,
  documentRowId: number,
  status: Exclude<DocumentStatus, 'pending'>,
  records: readonly ParsedRecordInput[],
): Promise<{ changed: number }> {
  return putParsedDocuments(db, now, [{ documentRowId, status, records }]);
}

/**
 * Several documents' records in ONE transaction (the parse stage works in batches): the same end
 * state as storing them one by one in order — a record in a later document replaces the same record
 * from an earlier one — with a few multi-row statements instead of several per document.
 */
export async function putParsedDocuments(
  db: Kysely<Database>,
  now: () => Date,
  documents: readonly ParsedDocumentInput[],
): Promise<{ changed: number }> {
  if (documents.length === 0) return { changed: 0 };
  const at = now().toISOString();
  return db.transaction().execute(async (trx) => {
    let changed = 0;
    const unique = new Map<string, ParsedRecordInput>();
    for (const doc of documents) for (const r of doc.records) unique.set(`${r.source}\u0000${r.recordId}`, r);
    const bySource = new Map<string, ParsedRecordInput[]>();
    for (const r of unique.values()) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r]);
    for (const [source, list] of bySource) {
      for (const chunk of chunks(list, 400)) {
        const existing = await trx
          .selectFrom('source_records')
          .select(['record_id', 'dto_sha256'])
          .where('source', '=', source)
          .where('record_id', 'in', chunk.map((r) => r.recordId))
          .execute();
        const known = new Map(existing.map((e) => [e.record_id, e.dto_sha256]));
        const rows = chunk
          .map((r) => ({ r, dtoSha256: sha256Hex(r.dto) }))
          .filter(({ r, dtoSha256 }) => known.get(r.recordId) !== dtoSha256)
          .map(({ r, dtoSha256 }) => ({
            source: r.source,
            record_id: r.recordId,
            document_id: r.documentId,
            document_sha256: r.documentSha256,
            recorded_at: r.recordedAt,
            dto: r.dto,
            dto_sha256: dtoSha256,
            status: 'parsed',
            advisory: null,
            ids: null,
            upstream: null,
            error: null,
            updated_at: at,
          }));
        if (rows.length === 0) continue;
        changed += rows.length;
        await trx
          .insertInto('source_records')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['source', 'record_id']).doUpdateSet((eb) => ({
              document_id: eb.ref('excluded.document_id'),
              document_sha256: eb.ref('excluded.document_sha256'),
              recorded_at: eb.ref('excluded.recorded_at'),
              dto: eb.ref('excluded.dto'),
              dto_sha256: eb.ref('excluded.dto_sha256'),
              status: eb.ref('excluded.status'),
              advisory: null,
              ids: null,
              upstream: null,
              error: null,
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
    }
    for (const status of ['parsed', 'failed'] as const) {
      const ids = documents.filter((d) => d.status === status).map((d) => d.documentRowId);
      for (const chunk of chunks(ids, 500)) {
        await trx.updateTable('raw_documents').set({ status }).where('id', 'in', chunk).execute();
      }
    }
    return { changed };
  });
}

/** Records of `source` waiting to be mapped, by record id, after `afterRecordId`. */
export async function listRecordsToMap(
  db: Kysely<Database>,
  source: string,
  afterRecordId: string | null,
  limit: number,
): Promise<SourceRecord[]> {
  let query = db
    .selectFrom('source_records')
    .select(['source', 'record_id', 'document_id', 'document_sha256', 'recorded_at', 'dto', 'status'])
    .where('source', '=', source)
    .where('status', '=', 'parsed');
  if (afterRecordId !== null) query = query.where('record_id', '>', afterRecordId);
  const rows = await query.orderBy('record_id').limit(limit).execute();
  return rows.map((r) => ({ ...recordOrigin(r), dto: r.dto, status: r.status as RecordStatus }));
}

/**
 * Stores mapping results: one transaction per batch, one UPDATE … FROM (VALUES …) per 200 records
 * (SQLite ≥ 3.33 and PostgreSQL share the form; SQLite names VALUES columns column1…).
 */
export async function putMappedRecords(
  db: Kysely<Database>,
  dialect: Dialect,
  now: () => Date,
  records: readonly MappedRecordInput[],
): Promise<void> {
  if (records.length === 0) return;
  const at = now().toISOString();
  const names = ['source', 'record_id', 'status', 'advisory', 'ids', 'upstream', 'error'];
  const v = (i: number): RawBuilder<unknown> => sql.raw(dialect === 'sqlite' ? `v.column${i + 1}` : `v.${names[i] as string}`);
  const alias = dialect === 'sqlite' ? sql.raw('v') : sql.raw(`v(${names.join(', ')})`);
  await db.transaction().execute(async (trx) => {
    for (const chunk of chunks(records, 200)) {
      const rows = chunk.map((r) => sql`(${r.source}, ${r.recordId}, ${r.advisory === null ? 'failed' : 'mapped'}, ${r.advisory}, ${JSON.stringify(r.ids)}, ${JSON.stringify(r.upstream)}, ${r.error ?? null})`);
      await sql`update source_records set status = ${v(2)}, advisory = ${v(3)}, ids = ${v(4)}, upstream = ${v(5)}, error = ${v(6)}, updated_at = ${at}
        from (values ${sql.join(rows)}) as ${alias}
        where source_records.source = ${v(0)} and source_records.record_id = ${v(1)}`.execute(trx);
    }
  });
}

/** Every mapped record's ids and upstream ids (small rows: the alias graph is built from these). */
export async function listAliasRows(db: Kysely<Database>): Promise<AliasRow[]> {
  const rows = await db
    .selectFrom('source_records')
    .select(['source', 'record_id', 'ids', 'upstream'])
    .where('status', '=', 'mapped')
    .orderBy('source')
    .orderBy('record_id')
    .execute();
  return rows.map((r) => ({
    source: r.source,
    recordId: r.record_id,
    ids: r.ids === null ? [r.record_id] : (JSON.parse(r.ids) as string[]),
    upstream: r.upstream === null ? [] : (JSON.parse(r.upstream) as string[]),
  }));
}

/** The mapped advisories (JSON text) of the given records; missing or unmapped ones are absent. */
export async function getMappedAdvisories(
  db: Kysely<Database>,
  refs: readonly { source: string; recordId: string }[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const bySource = new Map<string, string[]>();
  for (const r of refs) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r.recordId]);
  for (const [source, ids] of bySource) {
    for (const chunk of chunks(ids, 500)) {
      const rows = await db
        .selectFrom('source_records')
        .select(['record_id', 'advisory'])
        .where('source', '=', source)
        .where('status', '=', 'mapped')
        .where('record_id', 'in', chunk)
        .execute();
      for (const row of rows) if (row.advisory !== null) out.set(`${source}\u0000${row.record_id}`, row.advisory);
    }
  }
  return out;
}

/** Marks every record of `source` for mapping again (after a mapper change). */
export async function resetMapping(db: Kysely<Database>, now: () => Date, source: string): Promise<number> {
  const result = await db
    .updateTable('source_records')
    .set({ status: 'parsed', advisory: null, ids: null, upstream: null, error: null, updated_at: now().toISOString() })
    .where('source', '=', source)
    .where('status', 'in', ['mapped', 'failed'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Per-source counts for `stella db status`. */
export async function countBySource(db: Kysely<Database>): Promise<SourceCounts[]> {
  const docs = await db
    .selectFrom('raw_documents')
    .select((eb) => ['source', 'status', eb.fn.countAll<string | number>().as('n')])
    .groupBy(['source', 'status'])
    .execute();
  const recs = await db
    .selectFrom('source_records')
    .select((eb) => ['source', 'status', eb.fn.countAll<string | number>().as('n')])
    .groupBy(['source', 'status'])
    .execute();
  const errs = await db
    .selectFrom('parse_errors')
    .select((eb) => ['source', eb.fn.countAll<string | number>().as('n')])
    .groupBy('source')
    .execute();
  const out = new Map<string, SourceCounts>();
  const get = (source: string): SourceCounts => {
    let c = out.get(source);
    if (c === undefined) {
      c = { source, documents: { pending: 0, parsed: 0, failed: 0 }, records: { parsed: 0, mapped: 0, failed: 0 }, parseErrors: 0 };
      out.set(source, c);
    }
    return c;
  };
  for (const d of docs) {
    const c = get(d.source);
    if (d.status === 'pending' || d.status === 'parsed' || d.status === 'failed') c.documents[d.status] = Number(d.n);
  }
  for (const r of recs) {
    const c = get(r.source);
    if (r.status === 'parsed' || r.status === 'mapped' || r.status === 'failed') c.records[r.status] = Number(r.n);
  }
  for (const e of errs) get(e.source).parseErrors = Number(e.n);
  return [...out.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/** A source record's mapped advisory, for exports (one document per advisory per source). */
export interface MappedRecord {
  source: string;
  recordId: string;
  documentId: string;
  documentSha256: string;
  recordedAt: string;
  /** The mapped SourceAdvisory as JSON text. */
  advisory: string;
}

/**
 * Mapped source records ordered by (source, record id), a page at a time after `after`
 * (exclusive); failed and unmapped records are not included.
 */
export async function listMappedRecords(
  db: Kysely<Database>,
  after: { source: string; recordId: string } | null,
  limit: number,
): Promise<MappedRecord[]> {
  let query = db
    .selectFrom('source_records')
    .select(['source', 'record_id', 'document_id', 'document_sha256', 'recorded_at', 'advisory'])
    .where('status', '=', 'mapped')
    .where('advisory', 'is not', null);
  if (after !== null) {
    query = query.where((eb) =>
      eb.or([
        eb('source', '>', after.source),
        eb.and([eb('source', '=', after.source), eb('record_id', '>', after.recordId)]),
      ]),
    );
  }
  const rows = await query.orderBy('source').orderBy('record_id').limit(limit).execute();
  return rows.map((r) => ({ ...recordOrigin(r), advisory: r.advisory as string }));
}

/** A source record row's identity and the document it came from. */
function recordOrigin(r: { source: string; record_id: string; document_id: string; document_sha256: string; recorded_at: string }) {
  return { source: r.source, recordId: r.record_id, documentId: r.document_id, documentSha256: r.document_sha256, recordedAt: r.recorded_at };
}
