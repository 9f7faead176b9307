import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getScheme } from '../src/versions/index.js';
import { loadVectors } from '../test/support/vectors.js';
import { bestOf, type Benchmark } from './harness.js';

const TESTDATA = 'src/versions/testdata';

/** Version pairs of one scheme from its committed vector files (valid comparisons only). */
export function pairsFor(scheme: string): Array<[string, string]> {
  const compare = getScheme(scheme).compare;
  const pairs: Array<[string, string]> = [];
  for (const file of readdirSync(TESTDATA).sort()) {
    if (!file.startsWith(`${scheme}-`) || !file.endsWith('.txt')) continue;
    for (const v of loadVectors(join(TESTDATA, file)).comparisons) {
      try {
        compare(v.a, v.b);
        pairs.push([v.a, v.b]);
      } catch {
        // invalid on purpose in some vector files; not a throughput case
      }
    }
  }
  return pairs;
}

const N = 1_000_000;

function schemeThroughput(scheme: string, target: number): Benchmark {
  return {
    name: `versions/${scheme}`,
    async run() {
      const pairs = pairsFor(scheme);
      if (pairs.length === 0) throw new Error(`no ${scheme} vector pairs under ${TESTDATA}`);
      const compare = getScheme(scheme).compare;
      let sink = 0;
      const ours = await bestOf(5, () => {
        for (let i = 0; i < N; i++) {
          const p = pairs[i % pairs.length]!;
          sink += compare(p[0], p[1]);
        }
      });
      const base = await bestOf(5, () => {
        for (let i = 0; i < N; i++) {
          const p = pairs[i % pairs.length]!;
          sink += p[0] < p[1] ? -1 : p[0] > p[1] ? 1 : 0;
        }
      });
      if (sink === Number.MIN_SAFE_INTEGER) process.stderr.write('');
      const rate = (N / ours) * 1000;
      return [{
        name: `${scheme} compare(a, b), ${pairs.length} distinct real pairs`,
        unit: 'ops/s',
        value: rate,
        baselineName: 'plain JS string <',
        baseline: (N / base) * 1000,
        target: `>= ${target.toLocaleString('en-US')} ops/s`,
        met: rate >= target,
      }];
    },
  };
}

export const versionBenchmarks: Benchmark[] = [schemeThroughput('deb', 1_000_000), schemeThroughput('rpm', 1_000_000)];
