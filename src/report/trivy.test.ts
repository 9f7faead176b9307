import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shuffle } from '../../test/support/shuffle.js';
import type { Finding } from '../match/index.js';
import { writeReport } from './index.js';
import { antFinding, LAYERS, PACKAGES, syntheticFindings, syntheticInput, syntheticInventory } from './testing.js';

// Inputs are SYNTHETIC findings built from real GHSA, NVD and Debian records (see testing.ts).

/*
 * Field names of Trivy's report as aquasecurity/trivy dc3c56ee declares them: pkg/types/report.go
 * (Report, Metadata, Result), pkg/types/vulnerability.go (DetectedVulnerability) and the embedded
 * trivy-db a0049d7a pkg/types/types.go (Vulnerability, DataSource, CVSS).
 */
const REPORT_FIELDS = new Set(['SchemaVersion', 'Trivy', 'ReportID', 'CreatedAt', 'ArtifactID', 'ArtifactName', 'ArtifactType', 'Metadata', 'Results']);
const METADATA_FIELDS = new Set(['Size', 'OS', 'ImageID', 'DiffIDs', 'RepoTags', 'RepoDigests', 'Reference', 'ImageConfig', 'Layers', 'RepoURL', 'Branch', 'Tags', 'Commit']);
const RESULT_FIELDS = new Set(['Target', 'Class', 'Type', 'Packages', 'Vulnerabilities', 'MisconfSummary', 'Misconfigurations', 'Secrets', 'Licenses', 'CustomResources']);
const VULN_FIELDS = new Set([
  'VulnerabilityID', 'VendorIDs', 'PkgID', 'PkgName', 'PkgPath', 'PkgIdentifier', 'InstalledVersion', 'FixedVersion', 'Status', 'Layer',
  'SeveritySource', 'PrimaryURL', 'DataSource', 'Fingerprint', 'Custom',
  'Title', 'Description', 'Severity', 'CweIDs', 'VendorSeverity', 'CVSS', 'References', 'PublishedDate', 'LastModifiedDate',
]);
const CVSS_FIELDS = new Set(['V2Vector', 'V3Vector', 'V40Vector', 'V2Score', 'V3Score', 'V40Score']);
const STATUSES = new Set(['unknown', 'not_affected', 'affected', 'fixed', 'under_investigation', 'will_not_fix', 'fix_deferred', 'end_of_life']);

type Json = Record<string, unknown>;
interface Vuln extends Json { VulnerabilityID: string; PkgName: string; Status: string; Severity: string; FixedVersion?: string; CVSS?: Record<string, Json>; VendorSeverity?: Record<string, number> }
interface Result { Target: string; Class: string; Type: string; Vulnerabilities?: Vuln[] }
interface Report extends Json { SchemaVersion: number; ArtifactName: string; ArtifactType: string; Metadata: Json; Results: Result[] }

function trivy(input = syntheticInput()): { report: Report; text: string } {
  const text = writeReport('trivy-json', input);
  return { report: JSON.parse(text) as Report, text };
}

function assertFields(object: object, allowed: Set<string>, what: string): void {
  for (const key of Object.keys(object)) assert.ok(allowed.has(key), `${what} has Trivy field ${key}`);
}

