import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  mergeAll, type Advisory, type AffectedPackage, type Provenance, type SeverityRating, type SourceAdvisory,
} from '../advisories/index.js';
import { finalizePackage, type Distro, type Inventory, type Package, type PackageDraft } from '../inventory/index.js';
import type { Finding } from './finding.js';
import { indexAdvisories, matchPackages, MatchError, packageQueries, releaseKey } from './matcher.js';

/*
 * REAL: testdata/advisories.json holds canonical advisories made by the real connectors' mappers
 * and the real merge from real upstream records (see testdata/SOURCE).
 * SYNTHETIC inputs are built in the tests below and named SYNTH-* / labelled so.
 */

const REAL: readonly Advisory[] = JSON.parse(readFileSync(new URL('./testdata/advisories.json', import.meta.url), 'utf8')) as Advisory[];
const realIndex = indexAdvisories(REAL);

function real(key: string): Advisory {
  const found = REAL.find((a) => a.key === key);
  assert.ok(found, `fixture ${key}`);
  return found;
}

function pkg(draft: Partial<PackageDraft> & Pick<PackageDraft, 'type' | 'name' | 'version'>, distro?: Distro, layer?: string): Package {
  return finalizePackage({ location: '/var/lib/dpkg/status', foundBy: 'test', ...draft }, layer, distro);
}

function inventory(packages: readonly Package[], distro?: Distro): Inventory {
  return distro === undefined ? { packages, issues: [] } : { distro, packages, issues: [] };
}

const match = (packages: readonly Package[], distro?: Distro, index = realIndex): Finding[] => matchPackages(inventory(packages, distro), index);
const summary = (findings: readonly Finding[]) => findings.map((f) => [f.id, f.package.name, f.status, f.verdict, f.fixedVersions]);

// SYNTHETIC source records (clearly not real advisories): built only to reach cases no real fixture covers.
const PROV: Provenance = { source: 'osv', documentId: 'SYNTHETIC', documentSha256: '0'.repeat(64), recordedAt: '2025-01-01T00:00:00Z' };

function synthEntry(e: Partial<AffectedPackage> & Pick<AffectedPackage, 'ecosystem' | 'name' | 'ranges'>): AffectedPackage {
  return {
    normalizedName: e.name, versions: [], fixedVersions: [], status: 'affected', origin: 'distro', sourceId: 'SYNTH', provenance: PROV, ...e,
  };
}

function synthRecord(id: string, affected: AffectedPackage[], extra: Partial<SourceAdvisory> = {}): SourceAdvisory {
  return {
    source: 'osv', id, aliases: [], upstream: [], related: [], severities: [], cwes: [], references: [], affected,
    cpeConfigurations: [], sourceClass: 'distro', provenance: PROV, ...extra,
  };
}

const debRange = (vers: string, expression = '[]') => ({ vers, original: { kind: 'osv:ECOSYSTEM', expression } });

test('Debian: source package, backported fix (real DSA-3029-1, Debian 7)', () => {
  const wheezy: Distro = { id: 'debian', version: '7' };
  const vulnerable = pkg({ type: 'deb', name: 'nginx-full', version: '1.2.1-2.2+wheezy2', source: { name: 'nginx' }, arch: 'amd64' }, wheezy, 'sha256:layer1');
  const patched = pkg({ type: 'deb', name: 'nginx-common', version: '1.2.1-2.2+wheezy3', source: { name: 'nginx' }, arch: 'all' }, wheezy);
  const findings = match([vulnerable, patched], wheezy);
  assert.equal(findings.length, 1);
  const f = findings[0] as Finding;
  assert.deepEqual(summary(findings), [['CVE-2014-3616', 'nginx-full', 'fixed', 'affected', ['1.2.1-2.2+wheezy3']]]);
  assert.deepEqual(f.aliases, ['DSA-3029-1']);
  assert.deepEqual(f.package, {
    name: 'nginx-full', version: '1.2.1-2.2+wheezy2', purl: 'pkg:deb/debian/nginx-full@1.2.1-2.2+wheezy2?arch=amd64&distro=debian-7',
    type: 'deb', sourceName: 'nginx', layer: 'sha256:layer1', location: '/var/lib/dpkg/status',
  });
  assert.equal(f.installedVersion, '1.2.1-2.2+wheezy2');
  assert.equal(f.title, 'nginx - security update');
  assert.equal(f.dataSource, 'osv');
  assert.equal(f.severity, 'UNKNOWN');
  assert.equal(f.severitySource, undefined);
  assert.deepEqual(f.references, ['https://www.debian.org/security/2014/dsa-3029']);
  assert.deepEqual(f.evidence, {
    ecosystem: 'Debian', release: '7', name: 'nginx', range: 'vers:deb/<1.2.1-2.2+wheezy3',
    original: '[{"introduced":"0"},{"fixed":"1.2.1-2.2+wheezy3"}]', sourceId: 'DSA-3029-1',
    provenance: real('CVE-2014-3616').affected[0]?.provenance,
  });
  // The codename names the same release.
  assert.deepEqual(summary(match([vulnerable], { id: 'debian', version: 'wheezy', codename: 'wheezy' })), summary(findings));
});

