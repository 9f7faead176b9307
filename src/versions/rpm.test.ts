import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { requireTool } from '../../test/support/tools.js';
import { describeVectorFiles, rejectsVersion } from '../../test/support/vectors.js';
import { parseEvr, rpm } from './rpm.js';

const vectors = describeVectorFiles(rpm, { minFiles: 3 });
const rejects = (version: string): boolean => rejectsVersion(rpm, version);

describe('rpm parse', () => {
  it('splits epoch, version and the release after the last hyphen', () => {
    assert.deepEqual(parseEvr('2:1.2-3-4.el9'), { epoch: '2', version: '1.2-3', release: '4.el9' });
    assert.deepEqual(parseEvr('1.0'), { epoch: '0', version: '1.0', release: '' });
    assert.deepEqual(parseEvr('007:1.0-1'), { epoch: '7', version: '1.0', release: '1' });
    assert.deepEqual(parseEvr('0:1:2'), { epoch: '0', version: '1:2', release: '' });
  });
  it('rejects empty input, white space and control characters anywhere', () => {
    for (const bad of ['', ' ', ' 1.0', '1.0 ', '1.0\t', '1.0\n', '1.0\u0000', '1.0\u007f']) {
      assert.ok(rejects(bad), JSON.stringify(bad));
    }
  });
  it('treats non-ASCII characters as separators, like rpm', () => {
    assert.equal(rpm.compare('1.é.2', '1.2'), 0);
    assert.equal(rpm.compare('1é', '1'), 0);
  });
  it('is a total order on a mixed sample (sorting is stable under reversal)', () => {
    const sample = [...new Set([...vectors.values()].flatMap((f) => f.comparisons.flatMap((c) => [c.a, c.b])))];
    const sorted = [...sample].sort(rpm.compare);
    const again = [...sample].reverse().sort(rpm.compare);
    for (let i = 1; i < sorted.length; i++) {
      assert.ok(rpm.compare(sorted[i - 1] ?? '', sorted[i] ?? '') <= 0, `${sorted[i - 1]} > ${sorted[i]}`);
      assert.equal(rpm.compare(sorted[i] ?? '', again[i] ?? ''), 0);
    }
  });
});

/**
 * One `rpm --eval` call: a Lua chunk reads tab-separated pairs from stdin (so no quoting or macro
 * expansion touches them) and prints <, = or > per rpm.vercmp(), or E when rpm raises an error.
 */
const LUA = `%{lua:
for line in io.lines() do
  local a, b = line:match("^([^\\t]*)\\t([^\\t]*)$")
  local ok, r = pcall(rpm.vercmp, a, b)
  io.write(ok and ({[-1] = "<", [0] = "=", [1] = ">"})[r] or "E", "\\n")
end
}`;

function rpmAnswers(pairs: Array<[string, string]>): string[] {
  const input = pairs.map(([a, b]) => `${a}\t${b}\n`).join('');
  const run = spawnSync('rpm', ['--eval', LUA], { input, encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, pairs.length);
  return lines;
}

describe('rpm against the real rpm', () => {
  it('agrees with rpm.vercmp on every pair of every rpm vector file', (t) => {
    if (!requireTool(t, 'rpm', ['--version'])) return;
    const pairs = [...vectors.values()].flatMap((f) => f.comparisons.map((c): [string, string] => [c.a, c.b]));
    const answers = rpmAnswers(pairs);
    const ours = (a: string, b: string): string => ['<', '=', '>'][rpm.compare(a, b) + 1] ?? '?';
    const mismatches = pairs.filter(([a, b], i) => ours(a, b) !== answers[i]);
    assert.deepEqual(mismatches.map(([a, b], i) => `${a} ? ${b}: rpm ${answers[i]}`), []);
    assert.ok(pairs.length >= 3000, `only ${pairs.length} pairs`);
  });

  it('rpm accepts every version we call valid', (t) => {
    if (!requireTool(t, 'rpm', ['--version'])) return;
    const valid = [...vectors.values()].flatMap((f) => f.valid);
    const answers = rpmAnswers(valid.map((v) => [v, '1']));
    assert.deepEqual(valid.filter((_, i) => answers[i] === 'E'), []);
  });
});
