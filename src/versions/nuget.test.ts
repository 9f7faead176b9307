import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeVectorFiles, rejectsVersion } from '../../test/support/vectors.js';
import { nuget } from './nuget.js';

const vectors = describeVectorFiles(nuget, { minFiles: 2 });
const rejects = (version: string): boolean => rejectsVersion(nuget, version);

describe('nuget parse', () => {
  // NuGetVersionTest.TryParseHandlesValidVersionPatterns and ParseIgnoresLeadingAndTrailingWhitespace
  // (NuGet.Client, Apache-2.0): white space around the string and around each number is tolerated.
  it('accepts white space around the string and around each number, as NuGetVersion.TryParse does', () => {
    for (const [text, numbers] of [
      ['   19', [19, 0, 0, 0]], ['   19.   19', [19, 19, 0, 0]], ['19   .19   .19   ', [19, 19, 19, 0]],
      ['   19   .   19   .   19   .   19   ', [19, 19, 19, 19]], ['  1.022-Beta', [1, 22, 0, 0]],
      ['    1.3.42.10133-PreRelease  ', [1, 3, 42, 10133]], ['22.3.07     ', [22, 3, 7, 0]],
      ['1.0 -beta', [1, 0, 0, 0]], ['\u00851.0\u3000', [1, 0, 0, 0]],
    ] as const) {
      assert.deepEqual(nuget.parse(text).numbers, numbers, JSON.stringify(text));
    }
    assert.equal(nuget.compare('23.2.3-Alpha  ', '23.2.3-alpha'), 0);
  });
  it('rejects blank input, white space inside a number or a label, and U+FEFF (not .NET white space)', () => {
    for (const text of ['', '         ', ' .1.1.1', '1.1.1. ', '   1 9   ', '1.0- beta', '\ufeff1.0']) {
      assert.ok(rejects(text), JSON.stringify(text));
    }
  });
  it('reads labels as int.TryParse does: a leading "-" makes a negative number, past Int32 is text', () => {
    assert.deepEqual(nuget.parse('1.0.0--5.2147483647.2147483648').labels, [-5, 2147483647, '2147483648']);
    assert.equal(nuget.compare('1.0.0--5', '1.0.0-0'), -1);
    assert.equal(nuget.compare('1.0.0-2147483648', '1.0.0-2147483647'), 1);
    assert.equal(nuget.compare('1.0.0-2147483648', '1.0.0-3'), 1);
    assert.equal(nuget.compare('1.0.0-2147483648', '1.0.0-30000000000'), -1, 'both text: ordinal');
  });
  it('keeps metadata but never compares it', () => {
    assert.equal(nuget.parse('1.0.0-rc.1+Build.7').metadata, 'Build.7');
    assert.equal(nuget.compare('1.0.0+b', '1.0.0+a'), 0);
  });
  it('is a total order on the vector sample (sorting is stable under reversal)', () => {
    const sample = [...new Set([...vectors.values()].flatMap((f) => f.comparisons.flatMap((c) => [c.a, c.b])))];
    const sorted = [...sample].sort(nuget.compare);
    const again = [...sample].reverse().sort(nuget.compare);
    for (let i = 1; i < sorted.length; i++) {
      assert.ok(nuget.compare(sorted[i - 1] ?? '', sorted[i] ?? '') <= 0, `${sorted[i - 1]} > ${sorted[i]}`);
      assert.equal(nuget.compare(sorted[i] ?? '', again[i] ?? ''), 0);
    }
  });
});
