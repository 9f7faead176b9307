import type { Command } from 'commander';
import type { JobHandler } from '../../jobs/index.js';
import { EXIT, write, type CliIo } from '../io.js';
import { withStore } from './db.js';

/*
 * `stella worker`: claims jobs (scans, feed runs) from the store until SIGTERM/SIGINT. The first
 * signal stops claiming and lets running jobs finish for --grace, then gives the rest back to the
 * queue; a second signal gives them back at once. Progress on stderr, a summary JSON on stdout.
 */

interface WorkerCommandOptions {
  databaseUrl?: string;
  concurrency: string;
  lease: string;
  poll: string;
  grace: string;
  kind?: string[];
  workerId?: string;
  offline?: boolean;
  allowFrom?: boolean;
  registryAllow?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `500ms`, `60s`, `5m`, `1h` → milliseconds; undefined when malformed (a unit is required). */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (match === null) return undefined;
  return Number(match[1]) * (UNITS[match[2] ?? ''] ?? Number.NaN);
}

export function registerWorker(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('worker')
    .description('run queued jobs (scans, feed runs) from the store until SIGTERM; run any number of them on PostgreSQL')
    .option('--database-url <url>', 'store URL (default: $STELLA_DATABASE_URL, else SQLite under $STELLA_HOME)')
    .option('--concurrency <n>', 'jobs run at once', '1')
    .option('--lease <duration>', 'lease per job, renewed while it runs; a worker silent this long is presumed dead', '60s')
    .option('--poll <duration>', 'pause after finding the queue empty', '1s')
    .option('--grace <duration>', 'after SIGTERM, how long running jobs may finish before they are given back', '30s')
    .option('--kind <kind>', 'run only this job kind (repeatable; default: every registered kind)', collect)
    .option('--worker-id <id>', 'this worker\'s name in leases (default: host-pid-random)')
    .option('--offline', 'feed runs never reach the network')
    .option('--allow-from', 'accept feed-run jobs that read a local path (`from`) on this machine')
    .option('--registry-allow <cidrs>', 'comma-separated IPs/CIDRs of registries scan jobs may reach although they are on this host or link-local (refused by default: SSRF)')
    .addHelpText('after', '\nCredentials for feed runs come from the environment: GITHUB_TOKEN (GHSA), NVD_API_KEY (NVD).')
    .action(async (options: WorkerCommandOptions) => setExit(await workerCommand(io, options)));
}

async function workerCommand(io: CliIo, options: WorkerCommandOptions): Promise<number> {
  const concurrency = Number(options.concurrency);
  const durations = { lease: parseDuration(options.lease), poll: parseDuration(options.poll), grace: parseDuration(options.grace) };
  const usage = async (message: string): Promise<number> => {
    await write(io.stderr, `stella worker: ${message}\n`);
    return EXIT.usage;
  };
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 256)) return usage('--concurrency wants a whole number from 1 to 256');
  for (const [name, value] of Object.entries(durations)) {
    if (value === undefined) return usage(`--${name} wants a duration such as 500ms, 30s, 5m or 1h`);
  }
  if ((durations.lease ?? 0) < 1_000) return usage('--lease must be at least 1s');
  const [{ startWorker }, { stellaJobHandlers }, { defaultStellaHome }] = await Promise.all([
    import('../../jobs/index.js'), import('../../server/index.js'), import('../../scan/index.js'),
  ]);
  let all: Record<string, JobHandler>;
  try {
    all = stellaJobHandlers({
    stellaHome: defaultStellaHome(),
    ...(options.registryAllow === undefined ? {} : { registryAllow: options.registryAllow.split(',').map((e) => e.trim()) }),
    offline: options.offline === true,
    allowFrom: options.allowFrom === true,
    ...(nonEmpty(process.env.GITHUB_TOKEN) ? { githubToken: process.env.GITHUB_TOKEN } : {}),
    ...(nonEmpty(process.env.NVD_API_KEY) ? { nvdApiKey: process.env.NVD_API_KEY } : {}),
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  const kinds = options.kind ?? Object.keys(all);
  const unknown = kinds.find((k) => !(k in all));
  if (unknown !== undefined) return usage(`unknown job kind ${JSON.stringify(unknown)} (known: ${Object.keys(all).sort().join(', ')})`);
  const handlers: Record<string, JobHandler> = {};
  for (const k of kinds) {
    const handler = all[k];
    if (handler !== undefined) handlers[k] = handler;
  }
  const log = (message: string): void => {
    io.stderr.write(`${message}\n`);
  };
  return withStore(io, options, async (store) => {
    const worker = startWorker({
      store,
      handlers,
      concurrency,
      leaseMs: durations.lease ?? 60_000,
      pollMs: durations.poll ?? 1_000,
      graceMs: durations.grace ?? 30_000,
      log,
      ...(options.workerId === undefined ? {} : { workerId: options.workerId }),
    });
    let signals = 0;
    const onSignal = (name: NodeJS.Signals): void => {
      signals += 1;
      log(`worker ${worker.workerId}: ${name}: ${signals === 1 ? 'no new jobs; finishing the running ones' : 'giving the running jobs back now'}`);
      void worker.stop(signals === 1 ? undefined : 0);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    log(`worker ${worker.workerId}: running ${Object.keys(handlers).sort().join(', ')} on ${store.dialect} (concurrency ${concurrency})`);
    try {
      const summary = await worker.done;
      await write(io.stdout, `${JSON.stringify({ workerId: worker.workerId, ...summary }, null, 2)}\n`);
      return EXIT.ok;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  });
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
