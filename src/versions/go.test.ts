import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { missingPrerequisite, requireTool } from '../../test/support/tools.js';
import { describeVectorFiles, loadVectors, rejectsVersion } from '../../test/support/vectors.js';
import { go } from './go.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pairsFile = loadVectors(join(root, 'src/versions/testdata/go-xmod-pairs.txt'));
const GOPATH = '/usr/share/gocode';

const rejects = (version: string): boolean => rejectsVersion(go, version);

// go-xmod-pairs.txt: every pair holds, non-canonical module versions are rejected.
describeVectorFiles(go, { minFiles: 1 });

describe('go-xmod-pairs.txt', () => {
  it('holds at least 1500 pairs', () => assert.ok(pairsFile.comparisons.length >= 1500));
});

describe('go parse', () => {
  it('accepts canonical module versions only: v prefix, three numbers, build metadata only +incompatible', () => {
    for (const v of ['v1.2.3', 'v0.0.0-20191109021931-daa7c04131f5', 'v2.3.4+incompatible', 'v1.0.0-rc.1']) {
      assert.ok(!rejects(v), v);
    }
    for (const v of ['1.2.3', 'v1', 'v1.2', 'v1.2.3+meta', 'v1.2.3+incompatible+x', 'v01.2.3', 'v1.2.3-01', ' v1.2.3', '']) {
      assert.ok(rejects(v), v);
    }
  });
  it('says why a version is rejected', () => {
    assert.throws(() => go.parse('1.2.3'), /start with "v"/);
    assert.throws(() => go.parse('v1.2'), /not a canonical module version/);
    assert.throws(() => go.parse('v1.2.x'), /not a semantic version/);
  });
  it('orders pseudo-versions as pre-releases, by time, before their base version', () => {
    assert.equal(go.compare('v0.0.0-20191109021931-daa7c04131f5', 'v0.0.0-20200101000000-000000000000'), -1);
    assert.equal(go.compare('v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.3'), 1);
    assert.equal(go.compare('v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.4'), -1);
  });
  it('ignores +incompatible in comparisons, like semver.Compare', () => {
    assert.equal(go.compare('v2.0.0+incompatible', 'v2.0.0'), 0);
    assert.equal(go.parse('v2.0.0+incompatible').incompatible, true);
  });
});

/** Builds scripts/vectors/gocompare against Debian's golang.org/x/mod, offline; null when skipped. */
function buildGoCompare(t: TestContext, dir: string): string | null {
  if (!requireTool(t, 'go', ['version'])) return null;
  if (!existsSync(join(GOPATH, 'src/golang.org/x/mod/semver'))) {
    const message = `golang.org/x/mod is not under ${GOPATH} (apt-get install golang-golang-x-mod-dev)`;
    missingPrerequisite(t, message);
    return null;
  }
  const binary = join(dir, 'gocompare');
  const env = {
    ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '', GOPROXY: 'off',
    GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'stella-go-build-cache'),
  };
  const build = spawnSync('go', ['build', '-o', binary, './scripts/vectors/gocompare'], { cwd: root, env, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  return binary;
}

describe('go against golang.org/x/mod', () => {
  it('agrees with semver.Compare and module.CanonicalVersion on every committed pair and version', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stella-gocompare-'));
    try {
      const binary = buildGoCompare(t, dir);
      if (binary === null) return;
      const pairs = pairsFile.comparisons.map((c): [string, string] => [c.a, c.b]);
      for (const v of [...pairsFile.invalid, ...pairsFile.valid]) pairs.push([v, 'v1.0.0']);
      const run = spawnSync(binary, { input: pairs.map(([a, b]) => `${a}\t${b}\n`).join(''), encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const answers = run.stdout.trim().split('\n');
      assert.equal(answers.length, pairs.length);
      const ours = (v: string): number => (rejects(v) ? 0 : 1);
      const mismatches = pairs.flatMap(([a, b], i) => {
        const [cmp, okA, okB] = (answers[i] ?? '').split(' ').map(Number);
        const valid = ours(a) === okA && ours(b) === okB;
        const order = okA !== 1 || okB !== 1 || go.compare(a, b) === cmp;
        return valid && order ? [] : [`${a} ? ${b}: x/mod says ${answers[i]}`];
      });
      assert.deepEqual(mismatches, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
