import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { OpenStoreOptions } from '../../src/store/index.js';
import { PG_URL } from './store-targets.js';

/*
 * Every row of every table of a test store, as text, read over a connection of its own (not
 * through the Store API, which could hide a column). Used to prove what the store does NOT hold:
 * tokens, token ids, raw IPs.
 */

export interface StoreDump {
  /** table name → its rows as JSON text (bytes as hex). */
  tables: Map<string, string[]>;
  /** SQLite only: the database file and its -wal/-shm companions, raw, as latin1 text. */
  files: string;
}

export async function dumpStore(options: OpenStoreOptions): Promise<StoreDump> {
  if (options.schema !== undefined) return dumpPostgres(options.schema);
  if (options.stellaHome === undefined) throw new Error('dumpStore: want a SQLite target with stellaHome or a PostgreSQL schema');
  return dumpSqlite(join(options.stellaHome, 'stella.db'));
}

function rowText(row: unknown): string {
  return JSON.stringify(row, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('hex') : value));
}

function dumpSqlite(path: string): StoreDump {
  const db = new SqliteDatabase(path, { readonly: true });
  const tables = new Map<string, string[]>();
  try {
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    for (const { name } of names) {
      const rows = db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all();
      tables.set(name, rows.map(rowText));
    }
  } finally {
    db.close();
  }
  const files = ['', '-wal', '-shm'].map((suffix) => `${path}${suffix}`).filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('\n');
  return { tables, files };
}

async function dumpPostgres(schema: string): Promise<StoreDump> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const tables = new Map<string, string[]>();
  try {
    const names = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
      [schema],
    );
    for (const { table_name: name } of names.rows) {
      const rows = await client.query<{ t: string }>(`SELECT t::text AS t FROM "${schema}"."${name.replaceAll('"', '""')}" t`);
      tables.set(name, rows.rows.map((r) => r.t));
    }
  } finally {
    await client.end();
  }
  return { tables, files: '' };
}

/** "table: row" lines of the dump that contain `needle` (empty when it is nowhere). */
export function findInDump(dump: StoreDump, needle: string): string[] {
  const hits: string[] = [];
  for (const [table, rows] of dump.tables) for (const row of rows) if (row.includes(needle)) hits.push(`${table}: ${row}`);
  if (dump.files.includes(needle)) hits.push('(raw SQLite database/WAL bytes)');
  return hits;
}
