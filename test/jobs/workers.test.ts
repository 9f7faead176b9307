import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { createJobQueue, jobHandlers, runWorker, type Job, type JobQueue } from '../../src/jobs/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { effectTable } from '../support/job-effects.js';
import { postgresReachable, postgresTarget, PG_URL, type Target } from '../support/store-targets.js';
import { missingPrerequisite } from '../support/tools.js';

/*
 * Issue 8's acceptance test for the queue: two worker processes on one PostgreSQL complete 200
 * queued jobs, each exactly once in effect, although one of them is killed with SIGKILL mid-run.
 * Leases are 2 s, so the dead worker's jobs are reclaimed by the survivor within seconds.
 *  1. A test kind whose effect is a row written in the transaction that completes the job; the
 *     table has no unique key, so a duplicate effect would show as a second row.
 *  2. The real `scan` kind on the sample image: every scan done once, its upload removed, its
 *     results identical to the others'.
 */

const JOBS = 200;
// Long enough that a loaded CI machine does not lose leases of live workers (a lost lease re-runs
// the job, and 5 losses make it dead); short enough that the victim's jobs are reclaimed quickly.
const LEASE_MS = 5_000;
const SAMPLE_IMAGE = join(import.meta.dirname, '..', '..', 'samples', 'sample-image.tar');
const OSV_FIXTURES = join(import.meta.dirname, '..', '..', 'src', 'jobs', 'testdata', 'osv');

interface Child {
  readonly id: string;
  readonly process: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: string;
  stderr: string;
}

interface Run {
  readonly target: Target;
  readonly schema: string;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly db: pg.Client;
  readonly home: string;
}

