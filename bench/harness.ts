/**
 * A tiny benchmark harness: each benchmark measures its subject AND a baseline in the same run,
 * so the printed ratio means something on any machine. Targets are checked here, never in tests.
 */
export interface BenchResult {
  name: string;
  /** What was measured, e.g. "ops/s" or "ms". */
  unit: string;
  value: number;
  baselineName: string;
  baseline: number;
  /** Human-readable target, e.g. ">= 1,000,000 ops/s". */
  target: string;
  met: boolean | undefined;
  note?: string;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchResult[]>;
}

/** Best (minimum) wall time in ms of `fn` over `rounds` runs after one warm-up. */
export async function bestOf(rounds: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms < best) best = ms;
  }
  return best;
}

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(n >= 10 ? 1 : 2);
}

export function formatTable(results: BenchResult[]): string {
  const rows = [['benchmark', 'value', 'baseline (same run)', 'ratio', 'target', 'met']];
  for (const r of results) {
    rows.push([
      r.name,
      `${fmt(r.value)} ${r.unit}`,
      `${fmt(r.baseline)} ${r.unit} (${r.baselineName})`,
      r.baseline === 0 ? '-' : `${(r.value / r.baseline).toFixed(2)}×`,
      r.target,
      r.met === undefined ? '-' : r.met ? 'yes' : 'NO',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(rows[0]!), sep, ...rows.slice(1).map(line)].join('\n');
}
