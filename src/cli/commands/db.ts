import type { Command } from 'commander';
import type { Connector, ConnectorOptions, RunSourceResult, Stage } from '../../feeds/index.js';
import type { Store } from '../../store/index.js';
import { EXIT, write, type CliIo } from '../io.js';
import { registerDbExport } from './db-export.js';

// Loaded when a command runs, not at CLI start. The names below are checked against the feeds
// module's own lists by test/cli/db.test.ts.
const feeds = () => import('../../feeds/index.js');
export const SOURCE_NAMES = ['osv', 'ghsa', 'nvd'] as const;
export const STAGE_NAMES = ['fetch', 'parse', 'map'] as const;

interface StoreOptions {
  databaseUrl?: string;
}

interface FetchOptions extends StoreOptions {
  source: string[];
  from?: string;
  stage?: string[];
  baseUrl?: string;
  since?: string;
  ecosystem?: string[];
  force?: boolean;
  offline?: boolean;
  merge?: boolean;
  minInterval?: string;
  includeUnreviewed?: boolean;
}

interface StatusOptions extends StoreOptions {
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerDb(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const db = program
    .command('db')
    .description('Concelier: fetch vulnerability feeds, merge them into canonical advisories, show their state');

  db.command('fetch')
    .description('fetch, parse and map one or more sources into the store (progress on stderr, summary JSON on stdout)')
    .requiredOption('--source <name>', `source to fetch: ${SOURCE_NAMES.join(', ')} (repeatable)`, collect)
    .option('--from <path|url>', 'read from a local directory, zip or file (or a mirror URL) instead of the upstream')
    .option('--stage <stage>', `run only this stage: ${STAGE_NAMES.join(', ')} (repeatable; default: all)`, collect)
    .option('--base-url <url>', 'upstream base URL (mirrors)')
    .option('--since <iso-date>', 'first run only: start from this modification time (NVD, GHSA)')
    .option('--ecosystem <name>', 'OSV: only this ecosystem (repeatable)', collect)
    .option('--include-unreviewed', 'GHSA --from a clone: also read advisories/unreviewed/')
    .option('--force', 'run even while the source is backing off after failures')
    .option('--offline', 'never reach the network (only --from paths)')
    .option('--min-interval <ms>', "spacing between requests (default: the source's published rate limit; lower it only for your own mirror)")
    .option('--merge', 'merge into canonical advisories afterwards (as `stella db merge`)')
    .option('--database-url <url>', 'store URL (default: $STELLA_DATABASE_URL, else SQLite under $STELLA_HOME)')
    .addHelpText('after', '\nCredentials come from the environment: GITHUB_TOKEN (GHSA), NVD_API_KEY (NVD).')
    .action(async (options: FetchOptions) => setExit(await fetchCommand(io, options)));

  db.command('merge')
    .description('merge every mapped source record into canonical advisories (summary JSON on stdout)')
    .option('--database-url <url>', 'store URL')
    .action(async (options: StoreOptions) => setExit(await withStore(io, options, (store) => mergeCommand(io, store))));

  db.command('status')
    .description('per source: last run, cursor, counts and errors')
    .option('--json', 'machine-readable output')
    .option('--database-url <url>', 'store URL')
    .action(async (options: StatusOptions) =>
      setExit(await withStore(io, options, (store) => statusCommand(io, store, options.json === true))));

  registerDbExport(db, io, setExit);
}

export async function withStore(io: CliIo, options: StoreOptions, fn: (store: Store) => Promise<number>): Promise<number> {
  let store: Store;
  try {
    const [{ openStore }, { defaultStellaHome }] = await Promise.all([import('../../store/index.js'), import('../../scan/index.js')]);
    store = await openStore({
      ...(options.databaseUrl === undefined ? {} : { url: options.databaseUrl }),
      stellaHome: defaultStellaHome(),
    });
  } catch (error) {
    await write(io.stderr, `stella: cannot open the store: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function fetchCommand(io: CliIo, options: FetchOptions): Promise<number> {
  const { getConnector, isFeedError, runMerge, runSource, STAGES } = await feeds();
  const { defaultStellaHome } = await import('../../scan/index.js');
  const stages = options.stage ?? [...STAGES];
  const badStage = stages.find((s) => !(STAGES as readonly string[]).includes(s));
  if (badStage !== undefined) {
    await write(io.stderr, `stella db fetch: unknown stage ${JSON.stringify(badStage)} (${STAGES.join(', ')})\n`);
    return EXIT.usage;
  }
  const minInterval = options.minInterval === undefined ? undefined : Number(options.minInterval);
  if (minInterval !== undefined && !(Number.isInteger(minInterval) && minInterval >= 0)) {
    await write(io.stderr, `stella db fetch: --min-interval wants a whole number of milliseconds\n`);
    return EXIT.usage;
  }
  const connectors: Connector[] = [];
  for (const name of options.source) {
    try {
      connectors.push(getConnector(name));
    } catch (error) {
      await write(io.stderr, `stella db fetch: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  }
  const log = (message: string): void => {
    io.stderr.write(`${message}\n`);
  };
  return withStore(io, options, async (store) => {
    const results: RunSourceResult[] = [];
    for (const connector of connectors) {
      const connectorOptions: ConnectorOptions = {
        ...(options.from === undefined ? {} : { from: options.from }),
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        ...(options.since === undefined ? {} : { since: options.since }),
        ...(options.ecosystem === undefined ? {} : { ecosystems: options.ecosystem }),
        ...(options.includeUnreviewed === true ? { includeUnreviewed: true } : {}),
        ...(connector.name === 'ghsa' && nonEmpty(process.env.GITHUB_TOKEN) ? { token: process.env.GITHUB_TOKEN } : {}),
        ...(connector.name === 'nvd' && nonEmpty(process.env.NVD_API_KEY) ? { apiKey: process.env.NVD_API_KEY } : {}),
      };
      try {
        results.push(
          await runSource(store, connector, {
            stages: stages as Stage[],
            connectorOptions,
            stellaHome: defaultStellaHome(),
            force: options.force === true,
            http: { offline: options.offline === true, ...(minInterval === undefined ? {} : { minIntervalMs: minInterval }) },
            log,
          }),
        );
      } catch (error) {
        const code = isFeedError(error) ? error.code : 'INTERNAL';
        results.push({ source: connector.name, error: { code, message: (error as Error).message } });
        log(`${connector.name}: ${(error as Error).message}`);
      }
    }
    const summary: Record<string, unknown> = { sources: results };
    if (options.merge === true) summary.merge = await runMerge(store, { log });
    await write(io.stdout, `${JSON.stringify(summary, null, 2)}\n`);
    return results.some((r) => r.error !== undefined) ? EXIT.failure : EXIT.ok;
  });
}

async function mergeCommand(io: CliIo, store: Store): Promise<number> {
  const { runMerge } = await feeds();
  const result = await runMerge(store, { log: (m) => io.stderr.write(`${m}\n`) });
  await write(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
  return EXIT.ok;
}

async function statusCommand(io: CliIo, store: Store, json: boolean): Promise<number> {
  const { feedStatus } = await feeds();
  const { sources, advisories } = await feedStatus(store);
  if (json) {
    await write(io.stdout, `${JSON.stringify({ sources, advisories }, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = [['SOURCE', 'LAST RUN', 'LAST SUCCESS', 'DOCS', 'RECORDS', 'MAPPED', 'ERRORS', 'STATE']];
  for (const s of sources) {
    const docs = s.documents.pending + s.documents.parsed + s.documents.failed;
    const records = s.records.parsed + s.records.mapped + s.records.failed;
    const stateText = s.lastError === null ? 'ok' : `failing x${s.failureCount}: ${s.lastError}`;
    rows.push([s.source, s.lastRun ?? '-', s.lastSuccess ?? '-', String(docs), String(records), String(s.records.mapped), String(s.errors), stateText]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
  lines.push('', `canonical advisories: ${advisories.total} (${advisories.withdrawn} withdrawn)`);
  for (const s of sources) if (s.cursor !== null) lines.push(`${s.source} cursor: ${JSON.stringify(s.cursor)}`);
  await write(io.stdout, `${lines.join('\n')}\n`);
  return EXIT.ok;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
