import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Distro } from '../../inventory/index.js';
import { CatalogError, type DistroHint } from '../analyzer.js';
import { mergeDistroHints, osReleaseAnalyzer, parseOsRelease } from './os-release.js';

const DISTROS = fileURLToPath(new URL('./testdata/distros/', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []))
    .sort();
}

/** Runs the analyzer on every file of a scenario root, as the scan would, and merges the hints. */
function detect(scenario: string): { distro?: Distro; hints: DistroHint[] } {
  const root = join(DISTROS, scenario);
  const hints: DistroHint[] = [];
  for (const file of filesUnder(root)) {
    const path = `/${relative(root, file)}`;
    assert.ok(osReleaseAnalyzer.wants(path), `${path} is wanted`);
    const hint = osReleaseAnalyzer.analyze({ path, content: readFileSync(file) }).distro;
    if (hint !== undefined) hints.push(hint);
  }
  const distro = mergeDistroHints(hints);
  return distro === undefined ? { hints } : { distro, hints };
}

const EXPECTED: Record<string, [id: string, version: string, codename?: string]> = {
  'debian-11': ['debian', '11', 'bullseye'],
  'debian-12': ['debian', '12', 'bookworm'],
  'debian-13': ['debian', '13', 'trixie'],
  'debian-testing': ['debian', 'trixie', 'trixie'],
  'distroless-debian': ['debian', '10'],
  'debian-9-version-only': ['debian', '9'],
  'ubuntu-20.04': ['ubuntu', '20.04', 'focal'],
  'ubuntu-22.04': ['ubuntu', '22.04', 'jammy'],
  'ubuntu-24.04': ['ubuntu', '24.04', 'noble'],
  'alpine-3.19': ['alpine', '3.19'],
  'alpine-3.20': ['alpine', '3.20'],
  'alpine-release-only': ['alpine', '3.11'],
  'rhel-9': ['rhel', '9'],
  'rocky-9': ['rocky', '9', 'Blue Onyx'],
  'almalinux-9': ['almalinux', '9'],
  'ol-8': ['ol', '8'],
  'fedora-42': ['fedora', '42'],
  'centos-7-release-only': ['centos', '7', 'Core'],
  'rhel-8-release-only': ['rhel', '8', 'Ootpa'],
  'amzn-2': ['amzn', '2', 'Karoo'],
  'amzn-2023': ['amzn', '2023'],
  'sles-15.5': ['sles', '15.5'],
  'opensuse-leap-15.5': ['opensuse-leap', '15.5'],
  wolfi: ['wolfi', 'rolling'],
};

describe('os-release analyzer on real release files', () => {
  for (const [scenario, [id, version, codename]] of Object.entries(EXPECTED)) {
    it(`detects ${scenario} as ${id} ${version}`, () => {
      const { distro } = detect(scenario);
      assert.equal(distro?.id, id);
      assert.equal(distro?.version, version);
      assert.equal(distro?.codename, codename);
    });
  }

  it('covers every scenario directory', () => {
    const dirs = readdirSync(DISTROS).filter((d) => !['empty-os-release', 'not-a-release-file'].includes(d)).sort();
    assert.deepEqual(dirs, Object.keys(EXPECTED).sort());
  });

  it('keeps the pretty name of the winning file, or of a version-less os-release of the same distro', () => {
    assert.equal(detect('ubuntu-24.04').distro?.prettyName, 'Ubuntu 24.04.4 LTS');
    assert.equal(detect('distroless-debian').distro?.prettyName, 'Distroless');
  });

  it('lets os-release win over lsb-release and a debian_version that names Debian on Ubuntu', () => {
    const { hints, distro } = detect('ubuntu-22.04');
    assert.deepEqual(hints.map((h) => [h.distro.id, h.priority]).sort(), [['debian', 40], ['ubuntu', 100], ['ubuntu', 45]].sort());
    assert.equal(distro?.id, 'ubuntu');
  });

  it('gives no hint for an empty os-release and rejects a release file that names no release', () => {
    assert.deepEqual(detect('empty-os-release').hints, []);
    assert.throws(() => detect('not-a-release-file'), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE');
  });

  it('rejects binary content', () => {
    const content = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]);
    assert.throws(() => osReleaseAnalyzer.analyze({ path: '/etc/os-release', content }), CatalogError);
  });

  it('wants the release files only', () => {
    assert.ok(osReleaseAnalyzer.wants('/usr/lib/os-release'));
    assert.ok(osReleaseAnalyzer.wants('/etc/system-release'));
    assert.ok(!osReleaseAnalyzer.wants('/etc/os-release.d/x'));
    assert.ok(!osReleaseAnalyzer.wants('/opt/etc/os-release'));
  });
});

describe('parseOsRelease', () => {
  it('reads shell quoting, comments and escapes, and lower-cases the ID', () => {
    const distro = parseOsRelease('# comment\nID="Debian"\nVERSION_ID=\'12\'\nPRETTY_NAME="say \\"hi\\""\n');
    assert.deepEqual(distro, { id: 'debian', version: '12', prettyName: 'say "hi"' });
  });
  it('gives an empty version when the file has none and the distro is not rolling', () => {
    assert.deepEqual(parseOsRelease('ID=alpine\nPRETTY_NAME="Alpine Linux v3.15"\n'), { id: 'alpine', version: '', prettyName: 'Alpine Linux v3.15' });
    assert.equal(parseOsRelease('ID=arch\nBUILD_ID=rolling\n')?.version, 'rolling');
  });
});

describe('mergeDistroHints', () => {
  it('does not depend on the order of the hints', () => {
    const a: DistroHint = { distro: { id: 'debian', version: '12' }, priority: 40 };
    const b: DistroHint = { distro: { id: 'ubuntu', version: '22.04' }, priority: 40 };
    assert.deepEqual(mergeDistroHints([a, b]), mergeDistroHints([b, a]));
    assert.equal(mergeDistroHints([]), undefined);
  });
});
