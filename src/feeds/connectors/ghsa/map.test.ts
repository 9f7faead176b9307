import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AffectedPackage, Provenance, SourceAdvisory } from '../../../advisories/index.js';
import type { JsonValue, RawDocument } from '../../../store/index.js';
import { FeedError } from '../../errors.js';
import { ghsaConnector, ghsaRangeToVers, mapGhsaRest, osvEcosystemOf, parseGhsaDocument, purlOf } from './index.js';

const TESTDATA = new URL('./testdata/', import.meta.url);
const PAGE_PATH = 'rest/advisories-lodash-page.json';
const OSV_35JH = 'advisory-database/advisories/github-reviewed/2021/05/GHSA-35jh-r3h4-6jhm/GHSA-35jh-r3h4-6jhm.json';

function raw(path: string, documentId = path): RawDocument {
  const body = readFileSync(new URL(path, TESTDATA));
  return {
    id: 1, source: 'ghsa', documentId, url: null, contentType: 'application/json',
    sha256: createHash('sha256').update(body).digest('hex'), fetchedAt: '2025-01-01T00:00:00Z', body,
  };
}

function provenanceOf(doc: RawDocument): Provenance {
  return { source: 'ghsa', documentId: doc.documentId, documentSha256: doc.sha256, recordedAt: doc.fetchedAt };
}

const page = raw(PAGE_PATH, 'advisories?direction=asc&per_page=100&sort=updated&type=reviewed');
const pageProvenance = provenanceOf(page);
const restAdvisories = JSON.parse(Buffer.from(page.body).toString('utf8')) as JsonValue[];

function rest(id: string): JsonValue {
  const found = restAdvisories.find((a) => typeof a === 'object' && a !== null && !Array.isArray(a) && a.ghsa_id === id);
  assert.ok(found !== undefined, id);
  return found;
}

function affected(ghsaId: string, provenance: Provenance, name: string, expression: string, vers: string, fixed?: string): AffectedPackage {
  return {
    ecosystem: 'npm', name, normalizedName: name, purl: `pkg:npm/${name}`,
    ranges: [{ vers, original: { kind: 'ghsa', expression } }], versions: [],
    fixedVersions: fixed === undefined ? [] : [fixed], status: fixed === undefined ? 'unfixed' : 'affected',
    origin: 'ghsa', sourceId: ghsaId, provenance,
  };
}

