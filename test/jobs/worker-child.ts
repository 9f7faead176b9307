// A worker process for test/jobs/workers.test.ts: `node --import tsx worker-child.ts`, configured by
// environment (database URL, schema, worker id, lease, concurrency, handler and its pause). SIGTERM
// stops it gracefully; the test also SIGKILLs one mid-run.
import { jobHandlers, runWorker, type JobHandler } from '../../src/jobs/index.js';
import { openStore } from '../../src/store/index.js';
import { effectHandler, paced } from './effect-handler.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`worker-child: ${name} is not set`);
  return value;
};

const kind = env('JOB_TEST_KIND');
const pauseMs = Number(env('JOB_TEST_SLEEP_MS'));
let handler: JobHandler;
if (kind === 'scan') {
  // The real `scan` handler (the registry's), paced so that a kill lands mid-job.
  const scan = jobHandlers({ stellaHome: env('JOB_TEST_STELLA_HOME'), offline: true }).scan;
  if (scan === undefined) throw new Error('worker-child: no scan handler registered');
  handler = paced(scan, pauseMs);
} else {
  handler = effectHandler(pauseMs);
}

const store = await openStore({ url: env('JOB_TEST_DATABASE_URL'), schema: env('JOB_TEST_SCHEMA') });
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());
// Module loading and the store's opening are done: the test starts enqueueing only now.
process.stdout.write('ready\n');
try {
  const summary = await runWorker({
    store,
    handlers: { [kind]: handler },
    workerId: env('JOB_TEST_WORKER_ID'),
    leaseMs: Number(env('JOB_TEST_LEASE_MS')),
    concurrency: Number(env('JOB_TEST_CONCURRENCY')),
    pollMs: 50,
    graceMs: 5_000,
    signal: controller.signal,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await store.close();
}
