import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface RawDocumentInput {
  source: string;
  /** The document's identity within its source (an advisory id, a file path in an archive…). */
  documentId: string;
  url?: string | null;
  contentType?: string | null;
  body: Uint8Array;
  /** When it was fetched; defaults to the store's clock. */
  fetchedAt?: Date;
}

export interface RawDocumentInfo {
  id: number;
  source: string;
  documentId: string;
  url: string | null;
  contentType: string | null;
  /** Lower-case hex SHA-256 of the body. */
  sha256: string;
  /** ISO-8601 UTC. */
  fetchedAt: string;
}

export interface RawDocument extends RawDocumentInfo {
  body: Uint8Array;
}

export interface PutRawDocumentResult {
  /** False when the same (source, documentId, sha256) was already stored: nothing changed. */
  inserted: boolean;
  id: number;
  sha256: string;
}

export interface ParseErrorInput {
  source: string;
  documentId: string;
  recordId?: string | null;
  message: string;
}

export interface ParseErrorRecord {
  source: string;
  documentId: string;
  recordId: string | null;
  message: string;
  at: string;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function putRawDocument(
  db: Kysely<Database>,
  now: () => Date,
  doc: RawDocumentInput,
): Promise<PutRawDocumentResult> {
  const sha256 = sha256Hex(doc.body);
  // One statement (no transaction needed): insert unless this exact version is there; rows are never
  // deleted, so the fallback select always finds the one that was.
  const inserted = await db
    .insertInto('raw_documents')
    .values({
      source: doc.source,
      document_id: doc.documentId,
      url: doc.url ?? null,
      content_type: doc.contentType ?? null,
      sha256,
      fetched_at: (doc.fetchedAt ?? now()).toISOString(),
      body: Buffer.from(doc.body.buffer, doc.body.byteOffset, doc.body.byteLength),
    })
    .onConflict((oc) => oc.columns(['source', 'document_id', 'sha256']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted !== undefined) return { inserted: true, id: inserted.id, sha256 };
  const existing = await db
    .selectFrom('raw_documents')
    .select('id')
    .where('source', '=', doc.source)
    .where('document_id', '=', doc.documentId)
    .where('sha256', '=', sha256)
    .executeTakeFirstOrThrow();
  return { inserted: false, id: existing.id, sha256 };
}

/**
 * Many documents with one multi-row insert per chunk (bulk sources); results in input order. A
 * document already stored (same source, id and bytes) is not inserted again.
 */
export async function putRawDocuments(
  db: Kysely<Database>,
  now: () => Date,
  docs: readonly RawDocumentInput[],
): Promise<PutRawDocumentResult[]> {
  const keyOf = (source: string, documentId: string, sha256: string): string => `${source}\u0000${documentId}\u0000${sha256}`;
  const rows = docs.map((doc) => ({
    source: doc.source,
    document_id: doc.documentId,
    url: doc.url ?? null,
    content_type: doc.contentType ?? null,
    sha256: sha256Hex(doc.body),
    fetched_at: (doc.fetchedAt ?? now()).toISOString(),
    body: Buffer.from(doc.body.buffer, doc.body.byteOffset, doc.body.byteLength),
  }));
  const ids = new Map<string, { id: number; inserted: boolean }>();
  const unique = [...new Map(rows.map((r) => [keyOf(r.source, r.document_id, r.sha256), r])).values()];
  for (const chunk of chunkRows(unique)) {
    const inserted = await db
      .insertInto('raw_documents')
      .values(chunk)
      .onConflict((oc) => oc.columns(['source', 'document_id', 'sha256']).doNothing())
      .returning(['id', 'source', 'document_id', 'sha256'])
      .execute();
    for (const r of inserted) ids.set(keyOf(r.source, r.document_id, r.sha256), { id: r.id, inserted: true });
    for (const r of chunk) {
      const key = keyOf(r.source, r.document_id, r.sha256);
      if (ids.has(key)) continue;
      const existing = await db
        .selectFrom('raw_documents')
        .select('id')
        .where('source', '=', r.source)
        .where('document_id', '=', r.document_id)
        .where('sha256', '=', r.sha256)
        .executeTakeFirstOrThrow();
      ids.set(key, { id: existing.id, inserted: false });
    }
  }
  // A document given twice in one call is inserted once: the later copy reports "not inserted".
  const reported = new Set<string>();
  return rows.map((r) => {
    const key = keyOf(r.source, r.document_id, r.sha256);
    const found = ids.get(key) as { id: number; inserted: boolean };
    const inserted = found.inserted && !reported.has(key);
    reported.add(key);
    return { inserted, id: found.id, sha256: r.sha256 };
  });
}

/** Chunks of rows whose bodies total at most ~4 MiB (and at most 200 rows): bounded statements. */
function chunkRows<T extends { body: Buffer }>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (current.length > 0 && (current.length >= 200 || bytes + row.body.length > 4 << 20)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += row.body.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * One stored version of a document: the one with `sha256` when given, else the most recently
 * fetched (ties broken by insertion order).
 */
export async function getRawDocument(
  db: Kysely<Database>,
  source: string,
  documentId: string,
  sha256?: string,
): Promise<RawDocument | undefined> {
  let query = db
    .selectFrom('raw_documents')
    .selectAll()
    .where('source', '=', source)
    .where('document_id', '=', documentId);
  if (sha256 !== undefined) query = query.where('sha256', '=', sha256);
  const row = await query.orderBy('fetched_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (row === undefined) return undefined;
  return { ...toInfo(row), body: new Uint8Array(row.body.buffer, row.body.byteOffset, row.body.byteLength) };
}

/** Every stored version of every document of `source`, without bodies, by document id then fetch time. */
export async function listRawDocuments(db: Kysely<Database>, source: string): Promise<RawDocumentInfo[]> {
  const rows = await db
    .selectFrom('raw_documents')
    .select(['id', 'source', 'document_id', 'url', 'content_type', 'sha256', 'fetched_at'])
    .where('source', '=', source)
    .orderBy('document_id')
    .orderBy('fetched_at')
    .orderBy('id')
    .execute();
  return rows.map(toInfo);
}

export async function recordParseError(db: Kysely<Database>, now: () => Date, error: ParseErrorInput): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('parse_errors')
      .values({
        source: error.source,
        document_id: error.documentId,
        record_id: error.recordId ?? null,
        message: error.message,
        at: now().toISOString(),
      })
      .execute();
  });
}

export async function listParseErrors(db: Kysely<Database>, source: string): Promise<ParseErrorRecord[]> {
  const rows = await db
    .selectFrom('parse_errors')
    .select(['source', 'document_id', 'record_id', 'message', 'at'])
    .where('source', '=', source)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ source: r.source, documentId: r.document_id, recordId: r.record_id, message: r.message, at: r.at }));
}

export function toInfo(row: {
  id: number;
  source: string;
  document_id: string;
  url: string | null;
  content_type: string | null;
  sha256: string;
  fetched_at: string;
}): RawDocumentInfo {
  return {
    id: row.id,
    source: row.source,
    documentId: row.document_id,
    url: row.url,
    contentType: row.content_type,
    sha256: row.sha256,
    fetchedAt: row.fetched_at,
  };
}