test('Debian: the same source package in another release is not matched', () => {
  for (const version of ['12', '8', '12.5']) {
    const distro: Distro = { id: 'debian', version };
    const nginx = pkg({ type: 'deb', name: 'nginx', version: '1.2.1-2.2+wheezy2' }, distro);
    assert.deepEqual(match([nginx], distro), [], `debian ${version}`);
  }
});

test('Debian: epoch + deb12u backports and binNMU binaries (SYNTHETIC Debian:12 record)', () => {
  const advisories = mergeAll([synthRecord('SYNTH-DSA-0001-1', [
    synthEntry({ ecosystem: 'Debian', release: '12', name: 'synthpkg', ranges: [debRange('vers:deb/<1:2.3-4+deb12u2')], fixedVersions: ['1:2.3-4+deb12u2'] }),
    synthEntry({ ecosystem: 'Debian', release: '12', name: 'util-linux', ranges: [debRange('vers:deb/<2.38.1-5+deb12u3')], fixedVersions: ['2.38.1-5+deb12u3'] }),
  ])]);
  const index = indexAdvisories(advisories);
  const bookworm: Distro = { id: 'debian', version: '12' };
  const before = pkg({ type: 'deb', name: 'libsynth1', version: '1:2.3-4+deb12u1', source: { name: 'synthpkg' } }, bookworm);
  const after = pkg({ type: 'deb', name: 'libsynth1-dev', version: '1:2.3-4+deb12u2', source: { name: 'synthpkg' } }, bookworm);
  // A binary whose version (a later binNMU with an epoch) differs from its source's: the source version is compared.
  const binNmu = pkg({ type: 'deb', name: 'bsdutils', version: '1:2.38.1-5+deb12u3', source: { name: 'util-linux', version: '2.38.1-5+deb12u2' } }, bookworm);
  assert.deepEqual(summary(match([before, after, binNmu], bookworm, index)), [
    ['SYNTH-DSA-0001-1', 'bsdutils', 'fixed', 'affected', ['2.38.1-5+deb12u3']],
    ['SYNTH-DSA-0001-1', 'libsynth1', 'fixed', 'affected', ['1:2.3-4+deb12u2']],
  ]);
});

test('Ubuntu: unfixed distro status and the distro rating (real UBUNTU-CVE-2025-38094, Ubuntu:Pro:14.04:LTS)', () => {
  const trusty: Distro = { id: 'ubuntu', version: '14.04' };
  const kernel = pkg({ type: 'deb', name: 'linux-image-3.13.0-24-generic', version: '3.13.0-24.46', source: { name: 'linux' } }, trusty);
  const findings = match([kernel], trusty);
  assert.deepEqual(summary(findings), [['CVE-2025-38094', 'linux-image-3.13.0-24-generic', 'unfixed', 'affected', []]]);
  const f = findings[0] as Finding;
  assert.equal(f.severity, 'MEDIUM');
  assert.equal(f.severitySource, 'ubuntu');
  assert.deepEqual(f.ratings, [{ source: 'ubuntu', type: 'LABEL', severity: 'MEDIUM' }]);
  assert.equal(f.evidence.release, 'Pro:14.04:LTS');
  assert.equal(f.evidence.range, 'vers:deb/*');
  assert.deepEqual(match([kernel], { id: 'ubuntu', version: '22.04' }), []);
});

