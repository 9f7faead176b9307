import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stella } from './harness.js';

const INPUTS = fileURLToPath(new URL('../../src/sbom/testdata/inputs/', import.meta.url));

function bom(components: { name: string; version: string; purl: string }[]): string {
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: components.map((c) => ({ type: 'library', ...c })) });
}

function withFiles(files: Record<string, string>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stella-sbom-diff-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const OLD = bom([
  { name: 'bash', version: '5.2.15-2+b2', purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12' },
  { name: 'zlib1g', version: '1.2.13', purl: 'pkg:deb/debian/zlib1g@1.2.13?arch=amd64&distro=debian-12' },
]);
const NEW = bom([
  { name: 'bash', version: '5.2.15-2+b7', purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12' },
  { name: 'curl', version: '7.88.1-10', purl: 'pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12' },
]);

test('sbom diff: a CycloneDX and an SPDX SBOM of the same image show no difference', async () => {
  const result = await stella(['sbom', 'diff', join(INPUTS, 'cyclonedx/trivy-centos7-1.5.json'), join(INPUTS, 'spdx2/trivy-centos7-2.2.json'), '--exit-code', '1']);
  assert.equal(result.status, 0);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /0 added, 0 removed, 0 changed/);
});

test('sbom diff prints sorted +/-/~ lines; --exit-code N when they differ', async () => {
  await withFiles({ 'old.json': OLD, 'new.json': NEW }, async (dir) => {
    const text = await stella(['sbom', 'diff', join(dir, 'old.json'), join(dir, 'new.json')]);
    assert.equal(text.status, 0);
    assert.equal(text.stdout, '~ bash 5.2.15-2+b2 -> 5.2.15-2+b7 (deb amd64)\n+ curl 7.88.1-10 (deb amd64)\n- zlib1g 1.2.13 (deb amd64)\n');
    assert.equal((await stella(['sbom', 'diff', join(dir, 'old.json'), join(dir, 'new.json'), '--exit-code', '7'])).status, 7);
  });
});

test('sbom diff --format json is deterministic', async () => {
  await withFiles({ 'old.json': OLD, 'new.json': NEW }, async (dir) => {
    const first = await stella(['sbom', 'diff', '--format', 'json', join(dir, 'old.json'), join(dir, 'new.json')]);
    const second = await stella(['sbom', 'diff', '--format', 'json', join(dir, 'old.json'), join(dir, 'new.json')]);
    assert.equal(first.stdout, second.stdout);
    assert.deepEqual(JSON.parse(first.stdout), {
      added: [{ type: 'deb', namespace: 'debian', name: 'curl', arch: 'amd64', version: '7.88.1-10' }],
      removed: [{ type: 'deb', namespace: 'debian', name: 'zlib1g', arch: 'amd64', version: '1.2.13' }],
      changed: [{ type: 'deb', namespace: 'debian', name: 'bash', arch: 'amd64', from: '5.2.15-2+b2', to: '5.2.15-2+b7' }],
    });
  });
});

test('sbom diff exits 2 with a message for a missing or unreadable SBOM', async () => {
  await withFiles({ 'old.json': OLD, 'junk.txt': 'not an sbom\n' }, async (dir) => {
    const missing = await stella(['sbom', 'diff', join(dir, 'old.json'), join(dir, 'nope.json')]);
    assert.equal(missing.status, 2);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /nope\.json: cannot read \(ENOENT\)/);
    const junk = await stella(['sbom', 'diff', join(dir, 'junk.txt'), join(dir, 'old.json')]);
    assert.equal(junk.status, 2);
    assert.match(junk.stderr, /junk\.txt: not a CycloneDX XML, SPDX tag-value or JSON SBOM/);
  });
});

test('sbom diff rejects a bad --format or --exit-code with usage status 2', async () => {
  assert.equal((await stella(['sbom', 'diff', 'a', 'b', '--format', 'yaml'])).status, 2);
  const bad = await stella(['sbom', 'diff', 'a', 'b', '--exit-code', 'x']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--exit-code must be an integer from 0 to 255/);
});

test('sbom diff reports per-document issues on stderr, keeps stdout for the diff', async () => {
  const result = await stella(['sbom', 'diff', join(INPUTS, 'cyclonedx/syft-image-1.6.json'), join(INPUTS, 'spdx2/syft-image-2.3.spdx')]);
  assert.equal(result.status, 0);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /syft-image-1\.6\.json: component 2f52f617f1548337: purl "a-purl-1" is not a package URL/);
});