describe('trivy-json report', () => {
  test('SchemaVersion 2 with artifact and image metadata', () => {
    const { report } = trivy();
    const image = syntheticInventory().image;
    assertFields(report, REPORT_FIELDS, 'Report');
    assertFields(report.Metadata, METADATA_FIELDS, 'Metadata');
    assert.equal(report.SchemaVersion, 2);
    assert.equal(report.ArtifactName, 'docker-archive:app.tar');
    assert.equal(report.ArtifactType, 'container_image');
    assert.deepEqual(report.Metadata, {
      OS: { Family: 'debian', Name: '11' }, ImageID: image?.configDigest, DiffIDs: LAYERS.map((l) => l.diffId),
      RepoTags: ['registry.example/app:1.0'], RepoDigests: [`registry.example/app@${image?.manifestDigest}`],
    });
  });

  test('results: the OS packages, then each language file with its Trivy type', () => {
    const { report } = trivy();
    for (const r of report.Results) assertFields(r, RESULT_FIELDS, 'Result');
    assert.deepEqual(report.Results.map((r) => [r.Target, r.Class, r.Type, r.Vulnerabilities?.length ?? 0]), [
      ['docker-archive:app.tar (debian 11)', 'os-pkgs', 'debian', 2],
      ['app/package-lock.json', 'lang-pkgs', 'npm', 2],
      ['usr/lib/python3/dist-packages/requests-2.25.1.egg-info/PKG-INFO', 'lang-pkgs', 'python-pkg', 0],
    ]);
  });

  test('vulnerabilities use only Trivy field names and value sets', () => {
    for (const r of trivy().report.Results) {
      for (const v of r.Vulnerabilities ?? []) {
        assertFields(v, VULN_FIELDS, v.VulnerabilityID);
        assert.ok(STATUSES.has(v.Status), v.Status);
        assert.ok(['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(v.Severity));
        for (const c of Object.values(v.CVSS ?? {})) assertFields(c, CVSS_FIELDS, 'CVSS');
        for (const s of Object.values(v.VendorSeverity ?? {})) assert.ok(Number.isInteger(s) && s >= 0 && s <= 4);
      }
    }
  });

  test('a language vulnerability in full', () => {
    const lodash = trivy().report.Results[1]?.Vulnerabilities?.[0];
    const ghsa = syntheticFindings()[0] as Finding;
    assert.deepEqual(lodash, {
      VulnerabilityID: 'CVE-2020-8203', PkgID: 'lodash@4.17.15', PkgName: 'lodash', PkgIdentifier: { PURL: 'pkg:npm/lodash@4.17.15' },
      InstalledVersion: '4.17.15', FixedVersion: '4.17.20', Status: 'fixed',
      Layer: { Digest: LAYERS[1]?.digest, DiffID: LAYERS[1]?.diffId }, SeveritySource: 'ghsa',
      PrimaryURL: 'https://github.com/advisories/GHSA-p6mc-m468-83gw',
      DataSource: { ID: 'ghsa', Name: 'GitHub Security Advisory npm', URL: 'https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm' },
      Title: 'Prototype Pollution in lodash', Description: ghsa.description, Severity: 'HIGH', CweIDs: ['CWE-1321', 'CWE-770'],
      VendorSeverity: { ghsa: 3 }, CVSS: { ghsa: { V3Vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', V3Score: 7.4 } },
      References: ghsa.references, PublishedDate: '2020-07-15T19:15:48Z', LastModifiedDate: '2022-02-08T22:04:28Z',
    });
  });

  test('OS vulnerabilities: distro data source, Trivy statuses, preferred CVSS per source', () => {
    const [zlib, putty] = trivy().report.Results[0]?.Vulnerabilities ?? [];
    assert.deepEqual([putty?.PkgName, putty?.Status, putty?.Severity, putty?.FixedVersion, putty?.VendorSeverity], ['putty', 'will_not_fix', 'LOW', undefined, { debian: 1 }]);
    assert.deepEqual(putty?.DataSource, { ID: 'debian', Name: 'Debian Security Tracker', URL: 'https://salsa.debian.org/security-tracker-team/security-tracker' });
    assert.equal(putty?.PrimaryURL, 'https://security-tracker.debian.org/tracker/CVE-2021-36367');
    assert.equal(zlib?.Status, 'unknown');
    assert.deepEqual(zlib?.CVSS, { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: 9.8 } }, 'the primary NVD metric, not the secondary');
    const unfixed = trivy(syntheticInput({ findings: [antFinding()], suppressed: [] })).report.Results[0]?.Vulnerabilities?.[0];
    assert.equal(unfixed?.Status, 'affected', 'a Debian <unfixed> issue is affected in Trivy terms');
  });

  test('several fixed versions are comma-joined; Maven ids use group:artifact:version', () => {
    const maven = { type: 'maven' as const, namespace: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', location: '/app/lib/log4j-core-2.14.1.jar', foundBy: 'java-archive' };
    const inventory = { ...syntheticInventory(), packages: [maven] };
    const finding: Finding = {
      ...(syntheticFindings()[0] as Finding), id: 'CVE-SYNTHETIC-1', aliases: [], fixedVersions: ['2.12.2', '2.15.0'],
      package: { name: 'log4j-core', version: '2.14.1', purl: maven.purl, type: 'maven', location: maven.location },
      installedVersion: '2.14.1',
    };
    const result = trivy(syntheticInput({ inventory, findings: [finding], suppressed: [] })).report.Results.find((r) => r.Type === 'jar');
    const v = result?.Vulnerabilities?.[0];
    assert.equal(result?.Target, 'app/lib/log4j-core-2.14.1.jar');
    assert.deepEqual([v?.PkgName, v?.PkgID, v?.FixedVersion, v?.PkgPath], ['org.apache.logging.log4j:log4j-core', 'org.apache.logging.log4j:log4j-core:2.14.1', '2.12.2, 2.15.0', 'app/lib/log4j-core-2.14.1.jar']);
    assert.equal(v?.DataSource && (v.DataSource as Json).Name, 'GitHub Security Advisory Maven');
  });

  test('a filesystem scan has no image metadata', () => {
    const { image: _image, ...rest } = syntheticInventory();
    const { report } = trivy(syntheticInput({ inventory: rest, target: 'dir:/srv/app' }));
    assert.equal(report.ArtifactType, 'filesystem');
    assert.deepEqual(report.Metadata, { OS: { Family: 'debian', Name: '11' } });
    assert.equal(report.Results[0]?.Target, 'dir:/srv/app (debian 11)');
    const lodash = report.Results[1]?.Vulnerabilities?.[0];
    assert.deepEqual(lodash?.Layer, { DiffID: PACKAGES.lodash.layer }, 'no image, no blob digest');
  });

  test('the OS family is Trivy\'s spelling (rhel → redhat)', () => {
    const inventory = { ...syntheticInventory(), distro: { id: 'rhel', version: '9.4' } };
    const { report } = trivy(syntheticInput({ inventory }));
    assert.deepEqual(report.Metadata.OS, { Family: 'redhat', Name: '9.4' });
    assert.deepEqual([report.Results[0]?.Target, report.Results[0]?.Type], ['docker-archive:app.tar (redhat 9.4)', 'redhat']);
  });

  test('the same findings in any order give the same bytes', () => {
    const expected = trivy().text;
    for (const seed of [10, 11]) assert.equal(trivy(syntheticInput({ findings: shuffle(syntheticFindings(), seed) })).text, expected);
  });
});