test('Ubuntu: standard entries of a release govern, Pro entries count only without them (SYNTHETIC)', () => {
  const record = synthRecord('SYNTH-UBUNTU-1', [
    synthEntry({ ecosystem: 'Ubuntu', release: '22.04:LTS', name: 'synth', ranges: [debRange('vers:deb/*')], status: 'unfixed' }),
    synthEntry({ ecosystem: 'Ubuntu', release: 'Pro:22.04:LTS', name: 'synth', ranges: [debRange('vers:deb/<1.0-1ubuntu0.1~esm1')], fixedVersions: ['1.0-1ubuntu0.1~esm1'] }),
    synthEntry({ ecosystem: 'Ubuntu', release: 'Pro:18.04:LTS', name: 'synth', ranges: [debRange('vers:deb/<1.0-0ubuntu0.1~esm1')], fixedVersions: ['1.0-0ubuntu0.1~esm1'] }),
    synthEntry({ ecosystem: 'Ubuntu', release: 'Pro:FIPS-updates:20.04:LTS', name: 'synth', ranges: [debRange('vers:deb/*')] }),
  ]);
  const index = indexAdvisories(mergeAll([record]));
  const at = (version: string) => {
    const distro: Distro = { id: 'ubuntu', version };
    return summary(match([pkg({ type: 'deb', name: 'synth', version: '1.0-0ubuntu0' }, distro)], distro, index));
  };
  assert.deepEqual(at('22.04'), [['SYNTH-UBUNTU-1', 'synth', 'unfixed', 'affected', []]]);
  assert.deepEqual(at('18.04'), [['SYNTH-UBUNTU-1', 'synth', 'fixed', 'affected', ['1.0-0ubuntu0.1~esm1']]]);
  assert.deepEqual(at('20.04'), [], 'a FIPS variant never matches a plain image');
  assert.equal(releaseKey('Ubuntu', 'Pro:22.04:LTS'), '22.04');
  assert.equal(releaseKey('Ubuntu', '22.04:LTS'), '22.04');
  assert.equal(releaseKey('Ubuntu', '25.10'), '25.10');
});

test('AlmaLinux: rpm binary names, epochs and el9_0 backports (real ALSA-2022:5242, ALSA-2025:10073)', () => {
  const alma9: Distro = { id: 'almalinux', version: '9' };
  const minimal = pkg({ type: 'rpm', name: 'vim-minimal', version: '2:8.2.2637-16.el9_0.1', source: { name: 'vim' }, arch: 'x86_64', location: '/var/lib/rpm/rpmdb.sqlite' }, alma9);
  const common = pkg({ type: 'rpm', name: 'vim-common', version: '2:8.2.2637-16.el9_0.2', source: { name: 'vim' }, arch: 'x86_64', location: '/var/lib/rpm/rpmdb.sqlite' }, alma9);
  const findings = match([minimal, common], alma9);
  assert.deepEqual(summary(findings), [['CVE-2022-0554', 'vim-minimal', 'fixed', 'affected', ['2:8.2.2637-16.el9_0.2']]]);
  assert.ok(findings[0]?.aliases.includes('ALSA-2022:5242'));
  assert.equal(findings[0]?.evidence.release, '9');
  assert.equal(findings[0]?.package.sourceName, 'vim');
  assert.deepEqual(match([minimal], { id: 'almalinux', version: '10' }), [], 'AlmaLinux 9 data never judges AlmaLinux 10');
  assert.deepEqual(match([minimal], { id: 'rocky', version: '9' }), [], 'nor another RHEL rebuild');
  const alma10: Distro = { id: 'almalinux', version: '10.0' };
  const firefox = pkg({ type: 'rpm', name: 'firefox', version: '128.11.0-1.el10_0', location: '/var/lib/rpm/rpmdb.sqlite' }, alma10);
  assert.deepEqual(summary(match([firefox], alma10)), [['ALSA-2025:10073', 'firefox', 'fixed', 'affected', ['128.12.0-1.el10_0']]]);
});

