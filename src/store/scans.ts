import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { StoreError } from './errors.js';
import type { Dialect } from './migrations.js';
import type { Database, ScansTable } from './schema.js';
import type { JsonValue } from './source-state.js';

/*
 * Scans, their results, upload blobs and layer fragments (issue 8).
 *
 * - `scans`: one row per requested scan (queued → running → done | failed), what was asked for, and
 *   the quota key hash of who asked (never an IP). The input (`input`, JSON) names an upload blob,
 *   a registry reference or an SBOM blob; a job carries only the scan id.
 * - `scan_results`: the inventory and the findings of a finished scan, each as one canonical JSON
 *   text, written with the scan's status in ONE transaction keyed by the scan id: a second worker
 *   (or a re-run after a crash) overwrites, never duplicates.
 * - `upload_blobs` + `upload_blob_chunks`: an upload streamed in fixed-size chunks, so any worker on
 *   any machine can read it back, a chunk at a time (never whole in memory). A blob is 'writing'
 *   until its last chunk is in, then 'complete' with its size and SHA-256.
 * - `layer_fragments`: per-layer analyzer output keyed by (layer diffID, analyzer fingerprint), from
 *   the server's own scans ('scan') or a CI builder's upload ('upload'); a scan's fragment replaces
 *   an uploaded one, an upload never replaces anything.
 */

export const SCAN_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];

/** What a scan reads: an uploaded image archive, a registry image, or an uploaded SBOM. */
export type ScanInputKind = 'upload' | 'registry' | 'sbom';

export interface ScanRecord {
  id: string;
  status: ScanStatus;
  /** What was scanned, as shown to users (e.g. "upload:app.tar", "registry:alpine:3.19", "sbom:bom.json"). */
  target: string;
  inputKind: ScanInputKind;
  /** The input's parameters (blob id, reference, SBOM type, platform…): JSON for the worker. */
  input: JsonValue;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Counts of a finished scan (packages, findings by severity…), JSON. */
  summary: JsonValue;
  error: string | null;
  /** The quota key hash of who asked (a salted hash, never an IP or a token). */
  quotaKey: string | null;
  /** SHA-256 over the stored results: changes only when the results do. */
  resultsSha256: string | null;
}

export interface ScanCreate {
  /** Default: a random UUID. */
  id?: string;
  target: string;
  inputKind: ScanInputKind;
  input: JsonValue;
  quotaKey?: string | null;
}

export interface ScanResults {
  /** The inventory, canonical JSON text. */
  inventory: string;
  /** The findings (unfiltered), canonical JSON text. */
  findings: string;
  summary: JsonValue;
}

export interface StoredScanResults {
  inventory: string;
  findings: string;
  sha256: string;
}

export interface ScanPage {
  /** Only this quota key's scans (undefined: everyone's). */
  owner?: string;
  /** Default 50, at most 500. */
  limit?: number;
  /** Newest first; the last row of the previous page. */
  before?: { createdAt: string; id: string };
}

export interface BlobInfo {
  id: string;
  status: 'writing' | 'complete';
  size: number;
  chunkSize: number;
  chunks: number;
  sha256: string | null;
  createdAt: string;
}

export interface WriteBlobOptions {
  /** Refuse (TOO_LARGE) past this many bytes; nothing of the blob is kept. */
  maxBytes: number;
  /** Default 1 MiB. */
  chunkSize?: number;
}

export type FragmentOrigin = 'scan' | 'upload';

export interface FragmentPut {
  /** Layer diffID, sha256:… */
  digest: string;
  /** Analyzer fingerprint, e.g. "apk@1,dpkg@1". */
  analyzers: string;
  /** The fragment, JSON text. */
  json: string;
  origin: FragmentOrigin;
  /** Quota key (salted hash) of the uploader: required for uploads, which only its scans use. */
  uploader?: string | null;
}