function spawnWorker(id: string, run: Run, kind: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'worker-child.ts')], {
    env: {
      ...process.env,
      JOB_TEST_DATABASE_URL: PG_URL,
      JOB_TEST_SCHEMA: run.schema,
      JOB_TEST_WORKER_ID: id,
      JOB_TEST_KIND: kind,
      JOB_TEST_LEASE_MS: String(LEASE_MS),
      JOB_TEST_CONCURRENCY: '4',
      JOB_TEST_SLEEP_MS: '100',
      JOB_TEST_STELLA_HOME: join(run.home, id),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const record: Child = {
    id,
    process: child,
    exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    stdout: '',
    stderr: '',
  };
  child.stdout.on('data', (d: Buffer) => (record.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (record.stderr += d.toString()));
  return record;
}

/** Polls `check` until it holds; fails after `limitMs` (a hang guard, not a timing assertion). */
async function until(what: string, limitMs: number, check: () => Promise<boolean>, children: readonly Child[]): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const logs = children.map((c) => `--- ${c.id} stderr:\n${c.stderr.slice(-3000)}`).join('\n');
      assert.fail(`timed out waiting for ${what}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A fresh PostgreSQL schema and a store on it; undefined (skipped loudly, or failed under CI) without a server. */
async function withRun(t: TestContext, fn: (run: Run) => Promise<void>): Promise<void> {
  const unreachable = await postgresReachable();
  if (unreachable !== undefined) {
    missingPrerequisite(t, `PostgreSQL is not reachable at ${PG_URL} (${unreachable})`);
    return;
  }
  const target = await postgresTarget();
  const schema = target.options().schema ?? '';
  const store = await openStore(target.options());
  const db = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await db.connect();
  const home = mkdtempSync(join(tmpdir(), 'stella-workers-'));
  try {
    await fn({ target, schema, store, queue: createJobQueue({ store }), db, home });
  } finally {
    await db.end();
    await store.close();
    await target.dispose();
    rmSync(home, { recursive: true, force: true });
  }
}

interface KillOutcome {
  /** Jobs the victim held (running) when it was killed. */
  readonly held: number[];
  readonly jobs: Job[];
  readonly survivorSummary: { succeeded: number };
  readonly elapsed: { kill: number; done: number };
}

/**
 * Starts two workers, enqueues the jobs (once both are up), SIGKILLs the victim once it has finished
 * 20 jobs and holds some, waits for every job to succeed, then stops the survivor with SIGTERM.
 */
async function killOneWorker(run: Run, kind: string, enqueue: () => Promise<void>): Promise<KillOutcome> {
  const victim = spawnWorker('victim', run, kind);
  const survivor = spawnWorker('survivor', run, kind);
  const children = [victim, survivor];
  try {
    await until('both workers to start', 120_000, () => Promise.resolve(children.every((c) => c.stdout.startsWith('ready\n'))), children);
    const started = Date.now();
    // Enqueueing overlaps the workers' run; the kill is watched for meanwhile.
    const enqueued = enqueue();
    const count = async (where: string, args: unknown[] = []): Promise<number> =>
      Number((await run.db.query<{ n: string }>(`select count(*) as n from jobs where ${where}`, args)).rows[0]?.n);
    let held: number[] = [];
    enqueued.catch(() => undefined);
    await until('the victim to be mid-run', 60_000, async () => {
      if ((await count("status = 'succeeded' and lease_owner = 'victim' and kind = $1", [kind])) < 20) return false;
      held = (await run.db.query<{ id: number }>("select id from jobs where status = 'running' and lease_owner = 'victim'")).rows.map((r) => r.id);
      return held.length > 0;
    }, children);
    victim.process.kill('SIGKILL');
    const kill = Date.now() - started;
    assert.equal((await victim.exit).signal, 'SIGKILL');
    await enqueued;

    try {
      await until(`all ${JOBS} jobs to succeed`, 180_000, async () => (await count("status = 'succeeded' and kind = $1", [kind])) === JOBS, children);
    } catch (error) {
      const states = (await run.db.query<{ status: string; n: string; attempts: string }>('select status, count(*) as n, max(attempts) as attempts from jobs group by status')).rows;
      const errors = (await run.db.query<{ last_error: string | null }>("select last_error from jobs where last_error is not null limit 3")).rows;
      throw new Error(`${(error as Error).message}\njob states: ${JSON.stringify(states)}\nlast errors: ${JSON.stringify(errors)}`);
    }
    const done = Date.now() - started;
    survivor.process.kill('SIGTERM');
    assert.deepEqual(await survivor.exit, { code: 0, signal: null }, survivor.stderr);
    const survivorSummary = JSON.parse(survivor.stdout.slice('ready\n'.length)) as { succeeded: number };
    return { held, jobs: await run.queue.list({ kind, limit: 1000 }), survivorSummary, elapsed: { kill, done } };
  } finally {
    for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exit));
  }
}

function assertReclaimed(outcome: KillOutcome): Job[] {
  const { jobs, held } = outcome;
  assert.equal(jobs.length, JOBS);
  assert.ok(jobs.every((j) => j.status === 'succeeded'), 'every job succeeded');
  assert.ok(jobs.filter((j) => j.attempts >= 2).length >= 1, 'at least one job was attempted twice (reclaimed after the kill)');
  const reclaimed = jobs.filter((j) => held.includes(j.id) && j.attempts >= 2);
  assert.ok(reclaimed.length >= 1, `a job the victim held when killed (${held.join(', ')}) was reclaimed`);
  assert.ok(reclaimed.every((j) => j.leaseOwner === 'survivor'));
  return reclaimed;
}

test('two worker processes complete 200 jobs exactly once in effect although one is SIGKILLed mid-run', async (t) => {
  await withRun(t, async (run) => {
    const effects = await effectTable(run.target);
    try {
      const outcome = await killOneWorker(run, 'effect-test', async () => {
        for (let i = 0; i < JOBS; i += 1) await run.queue.enqueue('effect-test', { i });
      });
      const reclaimed = assertReclaimed(outcome);
      const rows = await effects.rows();
      assert.equal(rows.length, JOBS, 'exactly one effect row per job');
      assert.deepEqual(new Set(rows.map((r) => r.jobId)), new Set(outcome.jobs.map((j) => j.id)), 'each job id once');
      // Each job's stored result names the worker whose effect row was written: result and effect committed together.
      const effectWorker = new Map(rows.map((r) => [r.jobId, r.worker]));
      assert.ok(outcome.jobs.every((j) => (j.result as { worker: string }).worker === effectWorker.get(j.id)));
      assert.ok(reclaimed.every((j) => effectWorker.get(j.id) === 'survivor'));
      t.diagnostic(`victim killed at ${outcome.elapsed.kill} ms holding ${outcome.held.length} job(s); all done at ${outcome.elapsed.done} ms; ` +
        `${outcome.jobs.filter((j) => j.attempts >= 2).length} job(s) ran twice; effects: survivor ${rows.filter((r) => r.worker === 'survivor').length}, ` +
        `victim ${rows.filter((r) => r.worker === 'victim').length}`);
    } finally {
      await effects.close();
    }
  });
});

test('two worker processes complete 200 real scans exactly once in effect although one is SIGKILLed mid-scan', async (t) => {
  await withRun(t, async (run) => {
    // Advisories for the matcher: the lodash and minimist OSV records, imported by a feed-run job.
    await run.queue.enqueue('feed-run', { source: 'osv', from: OSV_FIXTURES });
    const handlers = jobHandlers({ stellaHome: run.home, offline: true, allowFrom: true });
    assert.equal((await runWorker({ store: run.store, handlers, stopWhenIdle: true, pollMs: 10 })).succeeded, 1);

    // 200 uploaded images, each a queued scan (as POST /api/v1/scans leaves them); the jobs follow once the workers are up.
    const image = readFileSync(SAMPLE_IMAGE);
    const scanIds: string[] = [];
    for (let i = 0; i < JOBS; i += 1) {
      const blob = await run.store.scans.writeBlob((async function* () { yield image; })(), { maxBytes: 1 << 20 });
      const scan = await run.store.scans.createScan({
        target: 'upload:sample-image.tar', inputKind: 'upload', input: { kind: 'upload', blobId: blob.id, name: 'sample-image.tar' },
      });
      scanIds.push(scan.id);
    }
    const scanOfJob = new Map<number, string>();
    const outcome = await killOneWorker(run, 'scan', async () => {
      for (const scanId of scanIds) {
        const { job } = await run.queue.enqueue('scan', { scanId }, { dedupeKey: `scan:${scanId}` });
        scanOfJob.set(job.id, scanId);
      }
    });
    const reclaimed = assertReclaimed(outcome);

    const scans = await run.store.scans.listScans({ limit: 500 });
    assert.equal(scans.length, JOBS);
    assert.ok(scans.every((s) => s.status === 'done'), 'every scan is done');
    // One result per scan, all identical (the same image and advisories), every upload removed once.
    const results = await run.db.query<{ n: string; scans: string }>('select count(*) as n, count(distinct scan_id) as scans from scan_results');
    assert.deepEqual(results.rows[0], { n: String(JOBS), scans: String(JOBS) });
    assert.equal(new Set(scans.map((s) => s.resultsSha256)).size, 1);
    assert.deepEqual(await run.store.scans.countBlobs(), { blobs: 0, chunks: 0 });
    const summary = scans[0]?.summary as { findings: number; packages: number };
    assert.deepEqual([summary.packages, summary.findings], [9, 1]);
    const findings = await run.store.scans.getScanResults(scans[0]?.id ?? '');
    assert.match(findings?.findings ?? '', /CVE-2020-8203/);
    assert.ok(outcome.jobs.every((j) => (j.result as { scanId: string }).scanId === scanOfJob.get(j.id)));
    const skipped = reclaimed.filter((j) => (j.result as { skipped?: boolean }).skipped === true).length;
    t.diagnostic(`victim killed at ${outcome.elapsed.kill} ms holding ${outcome.held.length} scan job(s); all done at ${outcome.elapsed.done} ms; ` +
      `${reclaimed.length} reclaimed (${skipped} found already done by the victim), survivor ran ${outcome.survivorSummary.succeeded}`);
  });
});
