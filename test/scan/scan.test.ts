import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanImage, type ScanProgress } from '../../src/scan/index.js';
import type { Inventory } from '../../src/inventory/index.js';
import { writeDockerArchive, writeOciLayout, type LayerEntry, type TestImage } from '../support/image-builder.js';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';

function stanza(name: string, version: string, extra = ''): string {
  return `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n${extra}Description: test package ${name}\n`;
}

const status = (...stanzas: string[]): LayerEntry => ({ path: 'var/lib/dpkg/status', content: stanzas.join('\n') });

// Layer 1 installs a and b and two distroless entries; layer 2 rewrites the status file
// (b upgraded, c added); layer 3 deletes one status.d entry with a whiteout and hides the
// other behind an opaque directory, adding a third.
const image: TestImage = {
  tags: ['example/app:1'],
  layers: [
    { entries: [
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { path: 'usr/lib/os-release', content: OS_RELEASE },
      status(stanza('a', '1.0-1'), stanza('b', '2.0-1', 'Source: bsrc (2.0-0.1)\n')),
      { path: 'var/lib/dpkg/status.d/foo', content: stanza('foo', '1.0') },
      { path: 'var/lib/dpkg/status.d/bar', content: stanza('bar', '1.0') },
    ] },
    { entries: [status(stanza('a', '1.0-1'), stanza('b', '2.1-1', 'Source: bsrc (2.1-0.1)\n'), stanza('c', '1:3.0-2'))], compression: 'none' },
    { entries: [
      { path: 'var/lib/dpkg/status.d/.wh.foo', content: '' },
      { path: 'var/lib/dpkg/status.d/.wh..wh..opq', content: '' },
      { path: 'var/lib/dpkg/status.d/baz', content: stanza('baz', '0.9') },
    ], compression: 'zstd' },
  ],
};

describe('scanImage on a programmatic three-layer image', () => {
  let dir: string;
  let oci: string;
  let archive: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stella-scan-'));
    oci = join(dir, 'oci');
    archive = join(dir, 'image.tar');
    await writeOciLayout(oci, [image]);
    await writeDockerArchive(archive, [image]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const summary = (inventory: Inventory) => inventory.packages.map((p) => `${p.name} ${p.version} L${inventory.image!.layers.findIndex((l) => l.diffId === p.layer) + 1} ${p.location}`);

  it('applies the status rewrite, whiteouts and opaque directories, and dates each package to its layer', async () => {
    const inventory = await scanImage(`oci-dir:${oci}`, { cache: false });
    assert.deepEqual(inventory.distro, { id: 'debian', version: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    assert.deepEqual(summary(inventory), [
      'a 1.0-1 L1 /var/lib/dpkg/status',
      'b 2.1-1 L2 /var/lib/dpkg/status',
      'baz 0.9 L3 /var/lib/dpkg/status.d/baz',
      'c 1:3.0-2 L2 /var/lib/dpkg/status',
    ]);
    const b = inventory.packages.find((p) => p.name === 'b')!;
    assert.deepEqual(b.source, { name: 'bsrc', version: '2.1-0.1' });
    assert.equal(b.purl, 'pkg:deb/debian/b@2.1-1?arch=amd64&distro=debian-12');
    assert.equal(inventory.packages.find((p) => p.name === 'c')!.purl, 'pkg:deb/debian/c@3.0-2?arch=amd64&distro=debian-12&epoch=1');
    assert.deepEqual(inventory.issues, []);
  });

  it('gives the same inventory from a docker-archive of the same image', async () => {
    const fromOci = await scanImage(`oci-dir:${oci}`, { cache: false });
    const fromDocker = await scanImage(`docker-archive:${archive}`, { cache: false });
    assert.deepEqual(fromDocker.packages, fromOci.packages);
    assert.deepEqual(fromDocker.distro, fromOci.distro);
  });

  it('a warm scan reads no layer and equals the cold scan exactly', async () => {
    const home = join(dir, 'home');
    const cold = await scanImage(`oci-dir:${oci}`, { cache: false });
    const first: ScanProgress[] = [];
    const filled = await scanImage(`oci-dir:${oci}`, { stellaHome: home, onProgress: (p) => first.push(p) });
    const second: ScanProgress[] = [];
    const warm = await scanImage(`oci-dir:${oci}`, { stellaHome: home, onProgress: (p) => second.push(p) });
    assert.deepEqual(first.map((p) => p.cached), [false, false, false]);
    assert.deepEqual(second.map((p) => p.cached), [true, true, true]);
    assert.equal(JSON.stringify(filled), JSON.stringify(cold));
    assert.equal(JSON.stringify(warm), JSON.stringify(cold));
  });
});
