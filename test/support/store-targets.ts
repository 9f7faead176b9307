import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { openStore, type OpenStoreOptions, type Store } from '../../src/store/index.js';
import { missingPrerequisite } from './tools.js';

/*
 * Store test targets: a fresh SQLite file, or a fresh schema on the real PostgreSQL server
 * (127.0.0.1:5432, trust auth, database `test`; STELLA_TEST_DATABASE_URL overrides). Suites that
 * must pass on both dialects call `forEachDialect`.
 */

export const PG_URL = process.env.STELLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A clock that starts at a fixed instant and moves one second per reading. */
export function fakeClock(): () => Date {
  let t = Date.parse('2024-01-01T00:00:00.000Z');
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

/** A fresh, empty database for one test, and how to open stores on it and tear it down. */
export interface Target {
  options(): OpenStoreOptions;
  dispose(): Promise<void>;
}

export type TargetFactory = () => Promise<Target>;

export const sqliteTarget: TargetFactory = () => {
  const dir = mkdtempSync(join(tmpdir(), 'stella-store-'));
  return Promise.resolve({
    options: () => ({ stellaHome: dir, url: undefined }),
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
};

export const postgresTarget: TargetFactory = async () => {
  const schema = `stella_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  return {
    options: () => ({ url: PG_URL, schema }),
    dispose: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
};

export async function postgresReachable(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function withStore(factory: TargetFactory, fn: (store: Store, target: Target) => Promise<void>): Promise<void> {
  const target = await factory();
  const store = await openStore({ ...target.options(), now: fakeClock() });
  try {
    await fn(store, target);
  } finally {
    await store.close();
    await target.dispose();
  }
}


/**
 * Defines `define(name, factory)` for SQLite and, when the server answers, PostgreSQL; when it does
 * not, one test fails under CI=true (skips loudly locally) instead of silently dropping the suite.
 */
export async function forEachDialect(what: string, define: (name: 'sqlite' | 'postgres', factory: TargetFactory) => void): Promise<void> {
  define('sqlite', sqliteTarget);
  const unreachable = await postgresReachable();
  if (unreachable === undefined) {
    define('postgres', postgresTarget);
  } else {
    describe(`${what} on postgres`, () => {
      test('PostgreSQL reachable', (t) => {
        missingPrerequisite(t, `PostgreSQL is not reachable at ${PG_URL} (${unreachable}); start it (see .ci/run) to run the PostgreSQL tests`);
      });
    });
  }
}