/** Which uploaded fragments a lookup may use besides the scanner's own: those of this quota key. */
export interface FragmentLookup {
  /** The quota key of the scan's (or the caller's) principal; null/undefined: scanner fragments only. */
  owner?: string | null;
}

export interface ScanStore {
  createScan(input: ScanCreate): Promise<ScanRecord>;
  getScan(id: string): Promise<ScanRecord | undefined>;
  listScans(page?: ScanPage): Promise<ScanRecord[]>;
  /** queued/running → running (started_at = now); undefined when the scan is missing, done or failed. */
  markScanRunning(id: string): Promise<ScanRecord | undefined>;
  /**
   * Writes results, status 'done' and the summary in ONE transaction (results upserted by scan id)
   * and deletes `deleteBlob` in it too. A re-run overwrites. False when the scan does not exist.
   */
  completeScan(id: string, results: ScanResults, options?: { deleteBlob?: string | null }): Promise<boolean>;
  /** Status 'failed' with the error (results removed), deleting `deleteBlob` in the same transaction. */
  failScan(id: string, error: string, options?: { deleteBlob?: string | null }): Promise<boolean>;
  getScanResults(id: string): Promise<StoredScanResults | undefined>;

  /** Streams `source` into a new blob, chunk by chunk; TOO_LARGE (nothing kept) past maxBytes. */
  writeBlob(source: AsyncIterable<Uint8Array>, options: WriteBlobOptions): Promise<BlobInfo>;
  getBlob(id: string): Promise<BlobInfo | undefined>;
  /** The complete blob, one chunk per step; NOT_FOUND / CORRUPT when chunks are missing or the hash differs. */
  readBlob(id: string): AsyncIterable<Buffer>;
  deleteBlob(id: string): Promise<boolean>;
  /**
   * Removes the uploads nothing will read, created before `before`: blobs still 'writing' (the
   * uploading process died or the client vanished mid-body) and complete blobs no queued or running
   * scan names (the process died between storing the upload and recording its scan). A scan's own
   * upload is removed with its results; this is the sweep for what fell between.
   */
  deleteAbandonedBlobs(before: Date): Promise<{ incomplete: number; unreferenced: number }>;
  /** Rows in the blob tables (tests, metrics). */
  countBlobs(): Promise<{ blobs: number; chunks: number }>;

  /**
   * The fragment a scan by `lookup.owner` may use: the scanner's own (it read the layer) if there
   * is one, else that owner's upload. Another principal's upload is never returned: an upload is
   * the uploader's claim about a layer, and one caller must not be able to change what another's
   * scan of a shared base layer finds.
   */
  getFragment(digest: string, analyzers: string, lookup?: FragmentLookup): Promise<{ json: string; origin: FragmentOrigin } | undefined>;
  /**
   * Stores a fragment; false when it was not written. An upload is kept per uploader and never
   * replaces anything (false when the scanner's own or this uploader's fragment exists). The
   * scanner's own fragment replaces its predecessor and removes every upload for the layer.
   */
  putFragment(fragment: FragmentPut): Promise<boolean>;
  /** The digests (of `digests`, order kept, duplicates once) with no fragment `getFragment` would return. */
  missingFragments(digests: readonly string[], analyzers: string, lookup?: FragmentLookup): Promise<string[]>;
}

export const DEFAULT_CHUNK_SIZE = 1024 * 1024;

/**
 * 0006: uploaded fragments are kept per uploader (key digest, analyzers, owner) and used only by
 * the uploader's scans; before, the first upload for a layer was used by every scan.
 */
