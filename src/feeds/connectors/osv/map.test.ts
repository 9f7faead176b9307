import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SourceAdvisory } from '../../../advisories/index.js';
import type { JsonValue } from '../../../store/index.js';
import { isFeedError } from '../../errors.js';
import { mapOsvRecord } from './map.js';
import { parseOsvDocument } from './parse.js';
import { provenance, rawTestdata, testdata } from './testing.js';

function dtoOf(name: string): JsonValue {
  const out = parseOsvDocument(rawTestdata(name));
  assert.deepEqual(out.errors, [], name);
  return out.records[0]?.dto as JsonValue;
}

function mapped(name: string, source = 'osv'): SourceAdvisory {
  return mapOsvRecord(dtoOf(name), provenance(name, source), source);
}

function jsonOf(name: string): Record<string, unknown> {
  return JSON.parse(testdata(name).toString('utf8')) as Record<string, unknown>;
}

describe('mapOsvRecord', () => {
  it('maps every field of the lodash GHSA record (GHSA-p6mc-m468-83gw)', () => {
    const prov = provenance('GHSA-p6mc-m468-83gw.json', 'ghsa');
    const advisory = mapOsvRecord(dtoOf('GHSA-p6mc-m468-83gw.json'), prov, 'ghsa');
    const json = jsonOf('GHSA-p6mc-m468-83gw.json') as { details: string; references: { type: string; url: string }[] };
    const extra = '{"ecosystem_specific":{"affected_functions":["lodash.baseSet"]}}';
    const pkg = (name: string) => ({
      ecosystem: 'npm', name, normalizedName: name, purl: `pkg:npm/${name}`,
      ranges: [{ vers: 'vers:npm/<4.17.20', original: { kind: 'osv:ECOSYSTEM', expression: '[{"introduced":"0"},{"fixed":"4.17.20"}]' } }],
      versions: [], fixedVersions: ['4.17.20'], status: 'affected', origin: 'ghsa',
      sourceId: 'GHSA-p6mc-m468-83gw', provenance: prov, extra,
    });
    assert.deepEqual(advisory, {
      source: 'ghsa',
      id: 'GHSA-p6mc-m468-83gw',
      aliases: ['CVE-2020-8203'],
      upstream: [],
      related: [],
      summary: 'Prototype Pollution in lodash',
      details: json.details,
      published: '2020-07-15T19:15:48Z',
      modified: '2022-02-08T22:04:28Z',
      severities: [
        // NVD scores CVE-2020-8203 7.4 HIGH with the same vector.
        { source: 'ghsa', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', score: 7.4, severity: 'HIGH', provenance: prov },
        { source: 'ghsa', type: 'LABEL', label: 'HIGH', severity: 'HIGH', provenance: prov },
      ],
      cwes: ['CWE-1321', 'CWE-770'],
      references: json.references.map((r) => ({ url: r.url, type: r.type })),
      affected: [pkg('lodash'), pkg('lodash-es')],
      cpeConfigurations: [],
      sourceClass: 'ghsa',
      provenance: prov,
    });
    assert.equal(advisory.references.length, 13);
    assert.deepEqual(advisory.references[0], { url: 'https://nvd.nist.gov/vuln/detail/CVE-2020-8203', type: 'ADVISORY' });
  });

  it('maps every field of a Debian DSA record (DSA-3029-1)', () => {
    const prov = provenance('DSA-3029-1.json');
    const advisory = mapped('DSA-3029-1.json');
    assert.deepEqual(advisory, {
      source: 'osv',
      id: 'DSA-3029-1',
      aliases: ['CVE-2014-3616'],
      upstream: [],
      related: [],
      summary: 'nginx - security update',
      details: (jsonOf('DSA-3029-1.json') as { details: string }).details,
      published: '2014-09-20T00:00:00Z',
      modified: '2014-09-20T08:18:07Z',
      severities: [],
      cwes: [],
      references: [{ url: 'https://www.debian.org/security/2014/dsa-3029', type: 'ADVISORY' }],
      affected: [{
        ecosystem: 'Debian', release: '7', name: 'nginx', normalizedName: 'nginx',
        ranges: [{ vers: 'vers:deb/<1.2.1-2.2+wheezy3', original: { kind: 'osv:ECOSYSTEM', expression: '[{"introduced":"0"},{"fixed":"1.2.1-2.2+wheezy3"}]' } }],
        versions: [], fixedVersions: ['1.2.1-2.2+wheezy3'], status: 'affected', origin: 'distro',
        sourceId: 'DSA-3029-1', provenance: prov,
      }],
      cpeConfigurations: [],
      sourceClass: 'distro',
      provenance: prov,
    });
  });

  it('maps an Ubuntu record: Ubuntu priority as a label, upstream CVE, no fix → unfixed', () => {
    const prov = provenance('UBUNTU-CVE-2025-38094.json');
    const advisory = mapped('UBUNTU-CVE-2025-38094.json');
    const json = jsonOf('UBUNTU-CVE-2025-38094.json') as { affected: { versions: string[] }[] };
    assert.deepEqual(advisory.aliases, []);
    assert.deepEqual(advisory.upstream, ['CVE-2025-38094']);
    assert.equal(advisory.summary, undefined);
    assert.deepEqual(advisory.severities, [{ source: 'ubuntu', type: 'LABEL', label: 'medium', severity: 'MEDIUM', provenance: prov }]);
    assert.equal(advisory.sourceClass, 'distro');
    assert.deepEqual(advisory.affected, [{
      ecosystem: 'Ubuntu', release: 'Pro:14.04:LTS', name: 'linux', normalizedName: 'linux',
      purl: 'pkg:deb/ubuntu/linux@3.13.0-206.257?arch=source&distro=esm-infra-legacy/trusty',
      ranges: [{ vers: 'vers:deb/*', original: { kind: 'osv:ECOSYSTEM', expression: '[{"introduced":"0"}]' } }],
      versions: json.affected[0]?.versions, fixedVersions: [], status: 'unfixed', origin: 'distro',
      sourceId: 'UBUNTU-CVE-2025-38094', provenance: prov, extra: '{"ecosystem_specific":{}}',
    }]);
    assert.equal(advisory.affected[0]?.versions.length, 180);
  });

  it('maps an AlmaLinux record: rpm range, related CVEs that are not aliases', () => {
    const advisory = mapped('ALSA-2025_10073.json');
    assert.equal(advisory.id, 'ALSA-2025:10073');
    assert.deepEqual(advisory.aliases, []);
    assert.deepEqual(advisory.related, ['CVE-2025-6430', 'CVE-2025-6424', 'CVE-2025-6429', 'CVE-2025-6425']);
    assert.equal(advisory.sourceClass, 'distro');
    const [pkg] = advisory.affected;
    assert.equal(pkg?.ecosystem, 'AlmaLinux');
    assert.equal(pkg?.release, '10');
    assert.deepEqual(pkg?.ranges.map((r) => r.vers), ['vers:rpm/<128.12.0-1.el10_0']);
    assert.deepEqual(pkg?.fixedVersions, ['128.12.0-1.el10_0']);
    assert.equal(pkg?.status, 'affected');
    assert.equal(pkg?.origin, 'distro');
  });

  it('gives GIT ranges no vers, keeps their events and repository, and no commit as a fixed version', () => {
    const [pkg] = mapped('PYSEC-2023-74.yaml').affected;
    assert.deepEqual(pkg?.ranges, [
      { vers: null, original: { kind: 'osv:GIT', expression: '[{"introduced":"0"},{"fixed":"74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5"}]', repo: 'https://github.com/psf/requests' } },
      { vers: 'vers:pypi/>=2.3.0|<2.31.0', original: { kind: 'osv:ECOSYSTEM', expression: '[{"introduced":"2.3.0"},{"fixed":"2.31.0"}]' } },
    ]);
    assert.deepEqual(pkg?.fixedVersions, ['2.31.0']);
    assert.equal(pkg?.origin, 'osv');
    assert.equal(pkg?.purl, 'pkg:pypi/requests');
  });

  it('maps YAML records like JSON ones (PYSEC-2021-66)', () => {
    const advisory = mapped('PYSEC-2021-66.yaml');
    assert.deepEqual(advisory.aliases, ['CVE-2020-28493', 'SNYK-PYTHON-JINJA2-1012994', 'GHSA-g3rq-g295-4j3m']);
    assert.equal(advisory.modified, '2021-03-22T16:34:00Z');
    assert.equal(advisory.affected[0]?.normalizedName, 'jinja2');
    assert.deepEqual(advisory.affected[0]?.ranges.map((r) => r.vers), ['vers:pypi/<2.11.3']);
    assert.equal(advisory.affected[0]?.versions.length, 37);
  });

  it('orders SEMVER ranges by SemVer and keeps Go\'s zero modified time', () => {
    const advisory = mapped('GO-2020-0015.json');
    assert.equal(advisory.modified, '0001-01-01T00:00:00Z');
    assert.deepEqual(advisory.affected[0]?.ranges.map((r) => r.vers), ['vers:semver/<0.3.3']);
    assert.equal(advisory.sourceClass, 'osv');
  });

  it('carries withdrawn times, affected-entry database_specific and purls', () => {
    const withdrawn = mapped('GHSA-35c4-f3rq-f9g3.withdrawn.osv.json');
    assert.equal(withdrawn.withdrawn, '2018-10-11T17:29:49Z');
    assert.equal(withdrawn.affected[0]?.extra, '{"database_specific":{"cwes":[],"ghsa":"https://github.com/advisories/GHSA-35c4-f3rq-f9g3"}}');
    assert.deepEqual(withdrawn.affected[0]?.ranges.map((r) => r.vers), ['vers:gem/>=3.2.0|<3.2.22|>=4.0.0|<4.1.11|>=4.2.0|<4.2.2']);
    const rust = mapped('RUSTSEC-2020-0071.json');
    assert.equal(rust.severities[0]?.source, 'osv');
    assert.equal(rust.severities[0]?.score, 6.2);
    assert.equal(rust.affected[0]?.purl, 'pkg:cargo/time');
  });

  it('keeps a vector that does not score, rated by the database_specific label or UNKNOWN', () => {
    // Synthetic variant of the real lodash record: the vector's version broken.
    const lodash = jsonOf('GHSA-p6mc-m468-83gw.json');
    const broken = { ...lodash, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.9/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H' }] };
    const prov = provenance('x');
    const withLabel = mapOsvRecord(broken as unknown as JsonValue, prov, 'ghsa');
    assert.deepEqual(withLabel.severities[0], { source: 'ghsa', type: 'CVSS_V3', vector: 'CVSS:3.9/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', severity: 'HIGH', label: 'HIGH', provenance: prov });
    const noLabel = mapOsvRecord({ ...broken, database_specific: {} } as unknown as JsonValue, prov, 'osv');
    assert.deepEqual(noLabel.severities, [{ source: 'ghsa', type: 'CVSS_V3', vector: 'CVSS:3.9/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', severity: 'UNKNOWN', provenance: prov }]);
  });

  it('rates distro records under the distro name and leaves ecosystems without a scheme unordered', () => {
    // Synthetic variants of real records: a CVSS vector added to the DSA; the Go record re-filed under Hex.
    const dsa = { ...jsonOf('DSA-3029-1.json'), severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:M/Au:N/C:P/I:N/A:N' }] };
    const rating = mapOsvRecord(dsa as unknown as JsonValue, provenance('x'), 'osv').severities[0];
    assert.deepEqual([rating?.source, rating?.type, rating?.score, rating?.severity], ['debian', 'CVSS_V2', 4.3, 'MEDIUM']);
    const go = jsonOf('GO-2020-0015.json') as { affected: { package: { ecosystem: string }; ranges: { type: string }[] }[] };
    go.affected[0]!.package.ecosystem = 'Hex';
    go.affected[0]!.ranges[0]!.type = 'ECOSYSTEM';
    const hex = mapOsvRecord(go as unknown as JsonValue, provenance('x'), 'osv');
    assert.equal(hex.affected[0]?.ranges[0]?.vers, null);
    assert.equal(hex.affected[0]?.ranges[0]?.original.kind, 'osv:ECOSYSTEM');
  });

  it('throws MALFORMED_RECORD naming the record for a DTO it cannot map', () => {
    const lodash = jsonOf('GHSA-p6mc-m468-83gw.json');
    assert.throws(
      () => mapOsvRecord({ ...lodash, affected: [{ package: { ecosystem: 'npm' } }] } as unknown as JsonValue, provenance('doc.json'), 'osv'),
      (error: unknown) => isFeedError(error) && error.code === 'MALFORMED_RECORD' && /GHSA-p6mc-m468-83gw/.test(error.message) && /package\.name: missing/.test(error.message),
    );
    assert.throws(() => mapOsvRecord('GHSA-x', provenance('doc.json'), 'osv'), (error: unknown) => isFeedError(error) && error.code === 'MALFORMED_RECORD');
  });
});
