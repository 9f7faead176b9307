import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import nodeSemver from 'semver';
import { describeVectorFiles, rejectsVersion } from '../../test/support/vectors.js';
import { npm } from './npm.js';

const vectors = describeVectorFiles(npm, { minFiles: 2 });
const rejects = (version: string): boolean => rejectsVersion(npm, version);

describe('npm registry sample', () => {
  it('npm-registry-sample.txt: holds about 3000 real registry versions, all accepted', () => {
    const sample = vectors.get('npm-registry-sample.txt');
    assert.ok(sample !== undefined && sample.comparisons.length >= 2500);
  });
});

describe('npm parse', () => {
  // node-semver test/fixtures/equality.js (ISC): the white-space forms the vector files cannot hold.
  it('reads white space and a leading "=" or "v" as semver.clean does', () => {
    for (const v of ['v 1.2.3', '= 1.2.3', ' v1.2.3', ' =1.2.3', ' v 1.2.3', ' = 1.2.3', '  v1.2.3+build']) {
      assert.equal(npm.compare(v, '1.2.3'), 0, JSON.stringify(v));
    }
    assert.equal(npm.compare(' = 1.2.3-beta+build', '1.2.3-beta+otherbuild'), 0);
  });
  it('accepts exactly the strings semver.clean() accepts (what npm publish stores)', () => {
    const inputs = [
      '1.2.3', 'v1.2.3', '=v1.2.3', 'vv=1.2.3', ' =v 1.2.3 ', '= v1.2.3', 'V1.2.3', 'v01.2.3', '1.2', 'v1',
      '1.2.3.4', '1.2.3-01', '1.2.3-a..b', '1.2.3+', '\t1.2.3\n', '1.2.3\u00a0', '~1.2.3', '^1.2.3', '1.2.3 - 2',
      '1.2.x', '', ' ', `v${'1'.repeat(254)}.0.0`, '9007199254740992.0.0', '1.2.3-alpha.-1',
    ];
    for (const v of inputs) assert.equal(!rejects(v), nodeSemver.clean(v) !== null, JSON.stringify(v));
  });
});
