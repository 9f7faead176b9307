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
  /** Null when the advisory was removed. */
  afterSha256: string | null;
  at: string;
}

/** A package a canonical advisory names, for search (`ecosystem` as OSV names it, `name` normalized). */
export interface AdvisoryPackageRef {
  ecosystem: string;
  name: string;
}

export interface AdvisoryWrite extends AdvisoryInput {
  /** When given, replaces the advisory's package index rows. */
  packages?: readonly AdvisoryPackageRef[];
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
  advisory: AdvisoryWrite,
): Promise<PutAdvisoryResult> {
  const [result] = await putAdvisories(db, dialect, now, [advisory]);
  return result as PutAdvisoryResult;
}

/**
 * Upserts many advisories in ONE transaction (the merge writes in batches). Keys are locked in
 * sorted order on PostgreSQL, so two concurrent batches cannot deadlock. Unchanged advisories
 * (same JSON) are left alone: no write, no merge event.
 */
export async function putAdvisories(
  db: Kysely<Database>,
  dialect: Dialect,
  now: () => Date,
  advisories: readonly AdvisoryWrite[],
): Promise<PutAdvisoryResult[]> {
  if (advisories.length === 0) return [];
  const at = now().toISOString();
  return db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') {
      for (const key of [...new Set(advisories.map((a) => a.key))].sort()) {
        await sql`select pg_advisory_xact_lock(hashtext(${'stella.advisory:' + key}))`.execute(trx);
      }
    }
    const before = new Map<string, string>();
    for (const chunk of chunks(advisories.map((a) => a.key), 500)) {
      const rows = await trx.selectFrom('advisories').select(['key', 'sha256']).where('key', 'in', chunk).execute();
      for (const row of rows) before.set(row.key, row.sha256);
    }
    const results: PutAdvisoryResult[] = [];
    const changed: { advisory: AdvisoryWrite; beforeSha256: string | null; afterSha256: string }[] = [];
    const seenKeys = new Set<string>();
    for (const advisory of advisories) {
      const afterSha256 = sha256Hex(advisory.json);
      const beforeSha256 = before.get(advisory.key) ?? null;
      const isChanged = beforeSha256 !== afterSha256;
      results.push({ changed: isChanged, beforeSha256, afterSha256 });
      if (!isChanged) continue;
      before.set(advisory.key, afterSha256);
      if (seenKeys.has(advisory.key)) {
        // The same key twice in one batch: write what we have so far first, to keep the chain.
        await writeChanged(trx, changed, at);
        changed.length = 0;
        seenKeys.clear();
      }
      seenKeys.add(advisory.key);
      changed.push({ advisory, beforeSha256, afterSha256 });
    }
    await writeChanged(trx, changed, at);
    return results;
  });
}

type Trx = Parameters<Parameters<ReturnType<Kysely<Database>['transaction']>['execute']>[0]>[0];

/** Multi-row writes for a set of changed advisories with distinct keys (a few statements per batch). */
async function writeChanged(
  trx: Trx,
  changed: readonly { advisory: AdvisoryWrite; beforeSha256: string | null; afterSha256: string }[],
  at: string,
): Promise<void> {
  if (changed.length === 0) return;
  for (const chunk of chunks(changed, 400)) {
    await trx
      .insertInto('advisories')
      .values(chunk.map(({ advisory, afterSha256 }) => ({
        key: advisory.key,
        json: advisory.json,
        sha256: afterSha256,
        modified: advisory.modified?.toISOString() ?? null,
        withdrawn: advisory.withdrawn?.toISOString() ?? null,
      })))
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({
        json: eb.ref('excluded.json'),
        sha256: eb.ref('excluded.sha256'),
        modified: eb.ref('excluded.modified'),
        withdrawn: eb.ref('excluded.withdrawn'),
      })))
      .execute();
    const keys = chunk.map((c) => c.advisory.key);
    await trx.deleteFrom('advisory_aliases').where('key', 'in', keys).execute();
    const aliasRows = chunk.flatMap(({ advisory }) => [...new Set(advisory.aliases)].sort().map((alias) => ({ alias, key: advisory.key })));
    for (const rows of chunks(aliasRows, 1000)) await trx.insertInto('advisory_aliases').values(rows).execute();
    const withPackages = chunk.filter((c) => c.advisory.packages !== undefined);
    if (withPackages.length > 0) {
      await trx.deleteFrom('advisory_packages').where('key', 'in', withPackages.map((c) => c.advisory.key)).execute();
      const packageRows = withPackages.flatMap(({ advisory }) => {
        const seen = new Set<string>();
        return (advisory.packages ?? []).flatMap((p) => {
          const id = `${p.ecosystem}\u0000${p.name}`;
          if (seen.has(id)) return [];
          seen.add(id);
          return [{ ecosystem: p.ecosystem, name: p.name, key: advisory.key }];
        });
      });
      for (const rows of chunks(packageRows, 1000)) await trx.insertInto('advisory_packages').values(rows).execute();
    }
    await trx
      .insertInto('merge_events')
      .values(chunk.map(({ advisory, beforeSha256, afterSha256 }) => ({ key: advisory.key, before_sha256: beforeSha256, after_sha256: afterSha256, at })))
      .execute();
  }
}

