import Database from 'better-sqlite3';
import { RpmdbError, type RpmdbRecord } from './errors.js';

/*
 * rpmdb.sqlite (RHEL 9, Fedora ≥ 33, CBL-Mariner): table Packages(hnum INTEGER PRIMARY KEY, blob).
 * The file is opened from memory (SQLite's deserialize), never in the image's directory. rpm keeps
 * the database in WAL mode (header bytes 18/19 = 2) and checkpoints on close, so the shipped file
 * is complete; SQLite refuses to deserialize a WAL-mode image, so a copy is marked rollback-mode.
 */

export const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

function openInMemory(file: Uint8Array): Database.Database {
  const copy = Buffer.from(file);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  try {
    const db = new Database(copy, { readonly: true });
    // A hostile file may carry views or triggers calling functions; refuse them, and check cells.
    db.pragma('trusted_schema = OFF');
    db.pragma('cell_size_check = ON');
    return db;
  } catch (error) {
    throw new RpmdbError('MALFORMED_DATABASE', `sqlite: cannot open: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Every row of the Packages table, in instance order. */
export function readSqlite(file: Uint8Array): RpmdbRecord[] {
  const db = openInMemory(file);
  try {
    const table = db.prepare("SELECT type FROM sqlite_master WHERE name = 'Packages'").get() as { type?: unknown } | undefined;
    if (table?.type !== 'table') throw new RpmdbError('MALFORMED_DATABASE', 'sqlite: no Packages table: not an rpm database');
    const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all() as { hnum: unknown; blob: unknown }[];
    return rows.map((row): RpmdbRecord => {
      const instance = typeof row.hnum === 'number' ? row.hnum : Number(row.hnum);
      if (!(row.blob instanceof Uint8Array)) return { instance, error: `sqlite package ${instance}: blob is a ${typeof row.blob}, not bytes` };
      return { instance, blob: row.blob };
    });
  } catch (error) {
    if (error instanceof RpmdbError) throw error;
    throw new RpmdbError('MALFORMED_DATABASE', `sqlite: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    db.close();
  }
}
