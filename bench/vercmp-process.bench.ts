import { spawnSync } from 'node:child_process';
import { bestOf, type Benchmark } from './harness.js';
import { pairsFor } from './versions.bench.js';

const LINES = 100_000;

function runProcess(args: string[], input: string): void {
  const result = spawnSync(process.execPath, args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
}

/** `stella vercmp deb --batch` on 100,000 pairs, whole process, next to a node process that only echoes stdin. */
export const vercmpProcessBenchmark: Benchmark = {
  name: 'vercmp-process',
  async run() {
    const pairs = pairsFor('deb');
    const lines: string[] = [];
    for (let i = 0; i < LINES; i++) {
      const p = pairs[i % pairs.length]!;
      lines.push(`${p[0]}\t${p[1]}`);
    }
    const input = `${lines.join('\n')}\n`;
    const ours = await bestOf(3, () => runProcess(['bin/stella.js', 'vercmp', 'deb', '--batch'], input));
    const base = await bestOf(3, () => runProcess(['-e', 'process.stdin.pipe(process.stdout)'], input));
    return [{
      name: 'stella vercmp deb --batch, 100,000 pairs (whole process)',
      unit: 'ms',
      value: ours,
      baselineName: 'node echoing stdin',
      baseline: base,
      target: '< 2,000 ms',
      met: ours < 2000,
    }];
  },
};
