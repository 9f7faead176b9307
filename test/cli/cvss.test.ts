import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stella } from './harness.js';

function lines(stdout: string): Array<Record<string, unknown>> {
  return stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('cvss prints one JSON object per vector with vector, version, baseScore, baseSeverity first', async () => {
  const result = await stella(['cvss', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', 'AV:N/AC:L/Au:N/C:P/I:P/A:P']);
  assert.equal(result.status, 0);
  const [v31, v2] = lines(result.stdout);
  assert.deepEqual(Object.keys(v31!).slice(0, 4), ['vector', 'version', 'baseScore', 'baseSeverity']);
  assert.deepEqual(v31, { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', version: '3.1', baseScore: 7.4, baseSeverity: 'HIGH' });
  assert.deepEqual(v2, { vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', version: '2.0', baseScore: 7.5, baseSeverity: 'HIGH' });
});

test('cvss adds the other scores only when the vector carries those metrics', async () => {
  const result = await stella(['cvss', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C',
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U']);
  const [v31, v40] = lines(result.stdout);
  assert.equal(v31!.baseScore, 9.8);
  assert.equal(v31!.temporalScore, 8.5);
  assert.equal(v31!.environmentalScore, undefined);
  assert.equal(v40!.baseScore, 9.3);
  assert.equal(v40!.threatScore, 8.1); // Red Hat cvss 3.6 and FIRST agree
});

test('cvss --batch reads stdin; an invalid vector prints {vector, error} and the exit status is 3', async () => {
  const result = await stella(['cvss', '--batch'], 'CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N\nCVSS:3.1/AV:Q\n');
  const [ok, bad] = lines(result.stdout);
  assert.equal(ok!.baseScore, 5.5);
  assert.equal(ok!.version, '3.0');
  assert.deepEqual(Object.keys(bad!), ['vector', 'error']);
  assert.equal(bad!.vector, 'CVSS:3.1/AV:Q');
  assert.equal(result.status, 3);
});