test('releases and queries as OSV spells them', () => {
  assert.equal(releaseKey('Red Hat', 'enterprise_linux:9::appstream'), '9');
  assert.equal(releaseKey('Red Hat', 'rhel_eus:9.2::appstream'), 'rhel_eus:9.2::appstream');
  assert.equal(releaseKey('Alpine', 'v3.19'), 'v3.19');
  assert.equal(releaseKey('Rocky Linux', '9'), '9');
  const q = (draft: Parameters<typeof pkg>[0], distro?: Distro) => packageQueries(pkg(draft, distro), distro);
  assert.deepEqual(q({ type: 'apk', name: 'libcrypto3', version: '3.1.4-r5', source: { name: 'openssl' } }, { id: 'alpine', version: '3.19' }),
    [{ ecosystem: 'Alpine', release: 'v3.19', name: 'openssl' }]);
  assert.deepEqual(q({ type: 'rpm', name: 'openssl-libs', version: '1:3.0.7-27.el9', source: { name: 'openssl' } }, { id: 'rhel', version: '9' }),
    [{ ecosystem: 'Red Hat', release: '9', name: 'openssl-libs' }, { ecosystem: 'Red Hat', release: '9', name: 'openssl' }]);
  assert.deepEqual(q({ type: 'rpm', name: 'bash', version: '5.1.8-9.el9', source: { name: 'bash' } }, { id: 'rocky', version: '9' }),
    [{ ecosystem: 'Rocky Linux', release: '9', name: 'bash' }]);
  assert.deepEqual(q({ type: 'apk', name: 'glibc', version: '2.39-r1' }, { id: 'wolfi', version: '20230201' }), [{ ecosystem: 'Wolfi', name: 'glibc' }]);
  assert.deepEqual(q({ type: 'deb', name: 'curl', version: '7.88.1-10+deb12u5' }, { id: 'sles', version: '15.5' }), [], 'no advisory data for this distro');
  assert.deepEqual(q({ type: 'deb', name: 'curl', version: '7.88.1-10+deb12u5' }, { id: 'alpine', version: '3.19' }), [], 'a deb package is not judged by apk data');
  // Without an inventory distro (an SBOM), the purl's namespace and distro qualifier say it.
  assert.deepEqual(q({ type: 'deb', name: 'libc6', version: '2.36-9', source: { name: 'glibc' } }, { id: 'debian', version: '12' }),
    [{ ecosystem: 'Debian', release: '12', name: 'glibc' }]);
  const sbomPackage = pkg({ type: 'deb', name: 'libc6', version: '2.36-9', source: { name: 'glibc' } }, { id: 'debian', version: '12' });
  assert.deepEqual(packageQueries(sbomPackage, undefined), [{ ecosystem: 'Debian', release: '12', name: 'glibc' }]);
  // Language packages: names as advisories spell them.
  assert.deepEqual(q({ type: 'npm', namespace: 'babel', name: 'core', version: '7.0.0' }), [{ ecosystem: 'npm', name: '@babel/core' }]);
  assert.deepEqual(q({ type: 'pypi', name: 'Django_REST.framework', version: '3.0' }), [{ ecosystem: 'PyPI', name: 'django-rest-framework' }]);
  assert.deepEqual(q({ type: 'maven', namespace: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1' }),
    [{ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' }]);
  assert.deepEqual(q({ type: 'golang', namespace: 'golang.org/x', name: 'net', version: 'v0.1.0' }), [{ ecosystem: 'Go', name: 'golang.org/x/net' }]);
  assert.deepEqual(q({ type: 'composer', namespace: 'laravel', name: 'framework', version: '9.0.0' }), [{ ecosystem: 'Packagist', name: 'laravel/framework' }]);
  assert.deepEqual(q({ type: 'nuget', name: 'Newtonsoft.Json', version: '12.0.1' }), [{ ecosystem: 'NuGet', name: 'Newtonsoft.Json' }]);
  assert.deepEqual(q({ type: 'cargo', name: 'hyper', version: '0.14.0' }), [{ ecosystem: 'crates.io', name: 'hyper' }]);
  assert.deepEqual(q({ type: 'gem', name: 'rails', version: '7.0.0' }), [{ ecosystem: 'RubyGems', name: 'rails' }]);
  assert.deepEqual(q({ type: 'generic', name: 'thing', version: '1' }), []);
});

test('NuGet names compare case-insensitively (SYNTHETIC record)', () => {
  const index = indexAdvisories(mergeAll([synthRecord('SYNTH-NUGET-1', [synthEntry({
    ecosystem: 'NuGet', name: 'Newtonsoft.Json', origin: 'ghsa', fixedVersions: ['13.0.1'],
    ranges: [{ vers: 'vers:nuget/<13.0.1', original: { kind: 'osv:ECOSYSTEM', expression: '[]' } }],
  })])]));
  for (const name of ['Newtonsoft.Json', 'newtonsoft.json', 'NEWTONSOFT.JSON']) {
    assert.deepEqual(summary(match([pkg({ type: 'nuget', name, version: '12.0.1' })], undefined, index)), [['SYNTH-NUGET-1', name, 'fixed', 'affected', ['13.0.1']]]);
  }
  assert.equal(index.lookup('NuGet', undefined, 'newtonsoft.JSON').length, 1);
});

test('npm: lodash 4.17.15 vs GHSA-p6mc (fixed 4.17.20) and GHSA-35jh; 4.17.20 and 4.17.21 (real GHSA + NVD)', () => {
  const lodash = (version: string) => pkg({ type: 'npm', name: 'lodash', version, location: '/app/node_modules/lodash/package.json' });
  const findings = match([lodash('4.17.15')]);
  assert.deepEqual(summary(findings), [
    ['CVE-2020-8203', 'lodash', 'fixed', 'affected', ['4.17.20']],
    ['CVE-2021-23337', 'lodash', 'fixed', 'affected', ['4.17.21']],
  ]);
  const f = findings[0] as Finding;
  assert.deepEqual(f.aliases, ['GHSA-p6mc-m468-83gw']);
  assert.equal(f.dataSource, 'ghsa');
  assert.equal(f.severity, 'HIGH');
  assert.equal(f.severitySource, 'ghsa');
  // GHSA's ratings first (v3.1 vector, then its label), then NVD's (v3.1 over v2).
  assert.deepEqual(f.ratings.map((r) => [r.source, r.type, r.vector ?? '', r.score ?? null]), [
    ['ghsa', 'CVSS_V3', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', 7.4],
    ['ghsa', 'LABEL', '', null],
    ['nvd', 'CVSS_V3', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', 7.4],
    ['nvd', 'CVSS_V2', 'AV:N/AC:M/Au:N/C:N/I:P/A:P', 5.8],
  ]);
  assert.deepEqual(f.cwes, ['CWE-770', 'CWE-1321']);
  assert.equal(f.evidence.sourceId, 'GHSA-p6mc-m468-83gw');
  assert.equal(f.evidence.range, 'vers:npm/<4.17.20');
  assert.equal(f.package.sourceName, undefined);
  assert.deepEqual(summary(match([lodash('4.17.20')])), [['CVE-2021-23337', 'lodash', 'fixed', 'affected', ['4.17.21']]]);
  assert.deepEqual(match([lodash('4.17.21')]), []);
  // lodash.template: the entry names a last affected version and no fix.
  assert.deepEqual(summary(match([pkg({ type: 'npm', name: 'lodash.template', version: '4.5.0' })])),
    [['CVE-2021-23337', 'lodash.template', 'affected', 'affected', []]]);
});

test('NVD CPE applicability never judges an OS package (real CVE-2020-8203, CVE-2023-45853)', () => {
  const bookworm: Distro = { id: 'debian', version: '12' };
  // lodash 4.17.15 is inside the NVD CPE range (< 4.17.20), zlib 1.2.13 inside CVE-2023-45853's (<= 1.3).
  const os = [
    pkg({ type: 'deb', name: 'lodash', version: '4.17.15', source: { name: 'lodash' } }, bookworm),
    pkg({ type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: { name: 'zlib' } }, bookworm),
  ];
  assert.ok(real('CVE-2020-8203').cpeConfigurations.length > 0 && real('CVE-2023-45853').cpeConfigurations.length > 0);
  assert.deepEqual(match(os, bookworm), []);
  // Nor by the npm ecosystem's entry of the same name.
  assert.deepEqual(packageQueries(os[0] as Package, bookworm), [{ ecosystem: 'Debian', release: '12', name: 'lodash' }]);
  assert.throws(() => matchPackages(inventory(os, bookworm), realIndex, { cpe: true }), (e: unknown) => e instanceof MatchError && e.code === 'CPE_NOT_IMPLEMENTED');
  assert.deepEqual(matchPackages(inventory(os, bookworm), realIndex, { cpe: false }), []);
});

test('PyPI: names normalized per PEP 503; GIT ranges left aside next to version ranges (real PYSEC records)', () => {
  const jinja = pkg({ type: 'pypi', name: 'Jinja2', version: '2.11.2', location: '/usr/lib/python3/dist-packages/Jinja2-2.11.2.dist-info/METADATA' });
  assert.deepEqual(summary(match([jinja])), [['CVE-2020-28493', 'Jinja2', 'fixed', 'affected', ['2.11.3']]]);
  assert.deepEqual(match([pkg({ type: 'pypi', name: 'Jinja2', version: '2.11.3' })]), []);
  // requests: a GIT range (vers null) plus an ECOSYSTEM range and a versions list.
  const requests = (version: string) => pkg({ type: 'pypi', name: 'Requests', version });
  const found = match([requests('2.30.0')]);
  assert.deepEqual(summary(found), [['CVE-2023-32681', 'Requests', 'fixed', 'affected', ['2.31.0']]]);
  assert.equal(found[0]?.evidence.range, 'vers:pypi/>=2.3.0|<2.31.0');
  assert.deepEqual(match([requests('2.2.1')]), [], 'below introduced 2.3.0: the ECOSYSTEM range and versions decide');
});

test('unknown verdict: vers null, unparseable installed version; affected kept over unknown (SYNTHETIC from real)', () => {
  // SYNTHETIC: PYSEC-2023-74's entry with only its real GIT range left.
  const requestsAdvisory = real('CVE-2023-32681');
  const entry = requestsAdvisory.affected[0] as AffectedPackage;
  const gitOnly: Advisory = { ...requestsAdvisory, affected: [{ ...entry, ranges: entry.ranges.filter((r) => r.vers === null), versions: [] }] };
  const findings = match([pkg({ type: 'pypi', name: 'requests', version: '2.30.0' })], undefined, indexAdvisories([gitOnly]));
  assert.deepEqual(summary(findings), [['CVE-2023-32681', 'requests', 'unknown', 'unknown', ['2.31.0']]]);
  assert.match(findings[0]?.evidence.reason ?? '', /osv:GIT range has no version form/);
  assert.equal(findings[0]?.evidence.range, entry.ranges.find((r) => r.vers === null)?.original.expression);
  // SYNTHETIC: the GIT range and the real versions list (the versions OSV lists for it): the list decides.
  const gitAndVersions: Advisory = { ...requestsAdvisory, affected: [{ ...entry, ranges: entry.ranges.filter((r) => r.vers === null) }] };
  const listed = match([pkg({ type: 'pypi', name: 'requests', version: '2.9.1' })], undefined, indexAdvisories([gitAndVersions]));
  assert.deepEqual(summary(listed), [['CVE-2023-32681', 'requests', 'fixed', 'affected', ['2.31.0']]]);
  assert.equal(listed[0]?.evidence.range, 'vers:pypi/2.9.1');
  assert.equal(listed[0]?.evidence.original, undefined);
  assert.deepEqual(match([pkg({ type: 'pypi', name: 'requests', version: '2.2.1' })], undefined, indexAdvisories([gitAndVersions])), []);
  // Both entries (the GIT-only copy and the real one) for the same package: one finding, the affected one.
  const both: Advisory = { ...requestsAdvisory, affected: [...gitOnly.affected, entry] };
  assert.deepEqual(summary(match([pkg({ type: 'pypi', name: 'requests', version: '2.30.0' })], undefined, indexAdvisories([both]))),
    [['CVE-2023-32681', 'requests', 'fixed', 'affected', ['2.31.0']]]);
  // An installed version npm cannot parse (real GHSA data): unknown with the reason, never dropped.
  const odd = match([pkg({ type: 'npm', name: 'lodash', version: 'latest' })]);
  assert.deepEqual(summary(odd), [
    ['CVE-2020-8203', 'lodash', 'unknown', 'unknown', ['4.17.20']],
    ['CVE-2021-23337', 'lodash', 'unknown', 'unknown', ['4.17.21']],
  ]);
  assert.match(odd[0]?.evidence.reason ?? '', /invalid npm version "latest"/);
});

test('withdrawn advisories never produce findings (real GHSA-35c4-f3rq-f9g3)', () => {
  const withdrawn = real('CVE-2015-3227');
  assert.ok(withdrawn.withdrawn !== undefined);
  const activesupport = pkg({ type: 'gem', name: 'activesupport', version: '4.2.1' });
  assert.deepEqual(match([activesupport]), []);
  assert.deepEqual(realIndex.lookup('RubyGems', undefined, 'activesupport'), []);
  // The same content, not withdrawn (SYNTHETIC), covers 4.2.1: only the withdrawal kept it out.
  const { withdrawn: _w, ...alive } = withdrawn;
  assert.deepEqual(summary(match([activesupport], undefined, indexAdvisories([alive]))), [['CVE-2015-3227', 'activesupport', 'fixed', 'affected', ['4.2.2']]]);
  // And a custom index that still returns it: the matcher skips it too.
  const leaky = { lookup: () => withdrawn.affected.map((entry) => ({ advisory: withdrawn, entry })) };
  assert.deepEqual(matchPackages(inventory([activesupport]), leaky), []);
});

test('Maven multi-range and Go: fixed versions above the installed one, in scheme order (real records)', () => {
  const xwiki = (version: string) => pkg({ type: 'maven', namespace: 'org.xwiki.commons', name: 'xwiki-commons-core', version });
  assert.deepEqual(summary(match([xwiki('12.10.1')])), [['CVE-2021-32620', 'xwiki-commons-core', 'fixed', 'affected', ['12.10.2']]]);
  assert.deepEqual(summary(match([xwiki('11.10.12')])), [['CVE-2021-32620', 'xwiki-commons-core', 'fixed', 'affected', ['11.10.13', '12.6.7', '12.10.2']]]);
  assert.deepEqual(match([xwiki('12.10.2')]), []);
  assert.deepEqual(match([xwiki('11.6.0')]), []);
  const net = pkg({ type: 'golang', namespace: 'golang.org/x', name: 'net', version: 'v0.0.0-20220826154423-83b083e8dc8b' });
  assert.deepEqual(summary(match([net])), [['CVE-2022-27664', 'net', 'fixed', 'affected', ['0.0.0-20220906165146-f3363e06e74c']]]);
  assert.deepEqual(summary(match([pkg({ type: 'golang', name: 'stdlib', version: 'v1.18.5' })])), [['CVE-2022-27664', 'stdlib', 'fixed', 'affected', ['1.18.6', '1.19.1']]]);
  assert.deepEqual(match([pkg({ type: 'golang', name: 'stdlib', version: 'v1.19.1' })]), []);
});

test('statuses: will_not_fix, fixed versions merged across entries; severity preferences (SYNTHETIC)', () => {
  const ratings: SeverityRating[] = [
    { source: 'nvd', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, severity: 'CRITICAL', assigner: 'nvd@nist.gov Primary', provenance: PROV },
    { source: 'debian', type: 'LABEL', label: 'low', severity: 'LOW', provenance: PROV },
    { source: 'ghsa', type: 'CVSS_V3', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N', score: 5.3, severity: 'MEDIUM', provenance: PROV },
    { source: 'ghsa', type: 'CVSS_V4', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3, severity: 'CRITICAL', provenance: PROV },
    { source: 'ghsa', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', score: 7.4, severity: 'HIGH', provenance: PROV },
    { source: 'ghsa', type: 'CVSS_V2', vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:P', score: 5.8, severity: 'MEDIUM', provenance: PROV },
  ];
  const record = synthRecord('SYNTH-0002', [
    synthEntry({ ecosystem: 'Debian', release: '12', name: 'wontfix', ranges: [debRange('vers:deb/*')], status: 'will_not_fix' }),
    synthEntry({ ecosystem: 'Debian', release: '12', name: 'twice', ranges: [debRange('vers:deb/<1.0-3')], fixedVersions: ['1.0-3'], sourceId: 'SYNTH-B' }),
    synthEntry({ ecosystem: 'npm', name: 'synth-npm', ranges: [{ vers: 'vers:npm/<2.0.0', original: { kind: 'osv:ECOSYSTEM', expression: '[]' } }], origin: 'ghsa', fixedVersions: ['2.0.0'] }),
  ], { severities: ratings });
  // A second record of the same vulnerability (alias) naming `twice` again with another fix.
  const second = synthRecord('SYNTH-0002-B', [
    synthEntry({ ecosystem: 'Debian', release: '12', name: 'twice', ranges: [debRange('vers:deb/<1.0-2')], fixedVersions: ['1.0-2'], sourceId: 'SYNTH-A' }),
  ], { aliases: ['SYNTH-0002'] });
  const advisories = mergeAll([record, second]);
  assert.equal(advisories.length, 1);
  // The merge keeps one record's entries per package; put both entries back to exercise the matcher's merge.
  const advisory = advisories[0] as Advisory;
  const both: Advisory = { ...advisory, affected: [...record.affected, ...second.affected] };
  const index = indexAdvisories([both]);
  const bookworm: Distro = { id: 'debian', version: '12' };
  const findings = match([
    pkg({ type: 'deb', name: 'wontfix', version: '1.0-1' }, bookworm),
    pkg({ type: 'deb', name: 'twice', version: '1.0-1' }, bookworm),
    pkg({ type: 'npm', name: 'synth-npm', version: '1.0.0', location: '/app/package-lock.json' }, bookworm),
  ], bookworm, index);
  assert.deepEqual(findings.map((f) => [f.package.name, f.status, f.fixedVersions, f.severity, f.severitySource, f.evidence.sourceId]), [
    ['synth-npm', 'fixed', ['2.0.0'], 'CRITICAL', 'ghsa', 'SYNTH'],
    ['twice', 'fixed', ['1.0-2', '1.0-3'], 'LOW', 'debian', 'SYNTH-A'],
    ['wontfix', 'will_not_fix', [], 'LOW', 'debian', 'SYNTH'],
  ]);
  // OS package: the distro's rating first, then NVD, then the rest; CVSS v4 > v3.1 > v3.0 > v2 within a source.
  assert.deepEqual(findings[1]?.ratings.map((r) => `${r.source} ${r.type} ${r.vector?.slice(0, 8) ?? ''}`), [
    'debian LABEL ', 'nvd CVSS_V3 CVSS:3.1', 'ghsa CVSS_V4 CVSS:4.0', 'ghsa CVSS_V3 CVSS:3.1', 'ghsa CVSS_V3 CVSS:3.0', 'ghsa CVSS_V2 AV:N/AC:',
  ]);
  // Language package: GHSA's first, then NVD.
  assert.deepEqual(findings[0]?.ratings.map((r) => `${r.source} ${r.type} ${r.vector?.slice(0, 8) ?? ''}`), [
    'ghsa CVSS_V4 CVSS:4.0', 'ghsa CVSS_V3 CVSS:3.1', 'ghsa CVSS_V3 CVSS:3.0', 'ghsa CVSS_V2 AV:N/AC:', 'nvd CVSS_V3 CVSS:3.1', 'debian LABEL ',
  ]);
  // Without any rating: UNKNOWN.
  const bare = indexAdvisories(mergeAll([synthRecord('SYNTH-0003', [synthEntry({ ecosystem: 'Debian', release: '12', name: 'bare', ranges: [debRange('vers:deb/*')] })])]));
  const f = match([pkg({ type: 'deb', name: 'bare', version: '1' }, bookworm)], bookworm, bare)[0];
  assert.equal(f?.severity, 'UNKNOWN');
  assert.deepEqual(f?.ratings, []);
});

test('one finding per (advisory, purl, location); deterministic whatever the input order; sorted', () => {
  const bookworm: Distro = { id: 'debian', version: '12' };
  const packages = [
    pkg({ type: 'npm', name: 'lodash', version: '4.17.15', location: '/a/node_modules/lodash/package.json' }),
    pkg({ type: 'npm', name: 'lodash', version: '4.17.15', location: '/b/node_modules/lodash/package.json' }),
    pkg({ type: 'npm', name: 'lodash', version: '4.17.15', location: '/a/node_modules/lodash/package.json' }), // a duplicate
    pkg({ type: 'npm', name: 'lodash-es', version: '4.17.10' }),
    pkg({ type: 'pypi', name: 'jinja2', version: '2.10' }),
    pkg({ type: 'pypi', name: 'requests', version: '2.30.0' }),
    pkg({ type: 'golang', name: 'stdlib', version: 'v1.18.5' }),
    pkg({ type: 'maven', namespace: 'org.xwiki.commons', name: 'xwiki-commons-core', version: '12.10.1' }),
  ];
  const first = matchPackages(inventory(packages, bookworm), realIndex);
  const reversed = matchPackages(inventory([...packages].reverse(), bookworm), indexAdvisories([...REAL].reverse()));
  assert.deepEqual(reversed, first);
  assert.equal(JSON.stringify(reversed), JSON.stringify(first));
  const keys = first.map((f) => `${f.id} ${f.package.purl} ${f.package.location}`);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(first.map((f) => [f.severity, f.id, f.package.name, f.package.location]), [
    ['HIGH', 'CVE-2020-8203', 'lodash', '/a/node_modules/lodash/package.json'],
    ['HIGH', 'CVE-2020-8203', 'lodash', '/b/node_modules/lodash/package.json'],
    ['HIGH', 'CVE-2020-8203', 'lodash-es', '/var/lib/dpkg/status'],
    ['HIGH', 'CVE-2021-23337', 'lodash', '/a/node_modules/lodash/package.json'],
    ['HIGH', 'CVE-2021-23337', 'lodash', '/b/node_modules/lodash/package.json'],
    ['HIGH', 'CVE-2021-23337', 'lodash-es', '/var/lib/dpkg/status'],
    ['UNKNOWN', 'CVE-2020-28493', 'jinja2', '/var/lib/dpkg/status'],
    ['UNKNOWN', 'CVE-2021-32620', 'xwiki-commons-core', '/var/lib/dpkg/status'],
    ['UNKNOWN', 'CVE-2022-27664', 'stdlib', '/var/lib/dpkg/status'],
    ['UNKNOWN', 'CVE-2023-32681', 'requests', '/var/lib/dpkg/status'],
  ]);
});

test('SYNTHETIC scale: 10,000 packages against 300,000 affected-range records (count checked, time not asserted)', () => {
  // 20,000 npm names × 15 entries each (one advisory per entry); 10,000 of the names are installed.
  // Entry j of a name covers `< 1.j.0` from 0.0.0; the package of name i is at 1.(i mod 15).5, so it is
  // affected by entries j > i mod 15: 14 - (i mod 15) findings.
  const advisories: Advisory[] = [];
  const prov = PROV;
  for (let i = 0; i < 20_000; i++) {
    for (let j = 0; j < 15; j++) {
      advisories.push({
        schemaVersion: 1, key: `SYNTH-${i}-${j}`, aliases: [], related: [], severities: [], cwes: [], references: [],
        cpeConfigurations: [], sources: [],
        affected: [{
          ecosystem: 'npm', name: `synth-${i}`, normalizedName: `synth-${i}`, versions: [], fixedVersions: [`1.${j}.0`], status: 'affected',
          origin: 'ghsa', sourceId: `SYNTH-${i}-${j}`, provenance: prov,
          ranges: [{ vers: `vers:npm/>=0.0.${i}|<1.${j}.0`, original: { kind: 'osv:ECOSYSTEM', expression: '[]' } }],
        }],
      });
    }
  }
  const packages: Package[] = [];
  for (let i = 0; i < 10_000; i++) {
    packages.push({ type: 'npm', name: `synth-${i}`, version: `1.${i % 15}.5`, purl: `pkg:npm/synth-${i}@1.${i % 15}.5`, location: `/app/node_modules/synth-${i}/package.json`, foundBy: 'test' });
  }
  let expected = 0;
  for (let i = 0; i < 10_000; i++) expected += 14 - (i % 15);
  const index = indexAdvisories(advisories);
  const findings = matchPackages({ packages, issues: [] }, index);
  assert.equal(findings.length, expected);
  assert.ok(findings.every((f) => f.status === 'fixed' && f.fixedVersions.length === 1));
  // Matching again reuses the compiled ranges and gives the same result.
  assert.deepEqual(matchPackages({ packages, issues: [] }, index).length, expected);
});
