import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark } from './harness.js';
import { benchImage } from './scan-image.js';

interface ChildResult {
  ms: number;
  maxRssMb: number;
}

function child(args: string[]): ChildResult {
  const result = spawnSync(process.execPath, ['bench/scan-child.mjs', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`scan-child ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildResult;
}

function best(runs: number, args: string[]): ChildResult {
  const all = Array.from({ length: runs }, () => child(args));
  return all.reduce((a, b) => (b.ms < a.ms ? b : a));
}

/** Cold and warm scans of a 1 GiB-layer image, each in a fresh process, next to a read-through baseline. */
export const scanBenchmark: Benchmark = {
  name: 'scan',
  async run() {
    const image = await benchImage();
    const baseline = best(2, ['baseline', image]);
    const cold = best(2, ['scan', image, '-']);
    const home = mkdtempSync(join(tmpdir(), 'stella-bench-'));
    try {
      child(['scan', image, home]);
      const warm = best(3, ['scan', image, home]);
      return [
        { name: 'cold scan, 1 GiB-layer image (3 layers, 834 dpkg packages)', unit: 'ms', value: cold.ms, baselineName: 'zlib + tar-stream read-through', baseline: baseline.ms, target: '<= 1.5× baseline', met: cold.ms <= 1.5 * baseline.ms },
        { name: 'warm scan of the same image', unit: 'ms', value: warm.ms, baselineName: 'cold scan', baseline: cold.ms, target: '<= 0.10× cold', met: warm.ms <= 0.1 * cold.ms },
        { name: 'peak RSS, cold scan', unit: 'MB', value: cold.maxRssMb, baselineName: 'read-through baseline', baseline: baseline.maxRssMb, target: '<= 250 MB', met: cold.maxRssMb <= 250 },
      ];
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
};
