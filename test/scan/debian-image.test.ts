import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PackageURL } from 'packageurl-js';
import { dpkgQueryName } from '../../src/catalog/index.js';
import type { Inventory, Package } from '../../src/inventory/index.js';
import { scanImage, type ScanProgress } from '../../src/scan/index.js';
import { diffSboms, isEmptyDiff, readSbom, writeSbom } from '../../src/sbom/index.js';
import { validateSbom } from '../support/sbom-schemas.js';
import { buildDebianImage, debianImageUnavailable, dpkgQuery, type DebianImage, type DpkgQueryRow } from '../support/debian-image.js';
import { skopeoConfig } from '../support/debian-image-oci.js';

/*
 * The scanner's acceptance test on a real image: Debian 12 packages from the archive, unpacked by
 * dpkg into four layers (test/scan/testdata/debian-bookworm-layers.txt), packed as an OCI layout and
 * converted by skopeo. Whatever the input form, the dpkg components must be exactly what
 * `dpkg-query -W` reports for the same root filesystem (minus config-files, which the scanner skips
 * on purpose: the software is gone, only its configuration is left).
 */

const skip = debianImageUnavailable();
const KINDS = ['docker-archive', 'oci-dir', 'oci-archive'] as const;
type Kind = (typeof KINDS)[number];

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('a real Debian 12 image built from .deb packages', { skip }, () => {
  let work: string;
  let image: DebianImage;
  let rows: DpkgQueryRow[];
  let hostArch: string;
  const cold = new Map<Kind, Inventory>();
  const target = (kind: Kind): string =>
    kind === 'docker-archive' ? `docker-archive:${image.dockerArchive}` : kind === 'oci-dir' ? `oci-dir:${image.ociDir}` : `oci-archive:${image.ociArchive}`;
  const dpkgPackages = (inventory: Inventory): Package[] => inventory.packages.filter((p) => p.foundBy === 'dpkg');
  const named = (inventory: Inventory, name: string): Package | undefined => dpkgPackages(inventory).find((p) => p.name === name);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'stella-debian-image-'));
    image = await buildDebianImage(work);
    rows = dpkgQuery(image.rootfs);
    hostArch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
    for (const kind of KINDS) cold.set(kind, await scanImage(target(kind), { cache: false }));
  });
  after(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('is written as an OCI layout that skopeo reads, with the same four layers in every form', () => {
    const diffIds = image.layers.map((l) => l.diffId);
    assert.equal(diffIds.length, 4);
    for (const reference of [`oci:${image.ociDir}:${image.ociTag}`, `docker-archive:${image.dockerArchive}`, `oci-archive:${image.ociArchive}:${image.ociTag}`]) {
      const config = skopeoConfig(reference);
      assert.deepEqual(config.rootfs?.diff_ids, diffIds, reference);
      assert.equal(config.architecture, image.architecture, reference);
    }
    const entries = (i: number): string[] =>
      execFileSync('tar', ['-tzf', join(image.ociDir, 'blobs', 'sha256', image.layers[i]!.digest.slice(7))], { encoding: 'utf8' }).split('\n');
    const [first] = image.plan.statusD;
    assert.ok(entries(2).includes('var/lib/dpkg/status.d/.wh..wh..opq'), 'layer 3 replaces status.d through an opaque directory');
    assert.ok(entries(2).includes('var/lib/dpkg/info/.wh.bzip2.list'), 'layer 3 deletes a removed package\'s files by whiteouts');
    assert.ok(entries(3).includes(`var/lib/dpkg/status.d/.wh.${first}`), 'layer 4 deletes a status.d stanza by a whiteout');
  });

  it('exercises what it claims: epochs, binNMUs, Multi-Arch: same, removal, config-files', () => {
    const byName = new Map(rows.map((r) => [r.name.replace(/:.*/, ''), r]));
    assert.equal(byName.get('libattr1')?.status, 'config-files', 'removed with a conffile left');
    for (const gone of ['bzip2', ...image.plan.statusD]) assert.equal(byName.has(gone), false, gone);
    assert.ok(rows.some((r) => /^\d+:/.test(r.version)), 'a version with an epoch');
    assert.ok(rows.some((r) => r.name.endsWith(`:${image.architecture}`)), 'a Multi-Arch: same package');
    assert.ok(rows.some((r) => r.sourceName !== r.name && r.sourceVersion !== r.version), 'a binNMU with a different source name');
    const scripts = readdirSync(join(image.rootfs, 'var', 'lib', 'dpkg', 'info')).filter((f) => /\.(preinst|postinst|prerm|postrm)$/.test(f));
    assert.deepEqual(scripts, [], 'no maintainer script was installed, so none could have run');
  });

  for (const kind of KINDS) {
    it(`${kind}: the dpkg components are exactly what dpkg-query -W lists`, () => {
      const inventory = cold.get(kind)!;
      const scanned = dpkgPackages(inventory).map((p) => `${dpkgQueryName(p, hostArch)}\t${p.version}`).sort(byText);
      const expected = rows.filter((r) => r.status !== 'config-files').map((r) => `${r.name}\t${r.version}`).sort(byText);
      assert.deepEqual(scanned, expected);
      assert.deepEqual(inventory.packages.filter((p) => p.foundBy !== 'dpkg'), [], 'nothing but dpkg packages');
      assert.deepEqual(inventory.issues, []);
    });

    it(`${kind}: deleted packages and hidden status.d stanzas are absent`, () => {
      const inventory = cold.get(kind)!;
      for (const name of [...image.plan.remove, ...image.plan.statusD]) assert.equal(named(inventory, name), undefined, name);
      assert.ok(dpkgPackages(inventory).every((p) => p.location === '/var/lib/dpkg/status'));
    });

    it(`${kind}: Debian 12, the image's layers, and each package's layer of origin`, () => {
      const inventory = cold.get(kind)!;
      assert.equal(inventory.distro?.id, 'debian');
      assert.equal(inventory.distro?.version, '12');
      const diffIds = image.layers.map((l) => l.diffId);
      assert.deepEqual(inventory.image?.layers.map((l) => l.diffId), diffIds);
      assert.equal(inventory.image?.architecture, image.architecture);
      const removed = new Set(image.plan.remove);
      const expectLayer = (names: readonly string[], layer: string) => {
        for (const name of names.filter((n) => !removed.has(n))) assert.equal(named(inventory, name)?.layer, layer, name);
      };
      expectLayer(image.plan.layer1, diffIds[0]!); // still there after layer 2 rewrote the status file
      expectLayer(image.plan.layer2, diffIds[1]!);
      assert.equal(dpkgPackages(inventory).length, image.plan.layer1.length + image.plan.layer2.length - removed.size);
    });

    it(`${kind}: source packages as dpkg-query reports them`, () => {
      const inventory = cold.get(kind)!;
      const byName = new Map(rows.map((r) => [r.name, r]));
      for (const p of dpkgPackages(inventory)) {
        const row = byName.get(dpkgQueryName(p, hostArch))!;
        const expected = row.sourceVersion === row.version ? { name: row.sourceName } : { name: row.sourceName, version: row.sourceVersion };
        assert.deepEqual(p.source, expected, p.name);
      }
      assert.equal(named(inventory, 'libc6')?.source?.name, 'glibc');
      for (const binNmu of ['bash', 'libbz2-1.0']) {
        const p = named(inventory, binNmu)!;
        const match = /^(.*)\+b\d+$/.exec(p.version);
        assert.ok(match !== null, `${binNmu} ${p.version} is a binNMU`);
        assert.equal(p.source?.version, match[1], binNmu);
      }
      assert.equal(named(inventory, 'libbz2-1.0')?.source?.name, 'bzip2');
    });

    it(`${kind}: purls per the purl spec, with arch, distro and epoch qualifiers`, () => {
      const inventory = cold.get(kind)!;
      for (const p of dpkgPackages(inventory)) {
        const purl = PackageURL.fromString(p.purl);
        const epoch = /^(\d+):(.*)$/.exec(p.version);
        assert.equal(purl.type, 'deb');
        assert.equal(purl.namespace, 'debian');
        assert.equal(purl.name, p.name);
        assert.equal(purl.version, epoch === null ? p.version : epoch[2], p.purl);
        assert.deepEqual({ ...purl.qualifiers }, { arch: p.arch, distro: 'debian-12', ...(epoch === null ? {} : { epoch: epoch[1] }) }, p.purl);
      }
      const openssl = named(inventory, 'openssl')!;
      assert.match(openssl.purl, new RegExp(`^pkg:deb/debian/openssl@3\\.0\\.\\d+-[^?]+\\?arch=${image.architecture}&distro=debian-12$`));
      const zlib = named(inventory, 'zlib1g')!;
      assert.equal(zlib.purl, `pkg:deb/debian/zlib1g@${zlib.version.replace(/^1:/, '')}?arch=${image.architecture}&distro=debian-12&epoch=1`);
    });
  }

  it('its SBOMs validate in every format, and sbom diff between them finds no difference', async () => {
    const inventory = cold.get('oci-archive')!;
    const options = { created: new Date('2026-01-01T00:00:00Z'), toolVersion: 'test' };
    const written = new Map([
      ['cyclonedx', writeSbom(inventory, 'cyclonedx', options)],
      ['spdx-json', writeSbom(inventory, 'spdx-json', options)],
      ['spdx3-json', writeSbom(inventory, 'spdx3-json', options)],
    ] as const);
    const schemas = { cyclonedx: 'cyclonedx-1.6', 'spdx-json': 'spdx-2.3', 'spdx3-json': 'spdx-3.0.1' } as const;
    for (const [format, text] of written) assert.deepEqual((await validateSbom(schemas[format], text)).errors, [], format);
    const cdx = readSbom(written.get('cyclonedx')!);
    assert.equal(cdx.packages.length, inventory.packages.length);
    for (const other of ['spdx-json', 'spdx3-json'] as const) {
      assert.ok(isEmptyDiff(diffSboms(cdx, readSbom(written.get(other)!))), `cyclonedx vs ${other}`);
    }
  });

  it('gives the same packages whatever the input form', () => {
    const reference = cold.get('docker-archive')!;
    for (const kind of KINDS) {
      assert.deepEqual(cold.get(kind)!.packages, reference.packages, kind);
      assert.deepEqual(cold.get(kind)!.distro, reference.distro, kind);
    }
  });

  it('a warm scan reads no layer and equals the cold scan, across input forms too', async () => {
    const stellaHome = join(work, 'stella-home');
    const scan = async (kind: Kind): Promise<{ inventory: Inventory; cached: boolean[] }> => {
      const progress: ScanProgress[] = [];
      const inventory = await scanImage(target(kind), { stellaHome, onProgress: (p) => progress.push(p) });
      return { inventory, cached: progress.map((p) => p.cached) };
    };
    const first = await scan('docker-archive');
    const second = await scan('docker-archive');
    assert.deepEqual(first.cached, [false, false, false, false]);
    assert.deepEqual(second.cached, [true, true, true, true]);
    assert.deepEqual(second.inventory, first.inventory);
    assert.deepEqual(first.inventory, cold.get('docker-archive'));
    // Layers are cached by diffID, so the OCI layout of the same image is warm already.
    const oci = await scan('oci-dir');
    assert.deepEqual(oci.cached, [true, true, true, true]);
    assert.deepEqual(oci.inventory, cold.get('oci-dir'));
  });
});
