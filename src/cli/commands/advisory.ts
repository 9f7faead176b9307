import type { Command } from 'commander';
import type { Store } from '../../store/index.js';
import { EXIT, write, type CliIo } from '../io.js';
import { withStore } from './db.js';

interface GetOptions {
  databaseUrl?: string;
}

interface SearchOptions {
  package: string;
  ecosystem?: string;
  json?: boolean;
  databaseUrl?: string;
}

export function registerAdvisory(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const advisory = program.command('advisory').description('look up canonical advisories in the store');

  advisory
    .command('get <id>')
    .description('print the canonical advisory (JSON, with per-field provenance) for any of its ids')
    .option('--database-url <url>', 'store URL')
    .action(async (id: string, options: GetOptions) => setExit(await withStore(io, options, (store) => get(io, store, id))));

  advisory
    .command('search')
    .description('list advisories that name a package')
    .requiredOption('--package <purl|name>', 'a purl (pkg:npm/lodash) or a package name')
    .option('--ecosystem <name>', 'OSV ecosystem name (npm, PyPI, Maven, Go, Debian…) for a plain name')
    .option('--json', 'JSON lines instead of a table')
    .option('--database-url <url>', 'store URL')
    .action(async (options: SearchOptions) => setExit(await withStore(io, options, (store) => search(io, store, options))));
}

async function get(io: CliIo, store: Store, id: string): Promise<number> {
  const { resolveAdvisoryKeys } = await import('../../feeds/index.js');
  const keys = await resolveAdvisoryKeys(store, id);
  if (keys.length === 0) {
    await write(io.stderr, `stella advisory get: no advisory has the id ${JSON.stringify(id)}\n`);
    return EXIT.failure;
  }
  if (keys.length > 1) await write(io.stderr, `stella advisory get: ${id} is an alias of ${keys.length} advisories: ${keys.join(', ')}\n`);
  for (const key of keys) {
    const stored = await store.getAdvisory(key);
    if (stored !== undefined) await write(io.stdout, `${JSON.stringify(JSON.parse(stored.json), null, 2)}\n`);
  }
  return EXIT.ok;
}

async function search(io: CliIo, store: Store, options: SearchOptions): Promise<number> {
  const { packageQuery, searchAdvisories } = await import('../../feeds/index.js');
  let query;
  try {
    query = packageQuery(options.package, options.ecosystem);
  } catch (error) {
    await write(io.stderr, `stella advisory search: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  const { rows } = await searchAdvisories(store, query);
  if (options.json === true) {
    for (const row of rows) await write(io.stdout, `${JSON.stringify(row)}\n`);
  } else {
    for (const row of rows) {
      const fixed = [...new Set(row.packages.flatMap((p) => p.fixed))].join(', ') || 'no fix';
      const where = [...new Set(row.packages.map((p) => `${p.ecosystem}/${p.name}`))].join(', ');
      await write(io.stdout, `${row.key}${row.withdrawn === null ? '' : ' (withdrawn)'}  ${where}  fixed: ${fixed}  ${row.summary.slice(0, 100)}\n`);
    }
  }
  await write(io.stderr, `stella advisory search: ${rows.length} advisory(ies) for ${query.ecosystem ?? 'any ecosystem'} ${query.name}\n`);
  return EXIT.ok;
}
