import { sql, type Kysely, type Selectable } from 'kysely';
import { StoreError } from './errors.js';
import type { Dialect } from './migrations.js';
import type { AuthorityTokensTable, Database } from './schema.js';

/*
 * Persistence for the server's safeguards (issue 8): instance secrets (the token signing key and
 * the salts), issued tokens (by salted hash only), the quota ledger (day, key hash, count — nothing
 * else) and the access log (raw client IP until retention replaces it with a keyed hash).
 */

/** One issued token as stored: never the token nor its id, only the id's salted SHA-256. */
export interface TokenRecord {
  hash: string;
  label: string;
  /** Scope names in the order they were granted. */
  scopes: string[];
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface AccessLogInput {
  at: Date;
  method: string;
  /** The route pattern (`/api/v1/scans/:id`), never the raw URL; null when no route matched. */
  route: string | null;
  status: number;
  durationMs: number;
  /** The raw client IP: kept until the retention job replaces it with `ipHmac`. */
  ip: string;
  tokenHash: string | null;
}

export interface AccessLogEntry {
  id: number;
  at: string;
  method: string;
  route: string | null;
  status: number;
  durationMs: number;
  ip: string | null;
  ipHmac: string | null;
  tokenHash: string | null;
}

export interface AuthorityStore {
  /**
   * The secret called `name`, created from `candidate` when absent. Race-safe across processes
   * and nodes: the first insert wins and every caller gets the winner's value.
   */
  ensureSecret(name: string, candidate: () => string): Promise<string>;
  putToken(token: TokenRecord): Promise<void>;
  getToken(hash: string): Promise<TokenRecord | undefined>;
  /** Tokens whose hash starts with `prefix` (lower-case hex), oldest first. */
  findTokens(prefix: string): Promise<TokenRecord[]>;
  listTokens(): Promise<TokenRecord[]>;
  /** Marks a token revoked (keeps the first revocation time); false when the hash is unknown. */
  revokeToken(hash: string, at: Date): Promise<boolean>;
  /** Counts one scan for (day, key) atomically and returns the new count. */
  consumeQuota(day: string, keyHash: string): Promise<number>;
  peekQuota(day: string, keyHash: string): Promise<number>;
  /** Deletes ledger rows of days before `day`; returns how many. */
  pruneQuota(beforeDay: string): Promise<number>;
  appendAccessLog(entry: AccessLogInput): Promise<void>;
  /** Entries in id order, `limit` at a time after `afterId`. */
  listAccessLog(afterId: number, limit: number): Promise<AccessLogEntry[]>;
  /**
   * Replaces the raw IP of every entry older than `before` with `hmac(ip)`; returns how many rows
   * changed. Idempotent: rows already hashed are left alone.
   */
  hashAccessLogIps(before: Date, hmac: (ip: string) => string): Promise<number>;
}

export async function upAuthority(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  await db.schema
    .createTable('authority_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('authority_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema
    .createTable('quota_ledger')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('quota_ledger_pkey', ['day', 'key_hash'])
    .execute();
  await db.schema
    .createTable('access_log')
    .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text')
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'double precision', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('ip_hmac', 'text')
    .addColumn('token_hash', 'text')
    .execute();
  // Retention scans by time; no index holds the raw IP (an index page would be one more copy).
  await db.schema.createIndex('access_log_at_idx').on('access_log').column('at').execute();
}

type Db = Kysely<Database>;

function toToken(row: Selectable<AuthorityTokensTable>): TokenRecord {
  return {
    hash: row.token_hash,
    label: row.label,
    scopes: row.scopes === '' ? [] : row.scopes.split(','),
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

async function ensureSecret(db: Db, now: () => Date, name: string, candidate: () => string): Promise<string> {
  const existing = await db.selectFrom('authority_secrets').select('value').where('name', '=', name).executeTakeFirst();
  if (existing !== undefined) return existing.value;
  await db
    .insertInto('authority_secrets')
    .values({ name, value: candidate(), created_at: now().toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('authority_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

async function putToken(db: Db, token: TokenRecord): Promise<void> {
  await db
    .insertInto('authority_tokens')
    .values({
      token_hash: token.hash,
      label: token.label,
      scopes: token.scopes.join(','),
      issued_at: token.issuedAt,
      expires_at: token.expiresAt,
      revoked_at: token.revokedAt,
    })
    .execute();
}

async function getToken(db: Db, hash: string): Promise<TokenRecord | undefined> {
  const row = await db.selectFrom('authority_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  return row === undefined ? undefined : toToken(row);
}

async function findTokens(db: Db, prefix: string): Promise<TokenRecord[]> {
  // Hex only: no LIKE wildcard can slip in.
  if (!/^[0-9a-f]{1,64}$/.test(prefix)) throw new StoreError('INVALID_INPUT', `not a lower-case hex token hash prefix: ${JSON.stringify(prefix)}`);
  const rows = await db
    .selectFrom('authority_tokens')
    .selectAll()
    .where('token_hash', 'like', `${prefix}%`)
    .orderBy('issued_at')
    .orderBy('token_hash')
    .execute();
  return rows.map(toToken);
}

async function listTokens(db: Db): Promise<TokenRecord[]> {
  const rows = await db.selectFrom('authority_tokens').selectAll().orderBy('issued_at').orderBy('token_hash').execute();
  return rows.map(toToken);
}

async function revokeToken(db: Db, hash: string, at: Date): Promise<boolean> {
  await db
    .updateTable('authority_tokens')
    .set({ revoked_at: at.toISOString() })
    .where('token_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .execute();
  return (await getToken(db, hash)) !== undefined;
}

// One statement: the row lock (PostgreSQL) or the single writer (SQLite) makes it exact under
// concurrency, and RETURNING hands back the count this very increment produced.
async function consumeQuota(db: Db, day: string, keyHash: string): Promise<number> {
  const row = await db
    .insertInto('quota_ledger')
    .values({ day, key_hash: keyHash, count: 1 })
    .onConflict((oc) => oc.columns(['day', 'key_hash']).doUpdateSet({ count: sql<number>`${sql.ref('quota_ledger.count')} + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function peekQuota(db: Db, day: string, keyHash: string): Promise<number> {
  const row = await db
    .selectFrom('quota_ledger')
    .select('count')
    .where('day', '=', day)
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();
  return row === undefined ? 0 : Number(row.count);
}

async function pruneQuota(db: Db, beforeDay: string): Promise<number> {
  const result = await db.deleteFrom('quota_ledger').where('day', '<', beforeDay).executeTakeFirst();
  return Number(result.numDeletedRows);
}

async function appendAccessLog(db: Db, entry: AccessLogInput): Promise<void> {
  await db
    .insertInto('access_log')
    .values({
      at: entry.at.toISOString(),
      method: entry.method,
      route: entry.route,
      status: entry.status,
      duration_ms: entry.durationMs,
      ip: entry.ip,
      ip_hmac: null,
      token_hash: entry.tokenHash,
    })
    .execute();
}

async function listAccessLog(db: Db, afterId: number, limit: number): Promise<AccessLogEntry[]> {
  const rows = await db.selectFrom('access_log').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    method: r.method,
    route: r.route,
    status: Number(r.status),
    durationMs: Number(r.duration_ms),
    ip: r.ip,
    ipHmac: r.ip_hmac,
    tokenHash: r.token_hash,
  }));
}

async function hashAccessLogIps(db: Db, dialect: Dialect, before: Date, hmac: (ip: string) => string): Promise<number> {
  const cutoff = before.toISOString();
  const changed = await db.transaction().execute(async (trx) => {
    if (dialect === 'sqlite') {
      // Overwrite freed record space with zeros, so the replaced IP text does not linger in free
      // pages of the database file (the connection keeps the setting).
      await sql`PRAGMA secure_delete = ON`.execute(trx);
    }
    const ips = await trx
      .selectFrom('access_log')
      .select('ip')
      .distinct()
      .where('ip', 'is not', null)
      .where('at', '<', cutoff)
      .execute();
    let changed = 0;
    for (const { ip } of ips) {
      if (ip === null) continue;
      const result = await trx
        .updateTable('access_log')
        .set({ ip: null, ip_hmac: hmac(ip) })
        .where('ip', '=', ip)
        .where('at', '<', cutoff)
        .executeTakeFirst();
      changed += Number(result.numUpdatedRows);
    }
    return changed;
  });
  if (changed > 0 && dialect === 'sqlite') {
    // The write-ahead log still holds the page images written before the update; copy the new
    // pages into the database file and truncate the log (best effort while readers hold it).
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  } else if (changed > 0) {
    // PostgreSQL keeps the replaced row versions until they are vacuumed; do it now rather than
    // whenever autovacuum gets there (outside a transaction, as VACUUM must be).
    await sql`VACUUM access_log`.execute(db);
  }
  return changed;
}

export function authorityStore(use: <R>(fn: (db: Db) => Promise<R>) => Promise<R>, dialect: Dialect, now: () => Date): AuthorityStore {
  return {
    ensureSecret: (name, candidate) => use((d) => ensureSecret(d, now, name, candidate)),
    putToken: (token) => use((d) => putToken(d, token)),
    getToken: (hash) => use((d) => getToken(d, hash)),
    findTokens: (prefix) => use((d) => findTokens(d, prefix)),
    listTokens: () => use((d) => listTokens(d)),
    revokeToken: (hash, at) => use((d) => revokeToken(d, hash, at)),
    consumeQuota: (day, keyHash) => use((d) => consumeQuota(d, day, keyHash)),
    peekQuota: (day, keyHash) => use((d) => peekQuota(d, day, keyHash)),
    pruneQuota: (beforeDay) => use((d) => pruneQuota(d, beforeDay)),
    appendAccessLog: (entry) => use((d) => appendAccessLog(d, entry)),
    listAccessLog: (afterId, limit) => use((d) => listAccessLog(d, afterId, limit)),
    hashAccessLogIps: (before, hmac) => use((d) => hashAccessLogIps(d, dialect, before, hmac)),
  };
}