describe('mapGhsaRest on a recorded /advisories page', () => {
  it('maps every field of GHSA-35jh-r3h4-6jhm (lodash command injection)', () => {
    const id = 'GHSA-35jh-r3h4-6jhm';
    const p = pageProvenance;
    const expected: SourceAdvisory = {
      source: 'ghsa', id, aliases: ['CVE-2021-23337'], upstream: [], related: [],
      summary: 'Command Injection in lodash',
      details: 'test advisory - high', // the recording's placeholder (see testdata/SOURCE)
      published: '2021-05-06T16:05:51Z', modified: '2024-04-17T18:39:19Z',
      severities: [
        { source: 'ghsa', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', score: 7.2, severity: 'HIGH', provenance: p },
        { source: 'ghsa', type: 'LABEL', severity: 'HIGH', label: 'high', provenance: p },
      ],
      cwes: ['CWE-77', 'CWE-94'],
      references: [
        { url: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm', type: 'ADVISORY' },
        ...[
          'https://nvd.nist.gov/vuln/detail/CVE-2021-23337',
          'https://github.com/lodash/lodash/commit/3469357cff396a26c363f8c1b5a91dde28ba4b1c',
          'https://snyk.io/vuln/SNYK-JS-LODASH-1040724',
          'https://github.com/lodash/lodash/blob/ddfd9b11a0126db2302cb70ec9973b66baec0975/lodash.js#L14851',
          'https://github.com/lodash/lodash/blob/ddfd9b11a0126db2302cb70ec9973b66baec0975/lodash.js%23L14851',
          'https://snyk.io/vuln/SNYK-JAVA-ORGFUJIONWEBJARS-1074932',
          'https://snyk.io/vuln/SNYK-JAVA-ORGWEBJARS-1074930',
          'https://snyk.io/vuln/SNYK-JAVA-ORGWEBJARSBOWER-1074928',
          'https://snyk.io/vuln/SNYK-JAVA-ORGWEBJARSBOWERGITHUBLODASH-1074931',
          'https://snyk.io/vuln/SNYK-JAVA-ORGWEBJARSNPM-1074929',
          'https://www.oracle.com//security-alerts/cpujul2021.html',
          'https://www.oracle.com/security-alerts/cpuoct2021.html',
          'https://www.oracle.com/security-alerts/cpujan2022.html',
          'https://www.oracle.com/security-alerts/cpujul2022.html',
          'https://cert-portal.siemens.com/productcert/pdf/ssa-637483.pdf',
          'https://security.netapp.com/advisory/ntap-20210312-0006',
        ].map((url) => ({ url, type: 'WEB' })),
        { url: 'https://github.com/lodash/lodash', type: 'PACKAGE' },
      ],
      affected: [
        affected(id, p, 'lodash', '< 4.17.21', 'vers:npm/<4.17.21', '4.17.21'),
        affected(id, p, 'lodash-es', '< 4.17.21', 'vers:npm/<4.17.21', '4.17.21'),
        affected(id, p, 'lodash.template', '<= 4.5.0', 'vers:npm/<=4.5.0'),
        affected(id, p, 'lodash-template', '<= 1.0.0', 'vers:npm/<=1.0.0'),
      ],
      cpeConfigurations: [], sourceClass: 'ghsa', provenance: p,
    };
    assert.deepEqual(mapGhsaRest(rest(id), p), expected);
  });

  it('keeps a withdrawn, unreviewed advisory with its withdrawal time and a CVE that differs from the title', () => {
    const a = mapGhsaRest(rest('GHSA-8p5q-j9m2-g8wr'), pageProvenance);
    assert.equal(a.withdrawn, '2021-10-01T22:04:28Z');
    assert.equal(a.published, '2021-12-03T20:37:32Z');
    assert.deepEqual(a.aliases, ['CVE-2021-41720']);
    assert.deepEqual(a.severities.map((s) => [s.type, s.score, s.severity, s.label]), [['CVSS_V3', 9.8, 'CRITICAL', undefined], ['LABEL', undefined, 'LOW', 'low']]);
    assert.deepEqual(a.affected.map((x) => [x.name, x.ranges[0]?.vers, x.status, x.fixedVersions]), [['lodash', 'vers:npm/<=4.17.21', 'unfixed', []]]);
    // html_url is also listed in references[]: one entry, typed ADVISORY.
    assert.equal(a.references.filter((r) => r.url === 'https://github.com/advisories/GHSA-8p5q-j9m2-g8wr').length, 1);
    assert.equal(a.references[0]?.type, 'ADVISORY');
  });

  it('maps the "medium" label to MEDIUM and every package of GHSA-29mw-wpgm-hmr9', () => {
    const a = mapGhsaRest(rest('GHSA-29mw-wpgm-hmr9'), pageProvenance);
    assert.deepEqual(a.severities.find((s) => s.type === 'LABEL'), { source: 'ghsa', type: 'LABEL', severity: 'MEDIUM', label: 'medium', provenance: pageProvenance });
    assert.deepEqual(a.cwes, ['CWE-400', 'CWE-1333']);
    assert.deepEqual(a.affected.map((x) => [x.name, x.ranges[0]?.vers, x.fixedVersions, x.status]), [
      ['lodash', 'vers:npm/<4.17.21', ['4.17.21'], 'affected'],
      ['lodash-es', 'vers:npm/<4.17.21', ['4.17.21'], 'affected'],
      ['lodash.trimend', 'vers:npm/<=4.5.1', [], 'unfixed'],
      ['lodash.trim', 'vers:npm/<=4.5.1', [], 'unfixed'],
    ]);
  });
});

describe('the REST form and the advisory-database OSV form of one advisory', () => {
  it('map GHSA-35jh-r3h4-6jhm (same revision, 2024-04-17) to the same id, aliases, packages, ranges and fixes', () => {
    const fromRest = mapGhsaRest(rest('GHSA-35jh-r3h4-6jhm'), pageProvenance);
    const osvDoc = raw(OSV_35JH, 'advisories/github-reviewed/2021/05/GHSA-35jh-r3h4-6jhm/GHSA-35jh-r3h4-6jhm.json');
    const parsed = parseGhsaDocument(osvDoc);
    assert.equal(parsed.records.length, 1);
    const record = parsed.records[0];
    assert.ok(record !== undefined);
    const fromOsv = ghsaConnector.map(record.dto, provenanceOf(osvDoc));
    assert.equal(fromOsv.source, 'ghsa');
    assert.equal(fromOsv.id, fromRest.id);
    assert.deepEqual([...fromOsv.aliases].sort(), fromRest.aliases);
    assert.equal(fromOsv.modified, fromRest.modified);
    assert.equal(fromOsv.published, fromRest.published);
    assert.deepEqual([...fromOsv.cwes].sort(), [...fromRest.cwes].sort());
    const shape = (x: AffectedPackage): unknown => ({
      ecosystem: x.ecosystem, name: x.name, normalizedName: x.normalizedName,
      vers: x.ranges.map((r) => r.vers), fixedVersions: x.fixedVersions, origin: x.origin, sourceId: x.sourceId, extra: x.extra,
    });
    assert.deepEqual(fromOsv.affected.map(shape), fromRest.affected.map(shape));
    assert.deepEqual(fromRest.affected.map((x) => x.ranges[0]?.vers), ['vers:npm/<4.17.21', 'vers:npm/<4.17.21', 'vers:npm/<=4.5.0', 'vers:npm/<=1.0.0']);
    const v3 = (a: SourceAdvisory): unknown => a.severities.filter((s) => s.type === 'CVSS_V3').map((s) => [s.vector, s.score]);
    assert.deepEqual(v3(fromOsv), v3(fromRest));
  });
});

describe('GitHub ecosystems (SYNTHETIC vulnerabilities[] elements; names are real packages)', () => {
  const cases: [string, string, string, string, string | undefined, string | null][] = [
    // github ecosystem, name, range, OSV ecosystem, purl, vers
    ['npm', '@babel/traverse', '< 7.23.2', 'npm', 'pkg:npm/%40babel/traverse', 'vers:npm/<7.23.2'],
    ['pip', 'Django_Rest', '>= 1.0, < 1.2.3', 'PyPI', 'pkg:pypi/django-rest', 'vers:pypi/>=1.0|<1.2.3'],
    ['maven', 'org.apache.logging.log4j:log4j-core', '>= 2.0-beta9, < 2.15.0', 'Maven', 'pkg:maven/org.apache.logging.log4j/log4j-core', 'vers:maven/>=2.0-beta9|<2.15.0'],
    ['go', 'github.com/gin-gonic/gin', '< 1.9.1', 'Go', 'pkg:golang/github.com/gin-gonic/gin', 'vers:golang/<v1.9.1'],
    ['rust', 'tokio', '>= 0.2.0, < 1.8.4', 'crates.io', 'pkg:cargo/tokio', 'vers:cargo/>=0.2.0|<1.8.4'],
    ['rubygems', 'rails', '< 6.1.7.1', 'RubyGems', 'pkg:gem/rails', 'vers:gem/<6.1.7.1'],
    ['nuget', 'Newtonsoft.Json', '< 13.0.1', 'NuGet', 'pkg:nuget/Newtonsoft.Json', 'vers:nuget/<13.0.1'],
    ['composer', 'symfony/http-kernel', '>= 5.0.0, < 5.4.20', 'Packagist', 'pkg:composer/symfony/http-kernel', 'vers:composer/>=5.0.0|<5.4.20'],
    ['erlang', 'plug', '< 1.3.2', 'Hex', 'pkg:hex/plug', null],
    ['pub', 'http', '< 0.13.3', 'Pub', 'pkg:pub/http', null],
    ['swift', 'github.com/vapor/vapor', '< 4.0.0', 'SwiftURL', undefined, null],
    ['actions', 'tj-actions/changed-files', '< 35.7.7', 'GitHub Actions', undefined, null],
    ['other', 'something', '< 1.0', 'other', undefined, null],
  ];
  for (const [github, name, range, ecosystem, purl, vers] of cases) {
    it(`${github} → ${ecosystem}`, () => {
      const advisory = { ghsa_id: 'GHSA-aaaa-bbbb-cccc', vulnerabilities: [{ package: { ecosystem: github, name }, vulnerable_version_range: range, first_patched_version: null, vulnerable_functions: [] }] };
      const [entry] = mapGhsaRest(advisory, pageProvenance).affected;
      assert.ok(entry !== undefined);
      assert.equal(entry.ecosystem, ecosystem);
      assert.equal(entry.purl, purl);
      assert.equal(entry.ranges[0]?.vers, vers, `${range}`);
      assert.deepEqual(entry.ranges[0]?.original, { kind: 'ghsa', expression: range });
      assert.equal(entry.normalizedName, github === 'pip' ? 'django-rest' : name);
    });
  }

  it('reads GraphQL capitals and { identifier } fixes, and keeps vulnerable_functions as extra', () => {
    assert.equal(osvEcosystemOf('PIP'), 'PyPI');
    const advisory = { ghsa_id: 'GHSA-aaaa-bbbb-cccc', vulnerabilities: [{ package: { ecosystem: 'NPM', name: 'lodash' }, vulnerable_version_range: '< 4.17.19', first_patched_version: { identifier: '4.17.19' }, vulnerable_functions: ['lodash.zipObjectDeep'] }] };
    const [entry] = mapGhsaRest(advisory, pageProvenance).affected;
    assert.deepEqual(entry?.fixedVersions, ['4.17.19']);
    assert.equal(entry?.status, 'affected');
    assert.equal(entry?.extra, '{"ecosystem_specific":{"affected_functions":["lodash.zipObjectDeep"]}}');
  });

  it('gives vers null to a range that does not parse, keeping the expression', () => {
    assert.equal(ghsaRangeToVers('npm', '>= banana'), null);
    assert.equal(purlOf('Maven', 'no-group-here'), undefined);
  });
});

describe('mapGhsaRest on malformed records (SYNTHETIC)', () => {
  const bad: [string, JsonValue][] = [
    ['not an object', ['GHSA-aaaa-bbbb-cccc']],
    ['no ghsa_id', { summary: 'x' }],
    ['vulnerabilities not an array', { ghsa_id: 'GHSA-aaaa-bbbb-cccc', vulnerabilities: 'lodash' }],
    ['a package without a name', { ghsa_id: 'GHSA-aaaa-bbbb-cccc', vulnerabilities: [{ package: { ecosystem: 'npm' } }] }],
    ['published_at not a timestamp', { ghsa_id: 'GHSA-aaaa-bbbb-cccc', published_at: 'yesterday' }],
    ['a cwe_id that is a number', { ghsa_id: 'GHSA-aaaa-bbbb-cccc', cwes: [{ cwe_id: 79 }] }],
  ];
  for (const [label, dto] of bad) {
    it(`throws MALFORMED_RECORD: ${label}`, () => {
      assert.throws(() => mapGhsaRest(dto, pageProvenance), (e: unknown) => e instanceof FeedError && e.code === 'MALFORMED_RECORD');
    });
  }

  it('keeps a vector the scorer rejects, with GitHub\'s score', () => {
    const a = mapGhsaRest({ ghsa_id: 'GHSA-aaaa-bbbb-cccc', cvss: { vector_string: 'CVSS:3.1/AV:N', score: 9.8 } }, pageProvenance);
    assert.deepEqual(a.severities, [{ source: 'ghsa', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N', score: 9.8, severity: 'CRITICAL', provenance: pageProvenance }]);
  });

  it('scores a CVSS v4 vector from cvss_severities.cvss_v4', () => {
    const vector = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N/E:P';
    const a = mapGhsaRest({ ghsa_id: 'GHSA-aaaa-bbbb-cccc', cvss_severities: { cvss_v3: { vector_string: null, score: 0 }, cvss_v4: { vector_string: vector, score: 6.3 } } }, pageProvenance);
    assert.equal(a.severities.length, 1);
    assert.equal(a.severities[0]?.type, 'CVSS_V4');
    assert.equal(a.severities[0]?.vector, vector);
    assert.equal(typeof a.severities[0]?.score, 'number');
  });
});
