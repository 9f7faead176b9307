import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark } from './harness.js';
import { BENCH_DIR } from './scan-image.js';

const TREE = join(BENCH_DIR, 'node-modules-10k');
const MODULES = 10_000;

// A 10,000-module node_modules: 8,000 top-level packages (1,000 of them scoped), 2,000 nested
// under others, each with a package.json, an index.js and a README, like an installed tree.
function buildTree(): void {
  if (existsSync(join(TREE, 'package.json'))) return;
  const partial = `${TREE}.partial`;
  rmSync(partial, { recursive: true, force: true });
  process.stderr.write('bench: building the 10,000-module node_modules tree (once)…\n');
  const write = (dir: string, name: string, version: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, license: 'MIT', main: 'index.js', description: `benchmark module ${name}`, dependencies: {} }, null, 2));
    writeFileSync(join(dir, 'index.js'), `module.exports = ${JSON.stringify(name)};\n`);
    writeFileSync(join(dir, 'README.md'), `# ${name}\n`);
  };
  const nm = join(partial, 'app', 'node_modules');
  for (let i = 0; i < 8000; i++) {
    if (i < 1000) write(join(nm, `@scope${i % 20}`, `pkg-${i}`), `@scope${i % 20}/pkg-${i}`, `1.${i % 50}.${i % 7}`);
    else write(join(nm, `pkg-${i}`), `pkg-${i}`, `2.${i % 30}.${i % 11}`);
  }
  for (let i = 0; i < MODULES - 8000; i++) {
    write(join(nm, `pkg-${1000 + i}`, 'node_modules', `dep-${i}`), `dep-${i}`, `0.${i % 9}.1`);
  }
  writeFileSync(join(partial, 'app', 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  writeFileSync(join(partial, 'package.json'), '{}');
  renameSync(partial, TREE);
}

interface ChildResult {
  ms: number;
  maxRssMb: number;
  packages?: number;
}

function child(mode: 'scan' | 'walk'): ChildResult {
  const result = spawnSync(process.execPath, ['bench/node-modules-child.mjs', mode, TREE], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node-modules-child ${mode} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildResult;
}

/** `stella scan dir:` of a 10,000-module tree in a fresh process, next to a bare fs walk of it. */
export const nodeModulesBenchmark: Benchmark = {
  name: 'node-modules',
  async run() {
    buildTree();
    child('scan');
    const runs = [child('scan'), child('scan'), child('scan')];
    const scan = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const walk = [child('walk'), child('walk'), child('walk')].reduce((a, b) => (b.ms < a.ms ? b : a));
    const note = scan.packages === undefined ? '' : ` (${scan.packages} packages)`;
    return [
      { name: `catalog a 10,000-module node_modules (scan dir:, whole job)${note}`, unit: 'ms', value: scan.ms, baselineName: 'bare fs walk reading every package.json', baseline: walk.ms, target: '<= 2,000 ms', met: scan.ms <= 2000 },
      { name: 'peak RSS, 10,000-module catalog', unit: 'MB', value: scan.maxRssMb, baselineName: 'bare fs walk', baseline: walk.maxRssMb, target: '<= 250 MB', met: scan.maxRssMb <= 250 },
    ];
  },
};
