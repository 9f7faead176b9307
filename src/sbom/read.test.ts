import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Inventory, Package } from '../inventory/index.js';
import { diffSboms, isEmptyDiff } from './diff.js';
import { readSbom } from './read.js';

const INPUTS = fileURLToPath(new URL('./testdata/inputs/', import.meta.url));

function read(file: string): Inventory {
  return readSbom(readFileSync(INPUTS + file), { name: file });
}

function pkg(inventory: Inventory, name: string): Package {
  const found = inventory.packages.find((p) => p.name === name);
  assert.ok(found, `no package ${name} in ${inventory.packages.map((p) => p.name).join(', ')}`);
  return found;
}

/** Everything but the reader that found it. */
function withoutFoundBy(inventory: Inventory): unknown {
  return { ...inventory, packages: inventory.packages.map(({ foundBy: _foundBy, ...rest }) => rest), issues: inventory.issues.map((i) => i.code) };
}

test('detects every format and version from the content alone', () => {
  const cases: [string, string, number][] = [
    ['cyclonedx/syft-image-1.4.json', 'cyclonedx-json', 2], ['cyclonedx/syft-image-1.4.xml', 'cyclonedx-xml', 2],
    ['cyclonedx/syft-image-1.5.json', 'cyclonedx-json', 2], ['cyclonedx/syft-image-1.5.xml', 'cyclonedx-xml', 2],
    ['cyclonedx/syft-image-1.6.json', 'cyclonedx-json', 2], ['cyclonedx/syft-image-1.6.xml', 'cyclonedx-xml', 2],
    ['cyclonedx/trivy-centos7-1.5.json', 'cyclonedx-json', 2],
    ['spdx2/spec-example-2.2.json', 'spdx-json', 4], ['spdx2/spec-example-2.2.spdx', 'spdx-tag-value', 4],
    ['spdx2/spec-example-2.3.json', 'spdx-json', 4], ['spdx2/spec-example-2.3.spdx', 'spdx-tag-value', 4],
    ['spdx2/trivy-centos7-2.2.json', 'spdx-json', 2],
    ['spdx3/k8s-bom-example11-3.0.1.json', 'spdx3-jsonld', 4], ['spdx3/examplemaven-3.0.1.json', 'spdx3-jsonld', 6],
    ['syft/syft-image.json', 'syft-json', 2], ['trivy/debian-buster-list-all-pkgs.json', 'trivy-json', 6],
  ];
  for (const [file, format, count] of cases) {
    const inventory = read(file);
    assert.equal(inventory.packages.length, count, file);
    assert.ok(inventory.packages.every((p) => p.foundBy === format), `${file} read as ${inventory.packages[0]?.foundBy}`);
  }
});

test('CycloneDX 1.4, 1.5 and 1.6, JSON and XML, of the same image read the same', () => {
  const reference = withoutFoundBy(read('cyclonedx/syft-image-1.6.json'));
  for (const version of ['1.4', '1.5', '1.6']) {
    for (const ext of ['json', 'xml']) {
      const inventory = read(`cyclonedx/syft-image-${version}.${ext}`);
      // 1.4 and 1.5 goldens redact bom-refs, which only shows in issue messages.
      assert.deepEqual(withoutFoundBy(inventory), reference, `${version}.${ext}`);
    }
  }
  const deb = pkg(read('cyclonedx/syft-image-1.6.xml'), 'package-2');
  assert.deepEqual([deb.type, deb.namespace, deb.version, deb.location, deb.purl], ['deb', 'debian', '2.0.1', '/somefile-2.txt', 'pkg:deb/debian/package-2@2.0.1']);
});

test('an invalid purl becomes an issue; the package is kept from name, version and the type hint', () => {
  const inventory = read('cyclonedx/syft-image-1.6.json');
  const python = pkg(inventory, 'package-1');
  assert.deepEqual([python.type, python.version, python.purl, python.licenses], ['pypi', '1.0.1', 'pkg:pypi/package-1@1.0.1', ['MIT']]);
  assert.deepEqual(inventory.issues.map((i) => i.code), ['INVALID_PURL']);
  assert.match(inventory.issues[0]?.message ?? '', /purl "a-purl-1" is not a package URL/);
  assert.equal(inventory.issues[0]?.path, 'cyclonedx/syft-image-1.6.json');
  const trivy = read('cyclonedx/trivy-invalid-purl.json');
  assert.deepEqual(trivy.packages.map((p) => p.purl), ['pkg:composer/pear/core@1.13.1', 'pkg:generic/pear%2Flog@1.13.1']);
});

test('Trivy CycloneDX: source package, layer diffID, epoch, OS component', () => {
  const inventory = read('cyclonedx/trivy-centos7-1.5.json');
  assert.deepEqual(inventory.distro, { id: 'centos', version: '7.6.1810' });
  const openssl = pkg(inventory, 'openssl-libs');
  assert.equal(openssl.version, '1:1.0.2k-16.el7');
  assert.equal(openssl.arch, 'x86_64');
  assert.deepEqual(openssl.source, { name: 'openssl' });
  assert.equal(openssl.layer, 'sha256:89169d87dbe2b72ba42bfbb3579c957322baca28e03a1e558076542a1c1b2b4a');
  assert.equal(openssl.purl, 'pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&distro=centos-7.6.1810&epoch=1');
  assert.deepEqual(pkg(inventory, 'bash').licenses, ['GPL-3.0-or-later']);
});

