import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stella } from './harness.js';

test('vercmp prints -1, 0 or 1 for two versions', async () => {
  assert.deepEqual(await stella(['vercmp', 'deb', '1.0~rc1', '1.0']), { status: 0, stdout: '-1\n', stderr: '' });
  assert.equal((await stella(['vercmp', 'deb', '1:0.9', '2.0'])).stdout, '1\n');
  assert.equal((await stella(['vercmp', 'rpm', '1.0', '1.0'])).stdout, '0\n');
  assert.equal((await stella(['vercmp', 'npm', '1.2.3-beta.2', '1.2.3-beta.10'])).stdout, '-1\n');
  assert.equal((await stella(['vercmp', 'maven', '1.0-SNAPSHOT', '1.0'])).stdout, '-1\n');
  assert.equal((await stella(['vercmp', 'pep440', '1.0.post1', '1.0'])).stdout, '1\n');
});

test('vercmp exits 3 with a message for an invalid version', async () => {
  const result = await stella(['vercmp', 'npm', 'not-a-version', '1.0.0']);
  assert.equal(result.status, 3);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /invalid npm version/);
});

test('vercmp rejects an unknown scheme with usage status 2', async () => {
  const result = await stella(['vercmp', 'cobol', '1', '2']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown scheme "cobol"/);
});

test('vercmp --batch answers every line in order and exits 3 when one is invalid', async () => {
  const input = ['1.0~rc1\t1.0', '2.0\t2.0', '1:1.0\t9.9', 'no tab here', '1.0\t', '1.0\t1.0-1'].join('\n');
  const result = await stella(['vercmp', 'deb', '--batch'], `${input}\n`);
  assert.equal(result.stdout, ['-1', '0', '1', 'invalid', 'invalid', '-1', ''].join('\n'));
  assert.equal(result.status, 3);
});

test('vercmp --batch exits 0 when every line is valid, also with CRLF and no final newline', async () => {
  const result = await stella(['vercmp', 'rpm', '--batch'], '1.0\t1.1\r\n2.0\t1.0');
  assert.equal(result.stdout, '-1\n1\n');
  assert.equal(result.status, 0);
});

test('vercmp --in answers affected, not-affected or unknown', async () => {
  const cases: Array<[string, string, string, string]> = [
    ['npm', 'vers:npm/>=1.0.0|<1.2.3', '1.2.2', 'affected'],
    ['npm', 'vers:npm/>=1.0.0|<1.2.3', '1.2.3', 'not-affected'],
    ['npm', '^1.2', '1.9.0', 'affected'],
    ['npm', '>= 1.0, < 1.2.3', '0.9.0', 'not-affected'],
    ['maven', '[1.0,2.0)', '1.5', 'affected'],
    ['maven', '[1.0,2.0)', '2.0', 'not-affected'],
    ['pep440', '>=1.0,<2.0', '1.5', 'affected'],
    ['deb', 'vers:deb/<1.2-1', '1.1-9', 'affected'],
    ['npm', 'vers:npm/>=1.0.0|<1.2.3', 'garbage', 'unknown'],
    ['npm', 'this is no range', '1.0.0', 'unknown'],
  ];
  for (const [scheme, range, version, want] of cases) {
    const result = await stella(['vercmp', scheme, '--in', range, version]);
    assert.equal(result.stdout, `${want}\n`, `${scheme} ${version} in ${range}`);
    assert.equal(result.status, 0);
  }
});
