import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { sql } from 'kysely';
import { StoreError } from './errors.js';
import type { Dialect } from './migrations.js';
import type { Database, JobsTable } from './schema.js';
import type { JsonValue } from './source-state.js';

/*
 * The job queue's table (issue 8). A job is claimed by one worker at a time under a lease
 * (lease_owner + lease_expires_at); `attempts` grows by one on every claim and, with the owner, is
 * the fencing token: a worker may heartbeat, complete, fail or release a job only while the row
 * still names it AND the attempt it claimed, so a worker whose lease expired and was reclaimed
 * cannot overwrite the new owner's work. Times are ISO-8601 UTC text from the caller's clock (never
 * SQL now()), so tests move time and both dialects compare the same strings.
 */

/**
 * queued → running → succeeded; running → failed (an attempt failed, retried at run_at) → running…;
 * → dead once max_attempts are spent (or the handler said not to retry); queued/failed/running →
 * cancelled.
 */
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface Job {
  id: number;
  kind: string;
  payload: JsonValue;
  status: JobStatus;
  /** How many times the job was claimed (a lost lease counts too). */
  attempts: number;
  maxAttempts: number;
  /** When the job (or its retry) becomes eligible. */
  runAt: string;
  /** The worker that claimed it last. */
  leaseOwner: string | null;
  /** Set while running; a past value means the worker died and the job may be reclaimed. */
  leaseExpiresAt: string | null;
  lastError: string | null;
  result: JsonValue;
  dedupeKey: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface JobInput {
  kind: string;
  payload?: JsonValue;
  /** Default: now. */
  runAt?: Date;
  /** Default 5. */
  maxAttempts?: number;
  /** Idempotent enqueue: a second job with the same key is not created; the first is returned. */
  dedupeKey?: string;
}

/** Which claim of which job a worker holds: the fencing token for every later write. */
export interface JobLease {
  id: number;
  workerId: string;
  attempt: number;
}

export interface JobFilter {
  status?: JobStatus | readonly JobStatus[];
  kind?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  /** Newest first; pass the last id seen to get the next page. */
  beforeId?: number;
}

/** A write that commits in the same transaction as the job's completion (use `tx`, never the Store). */
export type CompletionEffect = (tx: Kysely<Database>) => Promise<void>;

export interface JobStore {
  enqueue(input: JobInput, at: Date): Promise<{ job: Job; created: boolean }>;
  get(id: number): Promise<Job | undefined>;
  list(filter?: JobFilter): Promise<Job[]>;
  /** Claims the next eligible job of one of `kinds` (queued/failed and due, or running with an expired lease). */
  claim(options: { workerId: string; kinds: readonly string[]; leaseMs: number; at: Date }): Promise<Job | undefined>;
  /** Extends the lease; false when the lease is no longer this worker's (reclaimed, cancelled, finished). */
  heartbeat(lease: JobLease, leaseMs: number, at: Date): Promise<boolean>;
  /** Marks the job succeeded and runs `effect` in the same transaction; false (nothing written) when the lease is lost. */
  complete(lease: JobLease, result: JsonValue, at: Date, effect?: CompletionEffect): Promise<boolean>;
  /** One failed attempt: retried at `retryAt`, or dead when `retryAt` is null. False when the lease is lost. */
  fail(lease: JobLease, error: string, retryAt: Date | null, at: Date): Promise<boolean>;
  /** Gives the job back (queued, due now) without finishing it: a worker shutting down. */
  release(lease: JobLease, at: Date): Promise<boolean>;
  /** Cancels a queued, failed or running job (a running one loses its lease); false when already finished. */
  cancel(id: number, at: Date): Promise<boolean>;
}

export async function upJobs(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('result', 'text')
    // NULLs are distinct in a unique constraint on both dialects: only keyed jobs are deduplicated.
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_status_run_at_idx').on('jobs').columns(['status', 'run_at', 'id']).execute();
  await db.schema.createIndex('jobs_kind_idx').on('jobs').columns(['kind', 'id']).execute();
}

type Row = Selectable<JobsTable>;

function toJob(row: Row): Job {
  return {
    id: Number(row.id),
    kind: row.kind,
    payload: JSON.parse(row.payload) as JsonValue,
    status: row.status as JobStatus,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAt: row.run_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    lastError: row.last_error,
    result: row.result === null ? null : (JSON.parse(row.result) as JsonValue),
    dedupeKey: row.dedupe_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function checkInput(input: JobInput): void {
  if (!/^[a-z][a-z0-9-]{0,63}$/.test(input.kind)) {
    throw new StoreError('INVALID_INPUT', `job kind must be lower-case letters, digits and dashes: ${JSON.stringify(input.kind)}`);
  }
  const max = input.maxAttempts ?? 5;
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw new StoreError('INVALID_INPUT', `maxAttempts must be an integer from 1 to 1000, got ${String(max)}`);
  }
  if (input.runAt !== undefined && Number.isNaN(input.runAt.getTime())) throw new StoreError('INVALID_INPUT', 'runAt is not a valid date');
}

async function enqueue(db: Kysely<Database>, input: JobInput, at: Date): Promise<{ job: Job; created: boolean }> {
  checkInput(input);
  const stamp = at.toISOString();
  const inserted = await db
    .insertInto('jobs')
    .values({
      kind: input.kind,
      payload: JSON.stringify(input.payload ?? null),
      status: 'queued',
      attempts: 0,
      max_attempts: input.maxAttempts ?? 5,
      run_at: (input.runAt ?? at).toISOString(),
      dedupe_key: input.dedupeKey ?? null,
      created_at: stamp,
      updated_at: stamp,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted !== undefined) return { job: toJob(inserted), created: true };
  const existing = await db.selectFrom('jobs').selectAll().where('dedupe_key', '=', input.dedupeKey ?? '').executeTakeFirst();
  if (existing === undefined) throw new StoreError('INVALID_INPUT', `job with dedupe key ${JSON.stringify(input.dedupeKey)} vanished`);
  return { job: toJob(existing), created: false };
}

async function list(db: Kysely<Database>, filter: JobFilter = {}): Promise<Job[]> {
  const limit = Math.min(Math.max(1, Math.floor(filter.limit ?? 100)), 1000);
  const statuses = filter.status === undefined ? undefined : typeof filter.status === 'string' ? [filter.status] : [...filter.status];
  const rows = await db
    .selectFrom('jobs')
    .selectAll()
    .$if(statuses !== undefined && statuses.length > 0, (q) => q.where('status', 'in', statuses ?? []))
    .$if(filter.kind !== undefined, (q) => q.where('kind', '=', filter.kind ?? ''))
    .$if(filter.beforeId !== undefined, (q) => q.where('id', '<', filter.beforeId ?? 0))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toJob);
}

/*
 * One statement claims one job. On PostgreSQL the inner SELECT … FOR UPDATE SKIP LOCKED lets any
 * number of workers claim concurrently without blocking on, or double-claiming, the same row. On
 * SQLite a single UPDATE … RETURNING is its own write transaction (the database-wide write lock is
 * taken before the subquery's row is read), which is what an immediate transaction would give.
 */
async function claim(
  db: Kysely<Database>,
  dialect: Dialect,
  options: { workerId: string; kinds: readonly string[]; leaseMs: number; at: Date },
): Promise<Job | undefined> {
  if (options.kinds.length === 0) return undefined;
  const now = options.at.toISOString();
  const expires = new Date(options.at.getTime() + options.leaseMs).toISOString();
  // A worker that died on the last allowed attempt leaves a job nobody may claim again: bury it
  // (rows another worker is burying or finishing right now are skipped, not waited for).
  await db
    .updateTable('jobs')
    .set({ status: 'dead', lease_expires_at: null, updated_at: now, last_error: sql<string>`coalesce(last_error || '; ', '') || ${'lease expired on the last attempt'}` })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'running')
        .where('lease_expires_at', '<', now)
        .where((w) => w('attempts', '>=', w.ref('max_attempts')))
        .where('kind', 'in', options.kinds)
        .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked()))
    .execute();
  const row = await db
    .updateTable('jobs')
    .set({
      status: 'running',
      lease_owner: options.workerId,
      lease_expires_at: expires,
      attempts: sql<number>`attempts + 1`,
      updated_at: now,
    })
    .where('id', '=', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where('kind', 'in', options.kinds)
        .where((w) =>
          w.or([
            w.and([w('status', 'in', ['queued', 'failed']), w('run_at', '<=', now)]),
            w.and([w('status', '=', 'running'), w('lease_expires_at', '<', now), w('attempts', '<', w.ref('max_attempts'))]),
          ]))
        .orderBy('run_at')
        .orderBy('id')
        .limit(1)
        .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked()))
    .returningAll()
    .executeTakeFirst();
  return row === undefined ? undefined : toJob(row);
}

