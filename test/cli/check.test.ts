import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stella } from './harness.js';

test('check with the shipped samples prints a table of affected packages, most severe first', async () => {
  const result = await stella(['check']);
  assert.equal(result.status, 0);
  const lines = result.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^SEVERITY\s+ID\s+PACKAGE\s+INSTALLED\s+FIXED IN\s+STATUS/);
  assert.match(lines[1]!, /^CRITICAL 9\.8\s+CVE-2021-44906 \(GHSA-xvch-5gv4-984h\)\s+minimist\s+1\.2\.5\s+1\.2\.6\s+affected/);
  assert.ok(!result.stdout.includes('express'), 'express has no advisory in the samples');
  assert.ok(!result.stdout.includes('lodash-es'), 'lodash-es 4.17.21 is fixed');
});

test('check: one bad purl and one bad record are reported, the rest still checked; --exit-code gates', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stella-check-'));
  copyFileSync(new URL('../../samples/advisories/osv/GHSA-p6mc-m468-83gw.json', import.meta.url), join(dir, 'GHSA-p6mc-m468-83gw.json'));
  writeFileSync(join(dir, 'broken.json'), '{"id": ');
  writeFileSync(join(dir, 'inventory.txt'), 'pkg:npm/lodash@4.17.0\nnot a purl\n');
  const result = await stella(['check', '--advisories', dir, '--inventory', join(dir, 'inventory.txt'), '--format', 'json']);
  assert.equal(result.status, 3);
  assert.match(result.stderr, /inventory\.txt:2: /);
  assert.match(result.stderr, /broken\.json: /);
  const matches = JSON.parse(result.stdout) as Array<{ id: string }>;
  assert.deepEqual(matches.map((m) => m.id), ['GHSA-p6mc-m468-83gw']);
  const gated = await stella(['check', '--advisories', dir, '--inventory', join(dir, 'inventory.txt'), '--exit-code', '9']);
  assert.equal(gated.status, 9);
});
