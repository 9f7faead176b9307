// `npm run bench [name-filter]`: runs every benchmark and prints a Markdown table on stdout
// (paste it into the README's Benchmarks section). Progress goes to stderr.
import { formatTable, type BenchResult, type Benchmark } from './harness.js';
import { versionBenchmarks } from './versions.bench.js';
import { vercmpProcessBenchmark } from './vercmp-process.bench.js';
import { scanBenchmark } from './scan.bench.js';
import { nodeModulesBenchmark } from './node-modules.bench.js';
import { concelierBenchmarks } from './concelier.bench.js';
import { matchBenchmark } from './match.bench.js';
import { warmScanBenchmark } from './warm-scan.bench.js';
import { boltBenchmarks } from './bolt.bench.js';
import { scanApiBenchmark } from './scan-api.bench.js';
import { serverRssBenchmark } from './server-rss.bench.js';

const all: Benchmark[] = [...versionBenchmarks, vercmpProcessBenchmark, scanBenchmark, nodeModulesBenchmark, ...concelierBenchmarks, matchBenchmark, warmScanBenchmark, ...boltBenchmarks, scanApiBenchmark, serverRssBenchmark];

const filter = process.argv[2];
const results: BenchResult[] = [];
for (const bench of all) {
  if (filter !== undefined && !bench.name.includes(filter)) continue;
  process.stderr.write(`bench: ${bench.name}…\n`);
  results.push(...(await bench.run()));
}
process.stdout.write(`${formatTable(results)}\n`);
process.stdout.write(`\nnode ${process.version}, ${process.platform}/${process.arch}\n`);
