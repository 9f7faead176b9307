import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stella } from './harness.js';
import { validateSbom, type SbomSchema } from '../support/sbom-schemas.js';
import { writeOciLayout, type TestImage } from '../support/image-builder.js';

const image: TestImage = {
  tags: ['example/app:1'],
  layers: [{ entries: [
    { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
    { path: 'var/lib/dpkg/status', content: 'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nSource: glibc\nVersion: 2.36-9+deb12u10\n\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n' },
    { path: 'lib/apk/db/installed', content: '' },
  ] }],
};

const formats: Array<[string, SbomSchema | undefined]> = [['cyclonedx', 'cyclonedx-1.6'], ['spdx-json', 'spdx-2.3'], ['spdx3-json', 'spdx-3.0.1'], ['inventory-json', undefined]];

describe('stella scan writes SBOMs that validate, are deterministic, and agree with each other', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stella-cli-scan-'));
    await writeOciLayout(join(dir, 'oci'), [image]);
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    process.env.STELLA_HOME = join(dir, 'home');
  });
  after(() => {
    delete process.env.SOURCE_DATE_EPOCH;
    delete process.env.STELLA_HOME;
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every format; SBOMs validate against their official schemas; a re-run gives the same bytes', async () => {
    for (const [format, schema] of formats) {
      const out = join(dir, `sbom.${format}`);
      const first = await stella(['scan', `oci-dir:${join(dir, 'oci')}`, '--format', format, '--output', out, '--no-cache', '--quiet']);
      assert.equal(first.status, 0, first.stderr);
      const bytes = readFileSync(out, 'utf8');
      const second = await stella(['scan', `oci-dir:${join(dir, 'oci')}`, '--format', format, '--no-cache', '--quiet']);
      assert.equal(second.stdout, bytes, `${format} output differs between runs`);
      if (schema !== undefined) assert.deepEqual((await validateSbom(schema, bytes)).errors, [], format);
    }
    const inventory = JSON.parse(readFileSync(join(dir, 'sbom.inventory-json'), 'utf8')) as { schemaVersion: number; packages: Array<{ purl: string }> };
    assert.equal(inventory.schemaVersion, 1);
    assert.deepEqual(inventory.packages.map((p) => p.purl), [
      'pkg:deb/debian/libc6@2.36-9+deb12u10?arch=amd64&distro=debian-12', // packageurl-js leaves + unencoded
      'pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1',
    ]);
  });

  it('sbom diff between the CycloneDX, SPDX 2.3 and SPDX 3 SBOMs of the same image reports no difference', async () => {
    for (const [a, b] of [['cyclonedx', 'spdx-json'], ['cyclonedx', 'spdx3-json'], ['spdx-json', 'spdx3-json']]) {
      const result = await stella(['sbom', 'diff', join(dir, `sbom.${a}`), join(dir, `sbom.${b}`), '--exit-code', '1']);
      assert.equal(result.status, 0, `${a} vs ${b}: ${result.stdout}${result.stderr}`);
      assert.equal(result.stdout, '');
    }
  });

  it('an unknown target fails with a message and status 1', async () => {
    const result = await stella(['scan', join(dir, 'does-not-exist'), '--quiet']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /does not exist|not found/i);
  });
});
