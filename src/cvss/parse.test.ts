import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CvssError, parseVector, scoreVector } from './index.js';

function loadInvalid(): Array<{ line: number; code: string; vector: string; fragment: string }> {
  const text = readFileSync(new URL('./testdata/cvss-invalid.tsv', import.meta.url), 'utf8');
  return text.split('\n').flatMap((raw, index) => {
    if (raw === '' || raw.startsWith('#')) return [];
    const [code, vector, fragment] = raw.split('\t');
    if (code === undefined || vector === undefined || fragment === undefined) throw new Error(`cvss-invalid.tsv:${index + 1}: malformed`);
    return [{ line: index + 1, code, vector, fragment }];
  });
}

describe('invalid vectors are rejected with a CvssError stating the fact', () => {
  for (const { line, code, vector, fragment } of loadInvalid()) {
    it(`line ${line}: ${JSON.stringify(vector)}`, () => {
      assert.throws(() => scoreVector(vector), (error: unknown) => {
        assert.ok(error instanceof CvssError, `not a CvssError: ${String(error)}`);
        assert.equal(error.code, code);
        assert.ok(error.message.includes(fragment), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(fragment)}`);
        return true;
      });
    });
  }

  it('rejects absurdly long input before looking at it', () => {
    const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' + '/E:X'.repeat(200);
    assert.throws(() => scoreVector(vector), /longer than 512 characters/);
  });
});

describe('parseVector accepts what the specifications allow', () => {
  it('takes v3.x metrics in any order', () => {
    const shuffled = scoreVector('CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N/RC:U');
    assert.equal(shuffled.baseScore, 9.8);
  });

  it('takes explicit Not Defined values in every optional group', () => {
    const v4 = parseVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/CR:X/MSI:X/S:X/U:X');
    assert.deepEqual([...v4.definedGroups], ['base']);
    const v2 = parseVector('AV:N/AC:L/Au:N/C:P/I:P/A:P/E:ND/RL:ND/RC:ND/CDP:ND/TD:ND/CR:ND/IR:ND/AR:ND');
    assert.deepEqual([...v2.definedGroups], ['base']);
  });

  it('takes a v4.0 vector with every metric, in spec order', () => {
    const vector = 'CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L/E:P/CR:L/IR:M/AR:H'
      + '/MAV:A/MAC:L/MAT:N/MPR:L/MUI:P/MVC:H/MVI:N/MVA:L/MSC:H/MSI:S/MSA:S/S:N/AU:Y/R:I/V:C/RE:H/U:Red';
    const parsed = parseVector(vector);
    assert.equal(parsed.metrics.size, 32);
    assert.deepEqual([...parsed.definedGroups], ['base', 'threat', 'environmental', 'supplemental']);
  });

  it('strips only the parentheses of the NVD v2 form before scoring', () => {
    assert.equal(parseVector('(AV:N/AC:L/Au:N/C:P/I:P/A:P)').vector, 'AV:N/AC:L/Au:N/C:P/I:P/A:P');
  });
});
