import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { scanImage } from '../../src/scan/index.js';
import { writeOciLayout, type TestImage } from '../support/image-builder.js';

const data = (path: string) => readFileSync(new URL(`../../src/catalog/os/rpm/testdata/${path}`, import.meta.url));

// RHEL 9-style layout: /var/lib/rpm is a symlink to the real database under /usr/lib/sysimage.
const rocky: TestImage = {
  layers: [{ entries: [
    { path: 'etc/os-release', content: 'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPLATFORM_ID="platform:el9"\n' },
    { path: 'var/lib/rpm', type: 'symlink', linkname: '../../usr/lib/sysimage/rpm' },
    { path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: gunzipSync(data('generated/sqlite/rpmdb.sqlite.gz')) },
  ] }],
};

const sles: TestImage = {
  layers: [{ entries: [
    { path: 'usr/lib/os-release', content: 'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nID="sles"\nID_LIKE="suse"\n' },
    { path: 'usr/lib/sysimage/rpm/Packages.db', content: gunzipSync(data('go-rpmdb/sle15-bci/Packages.db.gz')) },
  ] }],
};

describe('scanning rpm-based images', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stella-rpm-'));
    await writeOciLayout(join(dir, 'rocky'), [rocky]);
    await writeOciLayout(join(dir, 'sles'), [sles]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the sqlite rpmdb once (through the symlinked path too) with rocky 9 purls', async () => {
    const inventory = await scanImage(`oci-dir:${join(dir, 'rocky')}`, { cache: false });
    assert.deepEqual(inventory.distro?.id, 'rocky');
    assert.equal(inventory.distro?.version, '9');
    assert.ok(inventory.packages.length > 0);
    const names = inventory.packages.map((p) => `${p.name}@${p.version}`);
    assert.equal(new Set(names).size, names.length, `duplicates: ${names.join(' ')}`);
    for (const p of inventory.packages) {
      assert.equal(p.type, 'rpm');
      assert.equal(p.location, '/usr/lib/sysimage/rpm/rpmdb.sqlite');
      assert.match(p.purl, /^pkg:rpm\/rocky\/[^@]+@[^?]+\?(.*&)?distro=rocky-9/);
    }
  });

  it('reads SUSE NDB Packages.db with sles 15.5 purls, matching the expected list', async () => {
    const inventory = await scanImage(`oci-dir:${join(dir, 'sles')}`, { cache: false });
    assert.equal(inventory.distro?.version, '15.5');
    const expected = data('go-rpmdb/sle15-bci/expected.tsv').toString('utf8').trim().split('\n').filter((l) => !l.startsWith('#'));
    assert.equal(inventory.packages.length, expected.length);
    assert.ok(inventory.packages.every((p) => p.purl.includes('distro=sles-15.5')));
  });
});
