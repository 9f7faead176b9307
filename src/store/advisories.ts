import { sql, type Kysely } from 'kysely';
import type { Dialect } from './migrations.js';
import { sha256Hex } from './raw-documents.js';
import type { Database } from './schema.js';

export interface AdvisoryInput {
  /** The canonical advisory key. */
  key: string;
  /** The canonical advisory, already serialized deterministically by the caller. */
  json: string;
  /** Every alias (CVE, GHSA, OSV ids…); the stored set is replaced by this one. */
  aliases: readonly string[];
  modified?: Date | null;
  withdrawn?: Date | null;
}

export interface StoredAdvisory {
  key: string;
  json: string;
  /** Lower-case hex SHA-256 of `json` (UTF-8). */
  sha256: string;
  modified: string | null;
  withdrawn: string | null;
  /** Sorted, deduplicated. */
  aliases: string[];
}

export interface PutAdvisoryResult {
  /** True when the JSON changed (or the advisory is new); only then is a merge event recorded. */
  changed: boolean;
  beforeSha256: string | null;
  afterSha256: string;
}

export interface MergeEvent {
  id: number;
  key: string;
  beforeSha256: string | null;
  afterSha256: string;
  at: string;
}

/**
 * Upserts one advisory and replaces its aliases, in one transaction. On PostgreSQL a transaction
 * advisory lock on the key serializes concurrent writers of the same key, so the before/after chain
 * of merge events never forks; SQLite (one connection, Kysely's mutex) is serial already.
 */
export async function putAdvisory(
  db: Kysely<Database>,
  dialect: Dialect,
  now: () => Date,
  advisory: AdvisoryInput,
): Promise<PutAdvisoryResult> {
  const afterSha256 = sha256Hex(advisory.json);
  const aliases = [...new Set(advisory.aliases)].sort();
  const modified = advisory.modified?.toISOString() ?? null;
  const withdrawn = advisory.withdrawn?.toISOString() ?? null;
  return db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(hashtext(${'stella.advisory:' + advisory.key}))`.execute(trx);
    }
    const before = await trx
      .selectFrom('advisories')
      .select('sha256')
      .where('key', '=', advisory.key)
      .executeTakeFirst();
    const beforeSha256 = before?.sha256 ?? null;
    const changed = beforeSha256 !== afterSha256;
    await trx
      .insertInto('advisories')
      .values({ key: advisory.key, json: advisory.json, sha256: afterSha256, modified, withdrawn })
      .onConflict((oc) => oc.column('key').doUpdateSet({ json: advisory.json, sha256: afterSha256, modified, withdrawn }))
      .execute();
    await trx.deleteFrom('advisory_aliases').where('key', '=', advisory.key).execute();
    if (aliases.length > 0) {
      await trx
        .insertInto('advisory_aliases')
        .values(aliases.map((alias) => ({ alias, key: advisory.key })))
        .execute();
    }
    if (changed) {
      await trx
        .insertInto('merge_events')
        .values({ key: advisory.key, before_sha256: beforeSha256, after_sha256: afterSha256, at: now().toISOString() })
        .execute();
    }
    return { changed, beforeSha256, afterSha256 };
  });
}

export async function getAdvisory(db: Kysely<Database>, key: string): Promise<StoredAdvisory | undefined> {
  const row = await db.selectFrom('advisories').selectAll().where('key', '=', key).executeTakeFirst();
  if (row === undefined) return undefined;
  const aliases = await db
    .selectFrom('advisory_aliases')
    .select('alias')
    .where('key', '=', key)
    .orderBy('alias')
    .execute();
  return { ...row, aliases: aliases.map((a) => a.alias) };
}

/** Keys of every advisory that lists `alias`, sorted. */
export async function findAdvisoryKeysByAlias(db: Kysely<Database>, alias: string): Promise<string[]> {
  const rows = await db
    .selectFrom('advisory_aliases')
    .select('key')
    .where('alias', '=', alias)
    .orderBy('key')
    .execute();
  return rows.map((r) => r.key);
}

/** Merge events of one advisory, oldest first. */
export async function listMergeEvents(db: Kysely<Database>, key: string): Promise<MergeEvent[]> {
  const rows = await db.selectFrom('merge_events').selectAll().where('key', '=', key).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, key: r.key, beforeSha256: r.before_sha256, afterSha256: r.after_sha256, at: r.at }));
}
