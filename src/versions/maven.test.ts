import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkVectors, loadVectors } from '../../test/support/vectors.js';
import { missingPrerequisite, requireTool } from '../../test/support/tools.js';
import { maven } from './maven.js';
import { VersionError } from './scheme.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const VECTORS = here('./testdata/maven-comparable-version.txt');
const JAVA_SOURCE = here('../../scripts/vectors/MavenCompare.java');
// Debian's package maven; its ComparableVersion is Maven 3.8.7's (= 3.9.x's, see maven.ts).
const JAR = '/usr/share/maven/lib/maven-artifact-3.x.jar';
const DIFFERENTIAL_PAIRS = 2000;

/** Deterministic pairs over the vector file's versions, mostly not the pairs the file holds. */
function samplePairs(count: number): Array<[string, string]> {
  const versions = [...new Set(loadVectors(VECTORS).comparisons.flatMap((v) => [v.a, v.b]))].sort();
  let state = 42;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % versions.length;
  };
  return Array.from({ length: count }, () => [versions[next()] ?? '', versions[next()] ?? '']);
}

/** Compiles MavenCompare.java and answers all pairs in one JVM. */
function referenceAnswers(pairs: Array<[string, string]>): number[] {
  const jar = realpathSync(JAR);
  const dir = mkdtempSync(join(tmpdir(), 'maven-compare-'));
  try {
    const javac = spawnSync('javac', ['-d', dir, '-cp', jar, JAVA_SOURCE], { encoding: 'utf8' });
    assert.equal(javac.status, 0, javac.stderr);
    const input = pairs.map(([a, b]) => `${a}\t${b}`).join('\n') + '\n';
    const run = spawnSync('java', ['-cp', `${dir}:${jar}`, 'MavenCompare'], { input, encoding: 'utf8', maxBuffer: 1 << 24 });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim().split('\n').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('maven (ComparableVersion of Maven 3.8.7 / 3.9.x)', () => {
  it('agrees with the committed ComparableVersion answers, in both directions', () => {
    const file = loadVectors(VECTORS);
    assert.ok(file.comparisons.length > 5000);
    assert.deepEqual(checkVectors(maven.compare, file), []);
  });

  it('agrees with the live maven-artifact jar on sampled pairs', (t) => {
    if (!requireTool(t, 'javac', ['-version']) || !requireTool(t, 'java', ['-version'])) return;
    if (!existsSync(JAR)) {
      missingPrerequisite(t, `${JAR} not found; install Debian's maven package`);
      return;
    }
    const pairs = samplePairs(DIFFERENTIAL_PAIRS);
    const want = referenceAnswers(pairs);
    assert.equal(want.length, pairs.length);
    const failures = pairs.flatMap(([a, b], i) => {
      const got = maven.compare(a, b);
      return got === want[i] ? [] : [`compare(${a}, ${b}) = ${got}, ComparableVersion says ${want[i]}`];
    });
    assert.deepEqual(failures, []);
  });

  it('applies the documented orderings and aliases', () => {
    const ordered = ['1-alpha', '1-a1', '1-beta', '1-b2', '1-milestone', '1-m2', '1-rc', '1-cr2', '1-snapshot',
      '1', '1-sp', '1-abc', '1-xyz', '1-1', '1.1'];
    for (let i = 1; i < ordered.length; i++) {
      const [lo = '', hi = ''] = [ordered[i - 1], ordered[i]];
      assert.equal(maven.compare(lo, hi), -1, `${lo} < ${hi}`);
      assert.equal(maven.compare(hi, lo), 1, `${hi} > ${lo}`);
    }
    for (const [a, b] of [['1', '1.0.0'], ['1-ga', '1'], ['1.0.0.Final', '1'], ['1-RELEASE', '1.0'], ['1.0-rc-1', '1.0-RC1'],
      ['1-cr1', '1-rc1'], ['01.002', '1.2'], ['1.0-alpha1', '1.0a1'], ['123456789012345678901234567890', '123456789012345678901234567890.0']]) {
      assert.equal(maven.compare(a ?? '', b ?? ''), 0, `${a} = ${b}`);
    }
    assert.equal(maven.compare('1.99999999999999999999', '1.100000000000000000000'), -1);
    // Qualifiers are data, not object keys (answers checked against ComparableVersion).
    assert.equal(maven.compare('1-constructor1', '1-constructor2'), -1);
    assert.equal(maven.compare('1-__proto__', '1-sp'), 1);
  });

  it('accepts any string except empty, whitespace-containing or capital-sigma ones', () => {
    for (const bad of ['', ' ', '1.0 ', ' 1.0', '1.0 final', '1\t0', '1\n', '1.0-\u03a3']) {
      assert.throws(() => maven.parse(bad), (e: unknown) => e instanceof VersionError && e.code === 'INVALID_VERSION', JSON.stringify(bad));
    }
    for (const odd of ['.', '-', 'a', '1..2', '..1-', '\u0662', '#1', '~']) assert.doesNotThrow(() => maven.parse(odd), odd);
  });
});