async function updateOwned(db: Kysely<Database>, lease: JobLease, values: Updateable<JobsTable>): Promise<boolean> {
  const row = await db
    .updateTable('jobs')
    .set(values)
    .where('id', '=', lease.id)
    .where('status', '=', 'running')
    .where('lease_owner', '=', lease.workerId)
    .where('attempts', '=', lease.attempt)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

async function complete(db: Kysely<Database>, lease: JobLease, result: JsonValue, at: Date, effect?: CompletionEffect): Promise<boolean> {
  const lost = Symbol('lost');
  try {
    return await db.transaction().execute(async (tx: Transaction<Database>) => {
      // The ownership check comes first: on PostgreSQL it row-locks the job, so a reclaim waits for
      // this transaction and then sees a finished job; if the lease was already taken, nothing of
      // the effect is written.
      const ok = await updateOwned(tx, lease, {
        status: 'succeeded',
        result: JSON.stringify(result),
        lease_expires_at: null,
        updated_at: at.toISOString(),
      });
      if (!ok) throw lost;
      if (effect !== undefined) await effect(tx);
      return true;
    });
  } catch (error) {
    if (error === lost) return false;
    throw error;
  }
}

function fail(db: Kysely<Database>, lease: JobLease, error: string, retryAt: Date | null, at: Date): Promise<boolean> {
  return updateOwned(db, lease, {
    status: retryAt === null ? 'dead' : 'failed',
    last_error: error.slice(0, 4000),
    lease_expires_at: null,
    ...(retryAt === null ? {} : { run_at: retryAt.toISOString() }),
    updated_at: at.toISOString(),
  });
}

function heartbeat(db: Kysely<Database>, lease: JobLease, leaseMs: number, at: Date): Promise<boolean> {
  return updateOwned(db, lease, {
    lease_expires_at: new Date(at.getTime() + leaseMs).toISOString(),
    updated_at: at.toISOString(),
  });
}

function release(db: Kysely<Database>, lease: JobLease, at: Date): Promise<boolean> {
  return updateOwned(db, lease, { status: 'queued', lease_expires_at: null, run_at: at.toISOString(), updated_at: at.toISOString() });
}

async function cancel(db: Kysely<Database>, id: number, at: Date): Promise<boolean> {
  const row = await db
    .updateTable('jobs')
    .set({ status: 'cancelled', lease_expires_at: null, updated_at: at.toISOString() })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'failed', 'running'])
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The Store's `jobs` sub-API; `use` is the store's guard (it refuses calls after close). */
export function jobStore(use: <R>(fn: (db: Kysely<Database>) => Promise<R>) => Promise<R>, dialect: Dialect): JobStore {
  return {
    enqueue: (input, at) => use((d) => enqueue(d, input, at)),
    get: (id) => use(async (d) => {
      const row = await d.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toJob(row);
    }),
    list: (filter) => use((d) => list(d, filter)),
    claim: (options) => use((d) => claim(d, dialect, options)),
    heartbeat: (lease, leaseMs, at) => use((d) => heartbeat(d, lease, leaseMs, at)),
    complete: (lease, result, at, effect) => use((d) => complete(d, lease, result, at, effect)),
    fail: (lease, error, retryAt, at) => use((d) => fail(d, lease, error, retryAt, at)),
    release: (lease, at) => use((d) => release(d, lease, at)),
    cancel: (id, at) => use((d) => cancel(d, id, at)),
  };
}