/**
 * Removes advisories the merge no longer produces (their records now belong to another key), with
 * a merge event whose `after` is null, so the history says where the key went.
 */
export async function deleteAdvisories(
  db: Kysely<Database>,
  dialect: Dialect,
  now: () => Date,
  keys: readonly string[],
): Promise<number> {
  if (keys.length === 0) return 0;
  const at = now().toISOString();
  return db.transaction().execute(async (trx) => {
    let deleted = 0;
    for (const key of [...new Set(keys)].sort()) {
      if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${'stella.advisory:' + key}))`.execute(trx);
      const row = await trx.selectFrom('advisories').select('sha256').where('key', '=', key).executeTakeFirst();
      if (row === undefined) continue;
      await trx.deleteFrom('advisories').where('key', '=', key).execute();
      await trx.deleteFrom('advisory_aliases').where('key', '=', key).execute();
      await trx.deleteFrom('advisory_packages').where('key', '=', key).execute();
      await trx.insertInto('merge_events').values({ key, before_sha256: row.sha256, after_sha256: null, at }).execute();
      deleted += 1;
    }
    return deleted;
  });
}

/** key → sha256 of every stored advisory (the merge compares against it). */
export async function listAdvisoryHashes(db: Kysely<Database>): Promise<Map<string, string>> {
  const rows = await db.selectFrom('advisories').select(['key', 'sha256']).execute();
  return new Map(rows.map((r) => [r.key, r.sha256]));
}

/** Keys of advisories naming a package: by exact (normalized) name, optionally in one ecosystem. */
export async function findAdvisoryKeysByPackage(
  db: Kysely<Database>,
  name: string,
  ecosystem?: string,
): Promise<string[]> {
  let query = db.selectFrom('advisory_packages').select('key').distinct().where('name', '=', name);
  if (ecosystem !== undefined) query = query.where('ecosystem', '=', ecosystem);
  const rows = await query.orderBy('key').execute();
  return rows.map((r) => r.key);
}

/** Canonical advisories in key order, a page at a time (exports, matching). */
export async function listAdvisories(
  db: Kysely<Database>,
  afterKey: string | null,
  limit: number,
): Promise<{ key: string; json: string; sha256: string }[]> {
  let query = db.selectFrom('advisories').select(['key', 'json', 'sha256']);
  if (afterKey !== null) query = query.where('key', '>', afterKey);
  return query.orderBy('key').limit(limit).execute();
}

export async function countAdvisories(db: Kysely<Database>): Promise<{ total: number; withdrawn: number }> {
  const row = await db
    .selectFrom('advisories')
    .select((eb) => [eb.fn.countAll<string | number>().as('total'), eb.fn.count<string | number>('withdrawn').as('withdrawn')])
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), withdrawn: Number(row.withdrawn) };
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
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

/**
 * When the merged advisories last changed (the newest merge event), or null before any merge.
 * Exports take their timestamps from here, never from the wall clock.
 */
export async function lastMergeAt(db: Kysely<Database>): Promise<string | null> {
  const row = await db
    .selectFrom('merge_events')
    .select((eb) => eb.fn.max('at').as('at'))
    .executeTakeFirst();
  return (row?.at as string | null | undefined) ?? null;
}
