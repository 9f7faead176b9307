import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanImage, type ScanProgress } from '../../src/scan/index.js';
import { TestRegistry } from '../support/registry-server.js';
import { writeOciLayout, type LayerEntry, type TestImage } from '../support/image-builder.js';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';
const stanza = (name: string, version: string): string => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\nDescription: test package ${name}\n`;
const status = (...stanzas: string[]): LayerEntry => ({ path: 'var/lib/dpkg/status', content: stanzas.join('\n') });

// Layer 2 rewrites dpkg's status file (b upgraded, c added): the merge must date b and c to it.
const image: TestImage = {
  layers: [
    { entries: [
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { path: 'usr/lib/os-release', content: OS_RELEASE },
      status(stanza('a', '1.0-1'), stanza('b', '2.0-1')),
    ], compression: 'gzip' },
    { entries: [status(stanza('a', '1.0-1'), stanza('b', '2.1-1'), stanza('c', '1:3.0-2'))], compression: 'zstd' },
  ],
};

describe('scanImage on a registry image (loopback test registry with bearer tokens)', () => {
  let dir: string;
  let registry: TestRegistry;
  let savedConfig: string | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stella-registry-scan-'));
    // Hermetic: the developer's ~/.docker/config.json is never read.
    savedConfig = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = join(dir, 'docker');
    registry = await TestRegistry.start({ auth: 'bearer', redirectBlobs: true });
    await registry.push('example/app', '1', [image]);
    await writeOciLayout(join(dir, 'oci'), [image]);
  });
  after(async () => {
    await registry.close();
    if (savedConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedConfig;
    await rm(dir, { recursive: true, force: true });
  });

  it('scans end to end, and equals the scan of the same image as an OCI layout', async () => {
    const inventory = await scanImage(`registry:${registry.host}/example/app:1`, { cache: false });
    assert.equal(inventory.image?.reference, `registry:${registry.host}/example/app:1`);
    assert.deepEqual(inventory.image?.tags, [`${registry.host}/example/app:1`]);
    assert.equal(inventory.distro?.id, 'debian');
    const layerOf = (diffId: string | undefined): number => inventory.image!.layers.findIndex((l) => l.diffId === diffId) + 1;
    assert.deepEqual(inventory.packages.map((p) => `${p.name} ${p.version} L${layerOf(p.layer)}`), ['a 1.0-1 L1', 'b 2.1-1 L2', 'c 1:3.0-2 L2']);
    assert.deepEqual(inventory.issues, []);
    const local = await scanImage(`oci-dir:${join(dir, 'oci')}`, { cache: false });
    assert.deepEqual(inventory.packages, local.packages);
  });

  it('a warm scan downloads no layer', async () => {
    const home = join(dir, 'home');
    const cold = await scanImage(`registry:${registry.host}/example/app:1`, { stellaHome: home });
    const layerDigests = cold.image!.layers.map((l) => l.digest);
    const before = registry.requests.length;
    const progress: ScanProgress[] = [];
    const warm = await scanImage(`registry:${registry.host}/example/app:1`, { stellaHome: home, onProgress: (p) => progress.push(p) });
    assert.deepEqual(progress.map((p) => p.cached), [true, true]);
    assert.deepEqual(registry.requests.slice(before).filter((r) => layerDigests.some((d) => r.path.includes(d))), []);
    assert.equal(JSON.stringify(warm), JSON.stringify(cold));
  });

  it('never contacts the registry under offline', async () => {
    const before = registry.requests.length;
    await assert.rejects(scanImage(`registry:${registry.host}/example/app:1`, { offline: true, cache: false }), (error: unknown) => (error as { code?: string }).code === 'OFFLINE');
    assert.equal(registry.requests.length, before);
  });
});
