import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { scoreVector, severityOf, type CvssResult } from './index.js';

/** Lines `vector<TAB>expected JSON` from a reference file (see its header for provenance). */
function loadReference(name: string): Array<{ line: number; vector: string; expected: Record<string, unknown> }> {
  const text = readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
  return text.split('\n').flatMap((raw, index) => {
    if (raw === '' || raw.startsWith('#')) return [];
    const [vector, json] = raw.split('\t');
    if (vector === undefined || json === undefined) throw new Error(`${name}:${index + 1}: malformed line`);
    return [{ line: index + 1, vector, expected: JSON.parse(json) as Record<string, unknown> }];
  });
}

describe('scoreVector agrees with the reference calculators on every line', () => {
  const files = {
    'cvss2-reference.tsv': 3000,
    'cvss30-reference.tsv': 4500,
    'cvss31-reference.tsv': 4500,
    'cvss40-reference.tsv': 4500,
  };
  for (const [name, atLeast] of Object.entries(files)) {
    it(name, () => {
      const cases = loadReference(name);
      assert.ok(cases.length >= atLeast, `${name}: only ${cases.length} vectors`);
      const failures: string[] = [];
      for (const { line, vector, expected } of cases) {
        let actual: unknown;
        try {
          actual = scoreVector(vector);
        } catch (error) {
          actual = `threw ${(error as Error).message}`;
        }
        try {
          assert.deepStrictEqual(actual, { vector, ...expected });
        } catch {
          failures.push(`${name}:${line} ${vector}\n  expected ${JSON.stringify(expected)}\n  actual   ${JSON.stringify(actual)}`);
        }
      }
      assert.equal(failures.length, 0, `${failures.length} of ${cases.length} differ:\n${failures.slice(0, 10).join('\n')}`);
    });
  }
});

function field(result: CvssResult, name: string): unknown {
  return (result as unknown as Record<string, unknown>)[name];
}

describe('scoreVector output shape', () => {
  it('reports only the groups a vector defines, so an explicit X changes nothing', () => {
    const plain = scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    const withX = scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/MAV:X');
    assert.deepEqual({ ...withX, vector: plain.vector }, plain);
    assert.deepEqual(Object.keys(plain), ['vector', 'version', 'baseScore', 'baseSeverity']);
  });

  // Expected values from FIRST's cvss40.js: B 9.3, BT 8.1, BTE 6.1.
  it('gives v4.0 base, threat (CVSS-BT) and environmental (CVSS-BTE) scores separately', () => {
    const vector = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/MAV:L/S:P/U:Amber';
    assert.deepEqual(scoreVector(vector), {
      vector, version: '4.0', baseScore: 9.3, baseSeverity: 'CRITICAL',
      threatScore: 8.1, threatSeverity: 'HIGH', environmentalScore: 6.1, environmentalSeverity: 'MEDIUM',
      supplemental: { S: 'P', U: 'Amber' },
    });
  });

  it('applies the November 2024 v4.0 rounding fix (8.6, not 8.5)', () => {
    assert.equal(scoreVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H').baseScore, 8.6);
  });

  it('keeps v3.0 and v3.1 rounding apart', () => {
    // 10 * 0.92 is 9.200000000000001 in binary: v3.0's Math.ceil roundup says 9.3, v3.1's Roundup 9.2.
    assert.equal(field(scoreVector('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:H/RC:U'), 'temporalScore'), 9.3);
    assert.equal(field(scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:H/RC:U'), 'temporalScore'), 9.2);
  });

  it('scores v2 with NVD severity ranges and accepts the parenthesised NVD form', () => {
    assert.deepEqual(scoreVector('(AV:N/AC:L/Au:N/C:P/I:P/A:P)'), {
      vector: '(AV:N/AC:L/Au:N/C:P/I:P/A:P)', version: '2.0', baseScore: 7.5, baseSeverity: 'HIGH',
    });
    assert.equal(scoreVector('AV:L/AC:H/Au:M/C:N/I:N/A:N').baseSeverity, 'LOW');
  });

  it('rounds the v2 environmental equation as the guide does', () => {
    // ae-cvss-calculator alone says 6.9: it skips the AdjustedBase/AdjustedTemporal roundings.
    assert.equal(field(scoreVector('AV:A/AC:M/Au:S/C:P/I:C/A:N/E:U/RL:U/RC:UC/CDP:LM/CR:L/IR:H/AR:ND'), 'environmentalScore'), 7);
  });

  it('maps scores to the v3/v4 severity scale', () => {
    assert.deepEqual([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(severityOf),
      ['NONE', 'LOW', 'LOW', 'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH', 'CRITICAL', 'CRITICAL']);
  });
});
