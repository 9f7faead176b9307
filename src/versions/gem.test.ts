import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkVectors, loadVectors } from '../../test/support/vectors.js';
import { requireTool } from '../../test/support/tools.js';
import { gem } from './gem.js';

const data = (name: string) => fileURLToPath(new URL(`testdata/${name}`, import.meta.url));

function accepts(v: string): boolean {
  try {
    gem.parse(v);
    return true;
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'INVALID_VERSION', `parse(${JSON.stringify(v)}) threw ${String(error)}`);
    return false;
  }
}

for (const name of ['gem-generated.txt', 'gem-rubygems-tests.txt']) {
  describe(`gem vectors: ${name}`, () => {
    const file = loadVectors(data(name));
    it('orders every pair in both directions', () => {
      assert.deepEqual(checkVectors(gem.compare, file), []);
    });
    it('accepts and rejects exactly what Gem::Version.correct? does', () => {
      assert.deepEqual(file.valid.filter((v) => !accepts(v)), []);
      assert.deepEqual(file.invalid.filter(accepts), []);
    });
  });
}

describe('gem edge cases', () => {
  it('reads blank input as version 0, as Gem::Version.new does', () => {
    for (const v of ['', ' ', '   ']) assert.equal(gem.compare(v, '0'), 0);
  });

  it("strips Ruby's ASCII whitespace only", () => {
    for (const v of ['1.0 ', ' 1.0 ', '1.0\n', '\n1.0\n', '\v1.0\f']) assert.equal(gem.compare(v, '1'), 0, JSON.stringify(v));
    for (const v of ['\u00a01.0', '1.0\ufeff', '1.0\n2.0', '1.2 3.4', 'an incorrect version']) assert.equal(accepts(v), false, JSON.stringify(v));
  });

  it('compares letters by byte and numbers past 2^53 exactly', () => {
    assert.equal(gem.compare('1.0.B', '1.0.a'), -1);
    assert.equal(gem.compare('9007199254740993', '9007199254740992'), 1);
    assert.equal(gem.compare('1.99999999999999999999', '1.99999999999999999998'), 1);
  });
});

describe('gem against the live Ruby Gem::Version', () => {
  it('agrees on ~2000 pairs of real gem versions', (t) => {
    if (!requireTool(t, 'ruby', ['-e', 'require "json"; Gem::Version'])) return;
    const versions = readFileSync(data('gem-sample.txt'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const n = versions.length;
    const pairs = versions.flatMap((v, i) => [1, 7, 31].map((k) => [v, versions[(i + k * (i % 5 + 1)) % n] ?? v] as const));
    const input = pairs.map((p) => JSON.stringify(p)).join('\n') + '\n';
    const run = spawnSync('ruby', [data('gem-oracle.rb')], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(run.status, 0, `oracle failed: ${run.stderr}`);
    const answers = run.stdout.trim().split('\n');
    assert.equal(answers.length, pairs.length);
    const diffs = pairs.flatMap(([a, b], i) => {
      const okA = accepts(a);
      const okB = accepts(b);
      const got = JSON.stringify([okA, okB, okA && okB ? gem.compare(a, b) : null]);
      return got === answers[i] ? [] : [`${a} vs ${b}: ours ${got}, ruby ${answers[i]}`];
    });
    assert.deepEqual(diffs, []);
  });
});
