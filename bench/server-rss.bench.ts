import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Benchmark } from './harness.js';

/*
 * Issue 8: server RSS flat across 1,000 scans. The server (bench/server-rss-child.ts: the full
 * `stella serve` runtime on SQLite with its in-process worker) runs in a child process; this one
 * uploads the sample image 1,000 times over loopback (4 at a time) and waits for every scan to
 * finish. RSS is read (after a GC) once 100 scans are done — the warmed-up baseline — and after
 * all 1,000. Flat: at most 1.25× the baseline.
 */

const SCANS = 1000;
const WARM = 100;
const PARALLEL = 4;

export const serverRssBenchmark: Benchmark = {
  name: 'server-rss',
  async run() {
    const home = mkdtempSync(join(tmpdir(), 'stella-bench-rss-'));
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'server-rss-child.ts'), home], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    const next = (): Promise<string> => new Promise((resolve) => lines.once('line', resolve));
    try {
      const { url, tokens } = JSON.parse(await next()) as { url: string; tokens: string[] };
      const image = readFileSync(join(import.meta.dirname, '..', 'samples', 'sample-image.tar'));
      const rss = async (): Promise<number> => {
        child.stdin.write('rss\n');
        return (JSON.parse(await next()) as { rss: number }).rss;
      };
      const scanOnce = async (i: number): Promise<void> => {
        const headers = { authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/x-tar' };
        const posted = await fetch(`${url}/api/v1/scans`, { method: 'POST', headers, body: image });
        if (posted.status !== 202) throw new Error(`scan ${i}: ${posted.status} ${await posted.text()}`);
        const { scan } = (await posted.json()) as { scan: { id: string } };
        for (;;) {
          const got = (await (await fetch(`${url}/api/v1/scans/${scan.id}`, { headers })).json()) as { scan: { status: string } };
          if (got.scan.status === 'done') return;
          if (got.scan.status === 'failed') throw new Error(`scan ${scan.id} failed`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const run = async (from: number, to: number): Promise<void> => {
        let i = from;
        await Promise.all(Array.from({ length: PARALLEL }, async () => {
          while (i < to) await scanOnce(i++);
        }));
      };
      await run(0, WARM);
      const warm = await rss();
      const t0 = performance.now();
      await run(WARM, SCANS);
      const seconds = (performance.now() - t0) / 1000;
      const end = await rss();
      process.stderr.write(`server-rss: ${SCANS - WARM} scans in ${seconds.toFixed(1)} s\n`);
      return [{
        name: `server RSS after ${SCANS} scans (image uploads, in-process worker, SQLite)`, unit: 'MB', value: end / 1e6,
        baselineName: `RSS after ${WARM} scans`, baseline: warm / 1e6, target: '<= 1.25× (flat)', met: end <= warm * 1.25,
        note: `${((SCANS - WARM) / seconds).toFixed(0)} scans/s`,
      }];
    } finally {
      child.stdin.end();
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(home, { recursive: true, force: true });
    }
  },
};