export async function upFragmentOwners(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('layer_fragments_owned')
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('analyzers', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('json', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('layer_fragments_owned_pkey', ['digest', 'analyzers', 'owner'])
    .execute();
  // An upload of unknown uploader (none should exist) is kept under an owner no quota key equals.
  await sql`insert into layer_fragments_owned (digest, analyzers, owner, json, sha256, origin, created_at)
    select digest, analyzers, case when origin = 'scan' then '' else coalesce(uploader, '(unknown)') end, json, sha256, origin, created_at
    from layer_fragments`.execute(db);
  await db.schema.dropTable('layer_fragments').execute();
  await db.schema.alterTable('layer_fragments_owned').renameTo('layer_fragments').execute();
}

export async function upScans(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bytesType = dialect === 'postgres' ? 'bytea' : 'blob';
  await db.schema
    .createTable('scans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('input_kind', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('summary', 'text')
    .addColumn('error', 'text')
    .addColumn('quota_key', 'text')
    .addColumn('results_sha256', 'text')
    .execute();
  await db.schema.createIndex('scans_created_idx').on('scans').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('scans_quota_key_created_idx').on('scans').columns(['quota_key', 'created_at', 'id']).execute();

  await db.schema
    .createTable('scan_results')
    .addColumn('scan_id', 'text', (c) => c.primaryKey())
    .addColumn('inventory', 'text', (c) => c.notNull())
    .addColumn('findings', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('upload_blobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('chunk_size', 'integer', (c) => c.notNull())
    .addColumn('chunks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sha256', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('upload_blob_chunks')
    .addColumn('blob_id', 'text', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('bytes', bytesType, (c) => c.notNull())
    .addPrimaryKeyConstraint('upload_blob_chunks_pkey', ['blob_id', 'idx'])
    .execute();

  await db.schema
    .createTable('layer_fragments')
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('analyzers', 'text', (c) => c.notNull())
    .addColumn('json', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('uploader', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('layer_fragments_pkey', ['digest', 'analyzers'])
    .execute();
}

type Use = <R>(fn: (db: Kysely<Database>) => Promise<R>) => Promise<R>;

function toScan(row: Selectable<ScansTable>): ScanRecord {
  return {
    id: row.id,
    status: row.status as ScanStatus,
    target: row.target,
    inputKind: row.input_kind as ScanInputKind,
    input: JSON.parse(row.input) as JsonValue,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as JsonValue),
    error: row.error,
    quotaKey: row.quota_key,
    resultsSha256: row.results_sha256,
  };
}

function toBlob(row: Selectable<Database['upload_blobs']>): BlobInfo {
  return {
    id: row.id,
    status: row.status as BlobInfo['status'],
    size: Number(row.size),
    chunkSize: Number(row.chunk_size),
    chunks: Number(row.chunks),
    sha256: row.sha256,
    createdAt: row.created_at,
  };
}

async function getScan(db: Kysely<Database>, id: string): Promise<ScanRecord | undefined> {
  const row = await db.selectFrom('scans').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toScan(row);
}

async function listScans(db: Kysely<Database>, page: ScanPage): Promise<ScanRecord[]> {
  const limit = Math.max(1, Math.min(page.limit ?? 50, 500));
  let query = db.selectFrom('scans').selectAll();
  if (page.owner !== undefined) query = query.where('quota_key', '=', page.owner);
  const before = page.before;
  if (before !== undefined) {
    query = query.where((eb) => eb.or([
      eb('created_at', '<', before.createdAt),
      eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)]),
    ]));
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toScan);
}

async function deleteBlobIn(db: Kysely<Database>, id: string): Promise<boolean> {
  await db.deleteFrom('upload_blob_chunks').where('blob_id', '=', id).execute();
  const result = await db.deleteFrom('upload_blobs').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

function resultsSha256(results: ScanResults): string {
  return createHash('sha256').update(results.inventory).update('\n').update(results.findings).digest('hex');
}

async function completeScan(db: Kysely<Database>, at: string, id: string, results: ScanResults, deleteBlob: string | null | undefined): Promise<boolean> {
  const sha256 = resultsSha256(results);
  return db.transaction().execute(async (trx) => {
    const updated = await trx.updateTable('scans')
      .set({ status: 'done', finished_at: at, summary: JSON.stringify(results.summary), error: null, results_sha256: sha256 })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await trx.insertInto('scan_results')
      .values({ scan_id: id, inventory: results.inventory, findings: results.findings, sha256 })
      .onConflict((oc) => oc.column('scan_id').doUpdateSet((eb) => ({
        inventory: eb.ref('excluded.inventory'),
        findings: eb.ref('excluded.findings'),
        sha256: eb.ref('excluded.sha256'),
      })))
      .execute();
    if (deleteBlob !== undefined && deleteBlob !== null) await deleteBlobIn(trx, deleteBlob);
    return true;
  });
}

async function failScan(db: Kysely<Database>, at: string, id: string, error: string, deleteBlob: string | null | undefined): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const updated = await trx.updateTable('scans')
      .set({ status: 'failed', finished_at: at, error, summary: null, results_sha256: null })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await trx.deleteFrom('scan_results').where('scan_id', '=', id).execute();
    if (deleteBlob !== undefined && deleteBlob !== null) await deleteBlobIn(trx, deleteBlob);
    return true;
  });
}

async function writeBlob(use: Use, at: () => string, source: AsyncIterable<Uint8Array>, options: WriteBlobOptions): Promise<BlobInfo> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new StoreError('INVALID_INPUT', `chunk size must be a positive integer, got ${chunkSize}`);
  const id = randomUUID();
  const createdAt = at();
  await use((db) => db.insertInto('upload_blobs').values({ id, status: 'writing', size: 0, chunk_size: chunkSize, chunks: 0, sha256: null, created_at: createdAt }).execute());
  const hash = createHash('sha256');
  let size = 0;
  let index = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (final: boolean): Promise<void> => {
    while (pendingBytes >= chunkSize || (final && pendingBytes > 0)) {
      const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      const take = Math.min(chunkSize, all.length);
      const chunk = all.subarray(0, take);
      const rest = all.subarray(take);
      const idx = index++;
      await use((db) => db.insertInto('upload_blob_chunks').values({ blob_id: id, idx, bytes: chunk }).execute());
      pending = rest.length > 0 ? [Buffer.from(rest)] : [];
      pendingBytes = rest.length;
    }
  };
  try {
    for await (const part of source) {
      const buffer = Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
      size += buffer.length;
      if (size > options.maxBytes) throw new StoreError('TOO_LARGE', `upload exceeds the ${options.maxBytes}-byte limit`);
      hash.update(buffer);
      pending.push(buffer);
      pendingBytes += buffer.length;
      if (pendingBytes >= chunkSize) await flush(false);
    }
    await flush(true);
    const sha256 = hash.digest('hex');
    await use((db) => db.updateTable('upload_blobs').set({ status: 'complete', size, chunks: index, sha256 }).where('id', '=', id).execute());
    return { id, status: 'complete', size, chunkSize, chunks: index, sha256, createdAt };
  } catch (error) {
    pending = [];
    await use((db) => db.transaction().execute((trx) => deleteBlobIn(trx, id))).catch(() => undefined);
    throw error;
  }
}

async function* readBlob(use: Use, id: string): AsyncGenerator<Buffer> {
  const row = await use((db) => db.selectFrom('upload_blobs').selectAll().where('id', '=', id).executeTakeFirst());
  if (row === undefined || row.status !== 'complete') throw new StoreError('NOT_FOUND', `blob ${id} is not in the store (or not complete)`);
  const blob = toBlob(row);
  const hash = createHash('sha256');
  let size = 0;
  for (let idx = 0; idx < blob.chunks; idx++) {
    const chunk = await use((db) => db.selectFrom('upload_blob_chunks').select('bytes').where('blob_id', '=', id).where('idx', '=', idx).executeTakeFirst());
    if (chunk === undefined) throw new StoreError('NOT_FOUND', `blob ${id}: chunk ${idx} of ${blob.chunks} is missing`);
    const bytes = Buffer.from(chunk.bytes);
    hash.update(bytes);
    size += bytes.length;
    yield bytes;
  }
  const sha256 = hash.digest('hex');
  if (size !== blob.size || sha256 !== blob.sha256) throw new StoreError('CORRUPT', `blob ${id}: read ${size} bytes hashing to ${sha256}, stored ${blob.size} bytes hashing to ${blob.sha256 ?? 'nothing'}`);
}

async function deleteAbandonedBlobs(db: Kysely<Database>, before: Date): Promise<{ incomplete: number; unreferenced: number }> {
  const old = await db.selectFrom('upload_blobs').select(['id', 'status']).where('created_at', '<', before.toISOString()).execute();
  let incomplete = 0;
  let unreferenced = 0;
  for (const blob of old) {
    // One transaction per blob: the check that no queued or running scan names it (blob ids are
    // UUIDs, so a substring of the scan's input JSON is exact) and the delete go together.
    const deleted = await db.transaction().execute(async (trx) => {
      if (blob.status !== 'writing') {
        const named = await trx.selectFrom('scans').select('id').where('status', 'in', ['queued', 'running'])
          .where('input', 'like', `%${blob.id}%`).executeTakeFirst();
        if (named !== undefined) return false;
      }
      return deleteBlobIn(trx, blob.id);
    });
    if (!deleted) continue;
    if (blob.status === 'writing') incomplete += 1;
    else unreferenced += 1;
  }
  return { incomplete, unreferenced };
}

/** Owner of the scanner's own fragments (see LayerFragmentsTable.owner). */
const SCANNER_OWNER = '';

function owners(lookup: FragmentLookup | undefined): string[] {
  const owner = lookup?.owner;
  return owner === undefined || owner === null || owner === SCANNER_OWNER ? [SCANNER_OWNER] : [SCANNER_OWNER, owner];
}

async function getFragment(db: Kysely<Database>, digest: string, analyzers: string, lookup: FragmentLookup | undefined): Promise<{ json: string; origin: FragmentOrigin } | undefined> {
  const rows = await db.selectFrom('layer_fragments').select(['json', 'origin', 'owner'])
    .where('digest', '=', digest).where('analyzers', '=', analyzers).where('owner', 'in', owners(lookup)).execute();
  // The scanner's own first: it read the layer.
  const row = rows.find((r) => r.owner === SCANNER_OWNER) ?? rows[0];
  return row === undefined ? undefined : { json: row.json, origin: row.origin as FragmentOrigin };
}

async function putFragment(db: Kysely<Database>, at: string, fragment: FragmentPut): Promise<boolean> {
  const sha256 = createHash('sha256').update(fragment.json).digest('hex');
  if (fragment.origin === 'upload') {
    const uploader = fragment.uploader;
    if (uploader === undefined || uploader === null || uploader === SCANNER_OWNER) throw new StoreError('INVALID_INPUT', 'an uploaded fragment needs its uploader');
    return db.transaction().execute(async (trx) => {
      const scanned = await trx.selectFrom('layer_fragments').select('owner')
        .where('digest', '=', fragment.digest).where('analyzers', '=', fragment.analyzers).where('owner', '=', SCANNER_OWNER).executeTakeFirst();
      if (scanned !== undefined) return false;
      const result = await trx.insertInto('layer_fragments')
        .values({ digest: fragment.digest, analyzers: fragment.analyzers, owner: uploader, json: fragment.json, sha256, origin: 'upload', created_at: at })
        .onConflict((oc) => oc.columns(['digest', 'analyzers', 'owner']).doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    });
  }
  return db.transaction().execute(async (trx) => {
    // The scanner read the layer: every claim about it by an upload is superseded.
    await trx.deleteFrom('layer_fragments')
      .where('digest', '=', fragment.digest).where('analyzers', '=', fragment.analyzers).where('owner', '<>', SCANNER_OWNER).execute();
    const result = await trx.insertInto('layer_fragments')
      .values({ digest: fragment.digest, analyzers: fragment.analyzers, owner: SCANNER_OWNER, json: fragment.json, sha256, origin: 'scan', created_at: at })
      .onConflict((oc) => oc.columns(['digest', 'analyzers', 'owner']).doUpdateSet((eb) => ({
        json: eb.ref('excluded.json'), sha256: eb.ref('excluded.sha256'), origin: eb.ref('excluded.origin'), created_at: eb.ref('excluded.created_at'),
      }))).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  });
}

async function missingFragments(db: Kysely<Database>, digests: readonly string[], analyzers: string, lookup: FragmentLookup | undefined): Promise<string[]> {
  const unique = [...new Set(digests)];
  const present = new Set<string>();
  const who = owners(lookup);
  for (let i = 0; i < unique.length; i += 500) {
    const slice = unique.slice(i, i + 500);
    const rows = await db.selectFrom('layer_fragments').select('digest')
      .where('analyzers', '=', analyzers).where('owner', 'in', who).where('digest', 'in', slice).execute();
    for (const row of rows) present.add(row.digest);
  }
  return unique.filter((d) => !present.has(d));
}

export function scanStore(use: Use, now: () => Date): ScanStore {
  const at = (): string => now().toISOString();
  return {
    createScan: (input) => use(async (db) => {
      const id = input.id ?? randomUUID();
      await db.insertInto('scans').values({
        id,
        status: 'queued',
        target: input.target,
        input_kind: input.inputKind,
        input: JSON.stringify(input.input),
        created_at: at(),
        started_at: null,
        finished_at: null,
        summary: null,
        error: null,
        quota_key: input.quotaKey ?? null,
        results_sha256: null,
      }).execute();
      return (await getScan(db, id))!;
    }),
    getScan: (id) => use((db) => getScan(db, id)),
    listScans: (page) => use((db) => listScans(db, page ?? {})),
    markScanRunning: (id) => use(async (db) => {
      const result = await db.updateTable('scans').set({ status: 'running', started_at: at() })
        .where('id', '=', id).where('status', 'in', ['queued', 'running']).executeTakeFirst();
      return Number(result.numUpdatedRows) === 0 ? undefined : getScan(db, id);
    }),
    completeScan: (id, results, options) => use((db) => completeScan(db, at(), id, results, options?.deleteBlob)),
    failScan: (id, error, options) => use((db) => failScan(db, at(), id, error, options?.deleteBlob)),
    getScanResults: (id) => use(async (db) => {
      const row = await db.selectFrom('scan_results').select(['inventory', 'findings', 'sha256']).where('scan_id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : { inventory: row.inventory, findings: row.findings, sha256: row.sha256 };
    }),
    writeBlob: (source, options) => writeBlob(use, at, source, options),
    getBlob: (id) => use(async (db) => {
      const row = await db.selectFrom('upload_blobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toBlob(row);
    }),
    readBlob: (id) => readBlob(use, id),
    deleteBlob: (id) => use((db) => db.transaction().execute((trx) => deleteBlobIn(trx, id))),
    deleteAbandonedBlobs: (before) => use((db) => deleteAbandonedBlobs(db, before)),
    countBlobs: () => use(async (db) => {
      const blobs = await db.selectFrom('upload_blobs').select(sql<string | number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      const chunks = await db.selectFrom('upload_blob_chunks').select(sql<string | number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      return { blobs: Number(blobs.n), chunks: Number(chunks.n) };
    }),
    getFragment: (digest, analyzers, lookup) => use((db) => getFragment(db, digest, analyzers, lookup)),
    putFragment: (fragment) => use((db) => putFragment(db, at(), fragment)),
    missingFragments: (digests, analyzers, lookup) => use((db) => missingFragments(db, digests, analyzers, lookup)),
  };
}
