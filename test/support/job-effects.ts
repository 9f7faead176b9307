import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import type { CompletionEffect } from '../../src/store/index.js';
import type { Target } from './store-targets.js';

/*
 * A side table for job tests: a handler's "effect" is one row (job id, worker) written inside the
 * completion transaction. It deliberately has no unique key on job_id, so a job whose effect was
 * written twice shows up as two rows instead of an error.
 */

export interface EffectRow {
  jobId: number;
  worker: string;
}

export interface EffectTable {
  rows(): Promise<EffectRow[]>;
  close(): Promise<void>;
}

/** The effect of one job run, for `ctx.onComplete` / `store.jobs.complete`. */
export function writeEffect(jobId: number, worker: string): CompletionEffect {
  return async (tx) => {
    await sql`insert into job_effects (job_id, worker) values (${jobId}, ${worker})`.execute(tx);
  };
}

/** Creates `job_effects` in the target's database (SQLite file or PostgreSQL schema) and reads it back. */
export async function effectTable(target: Target): Promise<EffectTable> {
  const options = target.options();
  if (options.url?.startsWith('postgres') === true) {
    const client = new pg.Client({
      connectionString: options.url,
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    });
    await client.connect();
    await client.query('create table if not exists job_effects (id serial primary key, job_id integer not null, worker text not null)');
    return {
      async rows() {
        const r = await client.query<{ job_id: number; worker: string }>('select job_id, worker from job_effects order by id');
        return r.rows.map((x) => ({ jobId: Number(x.job_id), worker: x.worker }));
      },
      close: () => client.end(),
    };
  }
  if (options.stellaHome === undefined) throw new Error('effectTable: a SQLite target needs stellaHome');
  const db = new SqliteDatabase(join(options.stellaHome, 'stella.db'));
  db.pragma('busy_timeout = 5000');
  db.exec('create table if not exists job_effects (id integer primary key autoincrement, job_id integer not null, worker text not null)');
  return {
    rows: () => {
      const rows = db.prepare('select job_id, worker from job_effects order by id').all() as { job_id: number; worker: string }[];
      return Promise.resolve(rows.map((x) => ({ jobId: Number(x.job_id), worker: x.worker })));
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

/** A clock tests move by hand. */
export interface ManualClock {
  (): Date;
  advance(ms: number): void;
}

export function manualClock(start = '2024-01-01T00:00:00.000Z'): ManualClock {
  let t = Date.parse(start);
  const clock = (() => new Date(t)) as ManualClock;
  clock.advance = (ms) => {
    t += ms;
  };
  return clock;
}
