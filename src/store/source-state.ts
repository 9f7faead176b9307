import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A connector's bookkeeping. Timestamps are ISO-8601 UTC strings. */
export interface SourceState {
  source: string;
  /** The connector's own resume point (stored as JSON text); null before the first run. */
  cursor: JsonValue;
  lastSuccess: string | null;
  lastError: string | null;
  failureCount: number;
  backoffUntil: string | null;
  /** Set by the store from its clock on every put. */
  updatedAt: string;
}

/** What `putSourceState` writes: the whole row (omitted fields become null / 0), except `updatedAt`. */
export interface SourceStateInput {
  source: string;
  cursor?: JsonValue;
  lastSuccess?: Date | null;
  lastError?: string | null;
  failureCount?: number;
  backoffUntil?: Date | null;
}

export async function getSourceState(db: Kysely<Database>, source: string): Promise<SourceState | undefined> {
  const row = await db.selectFrom('source_state').selectAll().where('source', '=', source).executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    source: row.source,
    cursor: row.cursor === null ? null : (JSON.parse(row.cursor) as JsonValue),
    lastSuccess: row.last_success,
    lastError: row.last_error,
    failureCount: Number(row.failure_count),
    backoffUntil: row.backoff_until,
    updatedAt: row.updated_at,
  };
}

export async function putSourceState(db: Kysely<Database>, now: () => Date, state: SourceStateInput): Promise<SourceState> {
  const values = {
    cursor: state.cursor === undefined || state.cursor === null ? null : JSON.stringify(state.cursor),
    last_success: state.lastSuccess?.toISOString() ?? null,
    last_error: state.lastError ?? null,
    failure_count: state.failureCount ?? 0,
    backoff_until: state.backoffUntil?.toISOString() ?? null,
    updated_at: now().toISOString(),
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('source_state')
      .values({ source: state.source, ...values })
      .onConflict((oc) => oc.column('source').doUpdateSet(values))
      .execute();
  });
  return {
    source: state.source,
    cursor: values.cursor === null ? null : (JSON.parse(values.cursor) as JsonValue),
    lastSuccess: values.last_success,
    lastError: values.last_error,
    failureCount: values.failure_count,
    backoffUntil: values.backoff_until,
    updatedAt: values.updated_at,
  };
}
