import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import nodeSemver from 'semver';
import { describeVectorFiles, loadVectors, rejectsVersion } from '../../test/support/vectors.js';
import { comparePreIdentifiers, parsePreIdentifiers, semver } from './semver.js';

const testdata = (name: string): string => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));
const fixtures = loadVectors(testdata('semver-node-semver-fixtures.txt'));

const rejects = (version: string): boolean => rejectsVersion(semver, version);

describeVectorFiles(semver, { minFiles: 1 });

describe('semver-node-semver-fixtures.txt', () => {
  it('holds at least 20 comparisons', () => assert.ok(fixtures.comparisons.length >= 20));
});

describe('semver parse', () => {
  it('accepts what node-semver accepts strictly, minus a leading "v" and surrounding white space', () => {
    const inputs = [
      '1.2.3', 'v1.2.3', ' 1.2.3', '1.2.3\n', '=1.2.3', '1.2', '1.2.3.4', '01.2.3', '1.2.3-01', '1.2.3-0a',
      '1.2.3-', '1.2.3+', '1.2.3-a..b', '1.2.3+a..b', '1.2.3+001', '9007199254740991.0.0', '9007199254740992.0.0',
      '1.2.3-alpha+build+x', '1.2.3 -a', 'V1.2.3', '', '1.2.3-ä', `1.0.0-${'a'.repeat(250)}`,
    ];
    for (const v of inputs) {
      const expected = nodeSemver.valid(v) !== null && !v.startsWith('v') && v.trim() === v;
      assert.equal(!rejects(v), expected, JSON.stringify(v));
    }
  });
  it('ignores build metadata in comparisons', () => {
    assert.equal(semver.compare('1.0.0+b', '1.0.0+a'), 0);
    assert.equal(semver.compare('1.0.0-rc.1+b', '1.0.0-rc.1'), 0);
    assert.equal(semver.compare('1.0.0+z', '1.0.1'), -1);
  });
  it('orders the SemVer 2.0.0 §11 example chain', () => {
    const chain = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11',
      '1.0.0-rc.1', '1.0.0'];
    for (let i = 1; i < chain.length; i++) assert.equal(semver.compare(chain[i - 1] ?? '', chain[i] ?? ''), -1);
  });
});

describe('exact pre-release precedence (shared by cargo and go)', () => {
  const cmp = (a: string, b: string): number => comparePreIdentifiers(parsePreIdentifiers(a), parsePreIdentifiers(b));
  it('compares numeric identifiers of any length numerically', () => {
    assert.equal(cmp('99999999999999999999', '100000000000000000000'), -1);
    assert.equal(cmp('999999999999999', '1000000000000000'), -1, 'number against bigint');
    assert.equal(cmp('18446744073709551616', '18446744073709551616'), 0);
  });
  it('puts numbers before text and compares text in ASCII order', () => {
    assert.equal(cmp('999', 'a'), -1);
    assert.equal(cmp('B', 'a'), -1);
    assert.equal(cmp('a-', 'a0'), -1);
    assert.equal(cmp('a.b', 'a'), 1);
  });
});
