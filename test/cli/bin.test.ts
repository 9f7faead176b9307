import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// The installed command, as `npx stella` runs it: bin/stella.js over the build in dist/.
test('bin/stella.js runs the built CLI (npm test builds dist first)', () => {
  assert.ok(existsSync('dist/cli/main.js'), 'dist/ is missing: run npm run build (npm test does)');
  const cmp = spawnSync(process.execPath, ['bin/stella.js', 'vercmp', 'deb', '1.0~rc1', '1.0'], { encoding: 'utf8' });
  assert.equal(cmp.stdout, '-1\n');
  assert.equal(cmp.status, 0);
  const batch = spawnSync(process.execPath, ['bin/stella.js', 'vercmp', 'rpm', '--batch'], { input: '1.0\t1.0\n1.0^\t1.0\nx\n', encoding: 'utf8' });
  assert.equal(batch.stdout, '0\n1\ninvalid\n');
  assert.equal(batch.status, 3);
  const cvss = spawnSync(process.execPath, ['bin/stella.js', 'cvss', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(cvss.stdout), { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', version: '3.1', baseScore: 9.8, baseSeverity: 'CRITICAL' });
});
