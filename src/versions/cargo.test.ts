import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import nodeSemver from 'semver';
import { describeVectorFiles, loadVectors, rejectsVersion } from '../../test/support/vectors.js';
import { cargo } from './cargo.js';

const testdata = (name: string): string => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

describeVectorFiles(cargo, { minFiles: 2 });
const rejects = (version: string): boolean => rejectsVersion(cargo, version);

describe('cargo parse', () => {
  // dtolnay/semver tests/test_version.rs (MIT OR Apache-2.0): inputs the vector files cannot hold.
  it('rejects white space anywhere and control characters, like Version::parse', () => {
    for (const v of ['', '  ', ' 1.2.3', '1.2.3 ', '8\0', '1.2.3\n', '1.2.3-b\0']) assert.ok(rejects(v), JSON.stringify(v));
  });
  it('keeps build metadata for display but orders by SemVer precedence', () => {
    const v = cargo.parse('1.2.3-rc.1+build.5');
    assert.deepEqual([v.major, v.minor, v.patch, v.pre, v.build], [1, 2, 3, ['rc', 1], 'build.5']);
    assert.equal(cargo.compare('1.2.3+b', '1.2.3+a'), 0);
  });
  it('holds numbers up to u64::MAX exactly', () => {
    assert.equal(cargo.parse('18446744073709551615.0.0').major, 18446744073709551615n);
  });
});

describe('cargo against node-semver (an independent SemVer 2.0.0 implementation)', () => {
  it('agrees on the order of ~3000 real npm versions and the node-semver fixtures, where both accept them', () => {
    const sources = ['npm-registry-sample.txt', 'semver-node-semver-fixtures.txt'].map((f) => loadVectors(testdata(f)));
    const versions = [...new Set(sources.flatMap((f) => f.comparisons.flatMap((c) => [c.a, c.b])))]
      .filter((v) => !rejects(v) && nodeSemver.valid(v) === v.replace(/\+.*$/, ''));
    assert.ok(versions.length >= 2500, `only ${versions.length} versions`);
    const mismatches: string[] = [];
    for (let i = 0; i < versions.length; i++) {
      for (const j of [i + 1, (i * 7919 + 13) % versions.length]) {
        const a = versions[i] ?? '';
        const b = versions[j % versions.length] ?? '';
        if (cargo.compare(a, b) !== nodeSemver.compare(a, b)) mismatches.push(`${a} ? ${b}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });
  it('accepts the same strings as strict node-semver without a "v", within node-semver\'s limits', () => {
    const inputs = loadVectors(testdata('cargo-edge.txt'));
    for (const v of [...inputs.invalid, ...inputs.valid].filter((s) => !/[0-9]{16}/.test(s))) {
      assert.equal(!rejects(v), nodeSemver.valid(v) !== null && !v.startsWith('v'), v);
    }
  });
});