test('the same image in CycloneDX and SPDX reports no difference (Trivy, Syft, SPDX spec, k8s bom)', () => {
  const pairs: [string, string][] = [
    ['cyclonedx/trivy-centos7-1.5.json', 'spdx2/trivy-centos7-2.2.json'],
    ['cyclonedx/syft-image-1.6.json', 'spdx2/syft-image-2.3.json'],
    ['cyclonedx/syft-image-1.4.xml', 'spdx2/syft-image-2.3.spdx'],
    ['syft/syft-image.json', 'spdx2/syft-image-2.3.json'],
    ['syft/syft-image.json', 'cyclonedx/syft-image-1.5.xml'],
    ['spdx2/spec-example-2.3.json', 'spdx2/spec-example-2.3.spdx'],
    ['spdx2/spec-example-2.2.json', 'spdx2/spec-example-2.3.spdx'],
    ['spdx2/k8s-bom-example11-2.3.json', 'spdx3/k8s-bom-example11-3.0.1.json'],
  ];
  for (const [a, b] of pairs) {
    const result = diffSboms(read(a), read(b));
    assert.ok(isEmptyDiff(result), `${a} vs ${b}: ${JSON.stringify(result)}`);
  }
});

test('SPDX JSON and tag-value of the spec example read the same packages', () => {
  assert.deepEqual(withoutFoundBy(read('spdx2/spec-example-2.3.spdx')), withoutFoundBy(read('spdx2/spec-example-2.3.json')));
  const jena = pkg(read('spdx2/spec-example-2.3.spdx'), 'apache-jena');
  assert.deepEqual([jena.type, jena.namespace, jena.version], ['maven', 'org.apache.jena', '3.12.0']);
  assert.deepEqual(pkg(read('spdx2/spec-example-2.3.json'), 'glibc').licenses, ['(LGPL-2.0-only AND LicenseRef-3)']);
});

test('SPDX 2.2 from Trivy: the purl wins over versionInfo; OS package gives the distro; source from sourceInfo', () => {
  const inventory = read('spdx2/trivy-centos7-2.2.json');
  assert.deepEqual(inventory.distro, { id: 'centos', version: '7.6.1810' });
  const bash = pkg(inventory, 'bash');
  assert.equal(bash.version, '4.2.46-31.el7'); // versionInfo says "4.2.46"
  assert.deepEqual(bash.source, { name: 'bash' });
  assert.equal(bash.layer, 'sha256:89169d87dbe2b72ba42bfbb3579c957322baca28e03a1e558076542a1c1b2b4a');
});

test('SPDX 3.0.1: packages, purls and licenses from hasDeclaredLicense / hasConcludedLicense', () => {
  const inventory = read('spdx3/k8s-bom-example11-3.0.1.json');
  assert.deepEqual(pkg(inventory, 'tokio').licenses, ['MIT']);
  assert.deepEqual(pkg(inventory, 'libselinux1-dev').arch, 's390x');
  const junit = pkg(read('spdx3/examplemaven-3.0.1.json'), 'JUnit');
  assert.deepEqual([junit.type, junit.version, junit.licenses], ['generic', '3.8.1', ['CPL-1.0']]);
});

test('Syft JSON: layer and location from locations[0], distro', () => {
  const inventory = read('syft/syft-image.json');
  assert.deepEqual(inventory.distro, { id: 'debian', version: '1.2.3' });
  const deb = pkg(inventory, 'package-2');
  assert.equal(deb.layer, 'sha256:38ddc2847fb6bcafd7401b4bf27c10014b5d60e2400bc188890c7cb7cdd7cd6c');
  assert.equal(deb.location, '/somefile-2.txt');
});

test('Trivy JSON --list-all-pkgs: source packages, layers, Metadata.OS; unknown license text kept raw', () => {
  const inventory = read('trivy/debian-buster-list-all-pkgs.json');
  assert.deepEqual(inventory.distro, { id: 'debian', version: '10.1' });
  const libc = pkg(inventory, 'libc6');
  assert.deepEqual([libc.version, libc.arch, libc.source], ['2.28-10', 'amd64', { name: 'glibc' }]);
  assert.equal(libc.layer, 'sha256:78c1b9419976227e05be9d243b7fa583bea44a5258e52018b2af4cdfe23d148d');
  assert.equal(pkg(inventory, 'gpgv').properties?.['stella:license-raw'], 'RFC-Reference\nTinySCHEME\npermissive');
  const npm = read('trivy/npm-list-all-pkgs.json');
  assert.ok(npm.packages.every((p) => p.type === 'npm' && p.location === 'package-lock.json'));
});

test('Trivy JSON without --list-all-pkgs: packages from vulnerabilities plus an INCOMPLETE_SBOM issue', () => {
  const inventory = read('trivy/alpine-310-vulns-only.json');
  assert.deepEqual(inventory.packages.map((p) => `${p.name}@${p.version}`), ['libcrypto1.1@1.1.1c-r0', 'libssl1.1@1.1.1c-r0']);
  assert.deepEqual(inventory.issues.map((i) => i.code), ['INCOMPLETE_SBOM']);
  assert.deepEqual(inventory.distro, { id: 'alpine', version: '3.10.2' });
});

test('nested CycloneDX components are flattened', () => {
  const inventory = read('cyclonedx/trivy-nested-components-1.6.json');
  assert.deepEqual(inventory.packages.map((p) => p.name).sort(), ['go-pep440-version', 'go-version', 'stdlib', 'test', 'xerrors']);
});
