import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { upAuthority } from './authority.js';
import { StoreError } from './errors.js';
import { upJobs } from './jobs.js';
import { upFragmentOwners, upScans } from './scans.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Migrations live in code, keyed by a sortable name; Kysely's Migrator records the applied ones in
 * `kysely_migration` (and serializes concurrent runs with `kysely_migration_lock`), so running them
 * again is a no-op. Never edit a released migration: add the next one.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  const bytesType = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('raw_documents')
          .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('document_id', 'text', (c) => c.notNull())
          .addColumn('url', 'text')
          .addColumn('content_type', 'text')
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('fetched_at', 'text', (c) => c.notNull())
          .addColumn('body', bytesType, (c) => c.notNull())
          .addUniqueConstraint('raw_documents_source_document_sha256_key', ['source', 'document_id', 'sha256'])
          .execute();

        await db.schema
          .createTable('source_state')
          .addColumn('source', 'text', (c) => c.primaryKey())
          .addColumn('cursor', 'text')
          .addColumn('last_success', 'text')
          .addColumn('last_error', 'text')
          .addColumn('failure_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('backoff_until', 'text')
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('advisories')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('json', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('modified', 'text')
          .addColumn('withdrawn', 'text')
          .execute();

        await db.schema
          .createTable('advisory_aliases')
          .addColumn('alias', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('advisory_aliases_pkey', ['alias', 'key'])
          .execute();
        await db.schema.createIndex('advisory_aliases_alias_idx').on('advisory_aliases').column('alias').execute();
        await db.schema.createIndex('advisory_aliases_key_idx').on('advisory_aliases').column('key').execute();

        await db.schema
          .createTable('merge_events')
          .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('before_sha256', 'text')
          .addColumn('after_sha256', 'text')
          .addColumn('at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('merge_events_key_idx').on('merge_events').column('key').execute();

        await db.schema
          .createTable('parse_errors')
          .addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('document_id', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text')
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('parse_errors_source_document_idx')
          .on('parse_errors')
          .columns(['source', 'document_id'])
          .execute();
      },
    },
    '0002_pipeline': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Parse status of each stored document version: pending → parsed | failed.
        await db.schema
          .alterTable('raw_documents')
          .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
          .execute();
        await db.schema
          .createIndex('raw_documents_source_status_idx')
          .on('raw_documents')
          .columns(['source', 'status', 'id'])
          .execute();

        // One row per record a source has published: its latest parsed form and its mapping.
        await db.schema
          .createTable('source_records')
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text', (c) => c.notNull())
          .addColumn('document_id', 'text', (c) => c.notNull())
          .addColumn('document_sha256', 'text', (c) => c.notNull())
          .addColumn('recorded_at', 'text', (c) => c.notNull())
          .addColumn('dto', 'text', (c) => c.notNull())
          .addColumn('dto_sha256', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('advisory', 'text')
          .addColumn('ids', 'text')
          .addColumn('upstream', 'text')
          .addColumn('error', 'text')
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('source_records_pkey', ['source', 'record_id'])
          .execute();
        await db.schema
          .createIndex('source_records_source_status_idx')
          .on('source_records')
          .columns(['source', 'status', 'record_id'])
          .execute();

        // Which packages each canonical advisory names (for `stella advisory search`).
        await db.schema
          .createTable('advisory_packages')
          .addColumn('ecosystem', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('advisory_packages_pkey', ['ecosystem', 'name', 'key'])
          .execute();
        await db.schema.createIndex('advisory_packages_name_idx').on('advisory_packages').column('name').execute();
        await db.schema.createIndex('advisory_packages_key_idx').on('advisory_packages').column('key').execute();
      },
    },
    '0003_jobs': { up: (db: Kysely<unknown>) => upJobs(db, dialect) },
    '0004_scans': { up: (db: Kysely<unknown>) => upScans(db, dialect) },
    '0005_authority': { up: (db: Kysely<unknown>) => upAuthority(db, dialect) },
    '0006_fragment_owners': { up: (db: Kysely<unknown>) => upFragmentOwners(db) },
  };
}

class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations(this.dialect));
  }
}

/** Applies the migrations up to and including `name` (upgrade tests build an older store with it). */
export async function migrateTo(db: Kysely<unknown>, dialect: Dialect, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider: new InCodeMigrationProvider(dialect) }).migrateTo(name);
  if (error !== undefined) throw new StoreError('MIGRATION_FAILED', `migration to ${name} failed: ${String(error)}`, { cause: error });
}

/** Applies every pending migration; returns the names it applied (empty when already up to date). */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect, schema?: string): Promise<string[]> {
  // PostgreSQL: Kysely looks for its migration tables in every schema unless told which one, so a
  // store in schema A would take schema B's kysely_migration_lock for its own.
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(dialect),
    ...(dialect === 'postgres' && schema !== undefined ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError('MIGRATION_FAILED', `migration ${failed} failed: ${String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
