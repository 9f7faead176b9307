import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseDuration } from '../../src/cli/commands/worker.js';
import { createJobQueue } from '../../src/jobs/index.js';
import { openStore } from '../../src/store/index.js';
import { stella } from '../cli/harness.js';

const osvFixtures = join(import.meta.dirname, '..', '..', 'src', 'jobs', 'testdata', 'osv');

test('stella worker runs a queued feed-run job and exits 0 on SIGTERM with its summary', async () => {
  const home = mkdtempSync(join(tmpdir(), 'stella-worker-cli-'));
  after(() => rmSync(home, { recursive: true, force: true }));
  const url = `sqlite:${join(home, 'stella.db')}`;
  const store = await openStore({ url });
  try {
    const queue = createJobQueue({ store });
    const { job } = await queue.enqueue('feed-run', { source: 'osv', from: osvFixtures });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'cli-child.ts'), 'worker', '--database-url', url, '--lease', '5s', '--poll', '50ms', '--offline', '--allow-from', '--worker-id', 'cli-1'],
      { env: { ...process.env, STELLA_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 120_000;
    while ((await queue.get(job.id))?.status !== 'succeeded') {
      assert.ok(Date.now() < deadline, `the job did not finish:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGTERM');
    assert.equal(await exit, 0, stderr);
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(summary, { workerId: 'cli-1', claimed: 1, succeeded: 1, retried: 0, dead: 0, lost: 0, released: 0 });
    assert.match(stderr, /SIGTERM: no new jobs/);
    assert.deepEqual(await store.findAdvisoryKeysByAlias('GHSA-p6mc-m468-83gw'), ['CVE-2020-8203']);
  } finally {
    await store.close();
  }
});

test('stella worker refuses bad options with a usage error', async () => {
  for (const [args, message] of [
    [['--lease', '60'], /--lease wants a duration/],
    [['--lease', '500ms'], /--lease must be at least 1s/],
    [['--concurrency', '0'], /--concurrency wants a whole number/],
    [['--kind', 'nope'], /unknown job kind "nope" \(known: access-log-retention, feed-run, scan, upload-retention\)/],
  ] as const) {
    const result = await stella(['worker', '--database-url', ':memory:', ...args]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, message);
  }
  assert.deepEqual(['500ms', '30s', '5m', '1h', ' 2s '].map(parseDuration), [500, 30_000, 300_000, 3_600_000, 2_000]);
  assert.equal(parseDuration('1d'), undefined);
});
