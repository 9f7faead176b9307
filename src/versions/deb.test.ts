import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { requireTool } from '../../test/support/tools.js';
import { describeVectorFiles, rejectsVersion } from '../../test/support/vectors.js';
import { deb, splitDebVersion } from './deb.js';

/**
 * Rejections of ours where dpkg has no single answer (see deb.ts); dpkg itself accepts them. The
 * vector-file suite still checks that we reject them: only the dpkg comparison below sets them apart.
 */
const OURS_ONLY = new Set(['1.é', '<unknown>']);

const vectors = describeVectorFiles(deb, { minFiles: 3 });
const rejects = (version: string): boolean => rejectsVersion(deb, version);

describe('deb parse', () => {
  it('splits epoch, upstream and the revision after the last hyphen', () => {
    assert.deepEqual(splitDebVersion('2:1.2-3-4'), { epoch: 2, upstream: '1.2-3', revision: '4' });
    assert.deepEqual(splitDebVersion('1.0'), { epoch: 0, upstream: '1.0', revision: '' });
    assert.deepEqual(splitDebVersion('1:1.0:2'), { epoch: 1, upstream: '1.0:2', revision: '' });
  });
  it('ignores leading and trailing blanks like dpkg, but not embedded ones', () => {
    assert.deepEqual(splitDebVersion(' \t1:1.0-1\t '), { epoch: 1, upstream: '1.0', revision: '1' });
    assert.equal(deb.compare('  1.0 ', '1.0'), 0);
    assert.ok(rejects('1.0\t1'));
    assert.ok(rejects(' \t '));
    assert.ok(rejects(''));
  });
  it('reads the epoch with strtol() rules (leading white space, sign)', () => {
    assert.equal(splitDebVersion('\n1:2').epoch, 1);
    assert.equal(splitDebVersion('+7:2').epoch, 7);
    assert.equal(splitDebVersion('-0:2').epoch, 0);
    assert.ok(rejects('+:2'));
  });
  it('rejects NUL and non-ASCII characters, accepts other ASCII control characters', () => {
    assert.ok(rejects('1.0\u0000'));
    assert.ok(rejects('1.0\u00a0'));
    assert.equal(deb.compare('1.0\u0001', '1.0'), 1);
  });
  it('is a total order on a mixed sample (sorting is stable under reversal)', () => {
    const sample = [...new Set([...vectors.values()].flatMap((f) => f.comparisons.flatMap((c) => [c.a, c.b])))];
    const sorted = [...sample].sort(deb.compare);
    const again = [...sample].reverse().sort(deb.compare);
    for (let i = 1; i < sorted.length; i++) {
      assert.ok(deb.compare(sorted[i - 1] ?? '', sorted[i] ?? '') <= 0, `${sorted[i - 1]} > ${sorted[i]}`);
      assert.equal(deb.compare(sorted[i] ?? '', again[i] ?? ''), 0);
    }
  });
});

/**
 * One bash process runs `dpkg --compare-versions` for each tab-separated pair read from stdin and
 * prints <, = or >, or E when dpkg exits 2 (a hard parse error).
 */
const DPKG_LOOP = `
while IFS=$'\\t' read -r a b; do
  rc=0; dpkg --compare-versions -- "$a" lt "$b" 2>/dev/null || rc=$?
  if [ "$rc" = 0 ]; then echo '<'
  elif [ "$rc" = 1 ]; then dpkg --compare-versions -- "$a" eq "$b" 2>/dev/null && echo '=' || echo '>'
  else echo E; fi
done`;

function dpkgAnswers(pairs: Array<[string, string]>): string[] {
  const input = pairs.map(([a, b]) => `${a}\t${b}\n`).join('');
  const run = spawnSync('bash', ['-c', DPKG_LOOP], { input, encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n').slice(0, -1);
  assert.equal(lines.length, pairs.length);
  return lines;
}

describe('deb against the real dpkg', () => {
  it('agrees with dpkg --compare-versions on every hand-written and upstream pair and a 300-pair sample', (t) => {
    if (!requireTool(t, 'dpkg', ['--version'])) return;
    const pairs: Array<[string, string]> = [];
    for (const [name, file] of vectors) {
      const chosen = name === 'deb-dpkg-pairs.txt'
        ? file.comparisons.filter((_, i) => i % Math.ceil(file.comparisons.length / 300) === 0)
        : file.comparisons;
      for (const c of chosen) pairs.push([c.a, c.b]);
    }
    const answers = dpkgAnswers(pairs);
    const ours = (a: string, b: string): string => ['<', '=', '>'][deb.compare(a, b) + 1] ?? '?';
    const mismatches = pairs.filter(([a, b], i) => ours(a, b) !== answers[i]);
    assert.deepEqual(mismatches.map(([a, b]) => `${a} ? ${b}`), []);
    assert.ok(pairs.length >= 350, `only ${pairs.length} pairs`);
  });

  it('rejects exactly what dpkg rejects with a hard error, apart from our documented extras', (t) => {
    if (!requireTool(t, 'dpkg', ['--version'])) return;
    const all = [...vectors.values()];
    const invalid = all.flatMap((f) => f.invalid).filter((v) => !OURS_ONLY.has(v));
    const valid = all.flatMap((f) => f.valid).concat([...OURS_ONLY]);
    const answers = dpkgAnswers([...invalid, ...valid].map((v) => [v, '1']));
    assert.deepEqual(invalid.filter((_, i) => answers[i] !== 'E'), [], 'dpkg accepts these');
    assert.deepEqual(valid.filter((_, i) => answers[invalid.length + i] === 'E'), [], 'dpkg rejects these');
  });
});
