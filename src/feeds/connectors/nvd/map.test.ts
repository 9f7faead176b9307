import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { CpeConfiguration, Provenance, SeverityRating, SourceAdvisory } from '../../../advisories/index.js';
import type { JsonValue } from '../../../store/index.js';
import { FeedError } from '../../errors.js';
import { mapNvdCve } from './map.js';

const FKIE = new URL('./testdata/fkie/', import.meta.url);

function load(path: string): { [key: string]: JsonValue } {
  return JSON.parse(readFileSync(new URL(path, FKIE), 'utf8')) as { [key: string]: JsonValue };
}

function provenanceOf(documentId: string): Provenance {
  return { source: 'nvd', documentId, documentSha256: 'ab'.repeat(32), recordedAt: '2025-01-02T03:04:05Z' };
}

function rating(p: Provenance, type: SeverityRating['type'], vector: string, score: number, severity: SeverityRating['severity'], label: string, assigner: string): SeverityRating {
  return { source: 'nvd', type, vector, score, severity, label, assigner, provenance: p };
}

function englishOf(record: { [key: string]: JsonValue }): string {
  const list = record.descriptions as { lang: string; value: string }[];
  const en = list.find((d) => d.lang === 'en');
  assert.ok(en);
  return en.value;
}

function assertMalformedRecord(dto: JsonValue, pattern: RegExp): void {
  assert.throws(() => mapNvdCve(dto, provenanceOf('synthetic')), (error: unknown) => {
    assert.ok(error instanceof FeedError);
    assert.equal(error.code, 'MALFORMED_RECORD');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('mapNvdCve on real NVD records', () => {
  it('CVE-2023-45853 (zlib): two v3.1 ratings, NVD primary and CNA secondary, one CPE range', () => {
    const p = provenanceOf('CVE-2023/CVE-2023-458xx/CVE-2023-45853.json');
    const record = load('CVE-2023/CVE-2023-458xx/CVE-2023-45853.json');
    const expected: SourceAdvisory = {
      source: 'nvd', id: 'CVE-2023-45853', aliases: [], upstream: [], related: [],
      details: englishOf(record),
      published: '2023-10-14T02:15:09.323Z',
      modified: '2024-08-01T13:44:58.990Z',
      severities: [
        rating(p, 'CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'CRITICAL', 'CRITICAL', 'nvd@nist.gov Primary'),
        rating(p, 'CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8, 'HIGH', 'HIGH', '134c704f-9b21-4f2e-91b3-4a467353bcc0 Secondary'),
      ],
      cwes: ['CWE-190'],
      references: [
        { url: 'http://www.openwall.com/lists/oss-security/2023/10/20/9', type: 'WEB' },
        { url: 'http://www.openwall.com/lists/oss-security/2024/01/24/10', type: 'WEB' },
        { url: 'https://chromium.googlesource.com/chromium/src/+/d709fb23806858847131027da95ef4c548813356', type: 'Mailing List' },
        { url: 'https://chromium.googlesource.com/chromium/src/+/de29dd6c7151d3cd37cb4cf0036800ddfb1d8b61', type: 'Mailing List' },
        { url: 'https://github.com/madler/zlib/blob/ac8f12c97d1afd9bafa9c710f827d40a407d3266/contrib/README.contrib#L1-L4', type: 'Product' },
        { url: 'https://github.com/madler/zlib/pull/843', type: 'Issue Tracking' },
        { url: 'https://lists.debian.org/debian-lts-announce/2023/11/msg00026.html', type: 'WEB' },
        { url: 'https://pypi.org/project/pyminizip/#history', type: 'WEB' },
        { url: 'https://security.gentoo.org/glsa/202401-18', type: 'WEB' },
        { url: 'https://security.netapp.com/advisory/ntap-20231130-0009/', type: 'WEB' },
        { url: 'https://www.winimage.com/zLibDll/minizip.html', type: 'Product' },
      ],
      affected: [],
      cpeConfigurations: [{
        nodes: [{
          operator: 'OR', negate: false,
          cpeMatch: [{
            vulnerable: true, criteria: 'cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*',
            matchCriteriaId: 'BCAD5846-089D-4749-88B4-20243BC19B29', versionEndIncluding: '1.3',
          }],
        }],
        provenance: p,
      }],
      sourceClass: 'nvd',
      provenance: p,
    };
    assert.ok(expected.details?.startsWith('MiniZip in zlib through 1.3 has an integer overflow'));
    assert.deepEqual(mapNvdCve(record, p), expected);
  });

  it('CVE-2020-8203 (lodash): v3.1 and v2 ratings, CWEs of both sources, 42 CPE matches kept', () => {
    const p = provenanceOf('CVE-2020/CVE-2020-82xx/CVE-2020-8203.json');
    const a = mapNvdCve(load('CVE-2020/CVE-2020-82xx/CVE-2020-8203.json'), p);
    assert.equal(a.id, 'CVE-2020-8203');
    assert.equal(a.details, 'Prototype pollution attack when using _.zipObjectDeep in lodash before 4.17.20.');
    assert.equal(a.summary, undefined);
    assert.equal(a.published, '2020-07-15T17:15:11.797Z');
    assert.equal(a.modified, '2024-01-21T02:37:13.193Z');
    assert.equal(a.withdrawn, undefined);
    assert.deepEqual([a.aliases, a.upstream, a.related, a.affected], [[], [], [], []]);
    assert.deepEqual(a.severities, [
      rating(p, 'CVSS_V3', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', 7.4, 'HIGH', 'HIGH', 'nvd@nist.gov Primary'),
      rating(p, 'CVSS_V2', 'AV:N/AC:M/Au:N/C:N/I:P/A:P', 5.8, 'MEDIUM', 'MEDIUM', 'nvd@nist.gov Primary'),
    ]);
    assert.deepEqual(a.cwes, ['CWE-1321', 'CWE-770']);
    assert.deepEqual(a.references.map((r) => r.type), [
      'Issue Tracking', 'Exploit', 'Third Party Advisory', 'Patch', 'Patch', 'Patch', 'Patch', 'Patch',
    ]);
    assert.equal(a.references[3]?.url, 'https://www.oracle.com//security-alerts/cpujul2021.html');
    assert.equal(a.sourceClass, 'nvd');
    assert.deepEqual(a.provenance, p);
    assert.equal(a.cpeConfigurations.length, 2);
    const [lodash, oracle] = a.cpeConfigurations as [CpeConfiguration, CpeConfiguration];
    assert.deepEqual(lodash, {
      nodes: [{
        operator: 'OR', negate: false,
        cpeMatch: [{
          vulnerable: true, criteria: 'cpe:2.3:a:lodash:lodash:*:*:*:*:*:node.js:*:*',
          matchCriteriaId: '5320B76A-C335-4F3B-A589-73CC64033FFB', versionEndExcluding: '4.17.20',
        }],
      }],
      provenance: p,
    });
    const matches = oracle.nodes[0]?.cpeMatch ?? [];
    assert.equal(matches.length, 41);
    assert.ok(matches.every((m) => m.vulnerable && m.criteria.startsWith('cpe:2.3:a:oracle:')));
    assert.deepEqual(matches[21], {
      vulnerable: true, criteria: 'cpe:2.3:a:oracle:blockchain_platform:*:*:*:*:*:*:*:*',
      matchCriteriaId: 'D0DBC938-A782-433F-8BF1-CA250C332AA7', versionEndExcluding: '21.1.2',
    });
    assert.deepEqual(matches[40], {
      vulnerable: true, criteria: 'cpe:2.3:a:oracle:primavera_gateway:*:*:*:*:*:*:*:*',
      matchCriteriaId: 'E6B70E72-B9FC-4E49-8EDD-29C7E14F5792', versionStartIncluding: '20.12.0', versionEndIncluding: '20.12.7',
    });
  });

  it('CVE-2024-6523 (VulDB): v4.0, two v3.1 and v2 ratings; references listed by two sources once each', () => {
    const p = provenanceOf('CVE-2024/CVE-2024-65xx/CVE-2024-6523.json');
    const record = load('CVE-2024/CVE-2024-65xx/CVE-2024-6523.json');
    const v4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X';
    const expected: SourceAdvisory = {
      source: 'nvd', id: 'CVE-2024-6523', aliases: [], upstream: [], related: [],
      details: englishOf(record),
      published: '2024-07-05T11:15:10.740Z',
      modified: '2024-11-21T09:49:47.960Z',
      severities: [
        rating(p, 'CVSS_V4', v4, 5.3, 'MEDIUM', 'MEDIUM', 'cna@vuldb.com Secondary'),
        rating(p, 'CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:N/I:L/A:N', 3.5, 'LOW', 'LOW', 'cna@vuldb.com Secondary'),
        rating(p, 'CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N', 5.4, 'MEDIUM', 'MEDIUM', 'nvd@nist.gov Primary'),
        rating(p, 'CVSS_V2', 'AV:N/AC:L/Au:S/C:N/I:P/A:N', 4, 'MEDIUM', 'MEDIUM', 'cna@vuldb.com Secondary'),
      ],
      cwes: ['CWE-79'],
      references: [
        { url: 'https://gist.github.com/whiteman007/c8bf92b0294cd2f0cda6bfaca36f8f28', type: 'Third Party Advisory' },
        { url: 'https://vuldb.com/?ctiid.270366', type: 'Permissions Required' },
        { url: 'https://vuldb.com/?id.270366', type: 'Third Party Advisory' },
        { url: 'https://vuldb.com/?submit.364104', type: 'Exploit' },
      ],
      affected: [],
      cpeConfigurations: [{
        nodes: [{
          operator: 'OR', negate: false,
          cpeMatch: [{
            vulnerable: true, criteria: 'cpe:2.3:a:zkteco:biotime:*:*:*:*:*:*:*:*', matchCriteriaId: 'AB739961-210D-4404-8982-E2E5E9737185',
            versionStartIncluding: '8.5', versionEndIncluding: '9.5.2',
          }],
        }],
        provenance: p,
      }],
      sourceClass: 'nvd',
      provenance: p,
    };
    assert.ok(expected.details?.startsWith('A vulnerability was found in ZKTeco BioTime up to 9.5.2.'));
    assert.deepEqual(mapNvdCve(record, p), expected);
  });

  it('CVE-2024-6599 (awaiting analysis): a CNA rating marked Primary, no weaknesses, no configurations, untagged references', () => {
    const p = provenanceOf('CVE-2024/CVE-2024-65xx/CVE-2024-6599.json');
    const record = load('CVE-2024/CVE-2024-65xx/CVE-2024-6599.json');
    const expected: SourceAdvisory = {
      source: 'nvd', id: 'CVE-2024-6599', aliases: [], upstream: [], related: [],
      details: englishOf(record),
      published: '2024-07-18T02:15:03.190Z',
      modified: '2024-07-18T12:28:43.707Z',
      severities: [rating(p, 'CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:L/A:N', 4.3, 'MEDIUM', 'MEDIUM', 'security@wordfence.com Primary')],
      cwes: [],
      references: [
        { url: 'https://plugins.trac.wordpress.org/browser/meks-video-importer/trunk/includes/class.meks-video-importer-vimeo.php#L74', type: 'WEB' },
        { url: 'https://plugins.trac.wordpress.org/browser/meks-video-importer/trunk/includes/class.meks-video-importer-youtube.php#L98', type: 'WEB' },
        { url: 'https://www.wordfence.com/threat-intel/vulnerabilities/id/eaf9cc48-1ba6-4e9b-9f49-54f7747c26e0?source=cve', type: 'WEB' },
      ],
      affected: [],
      cpeConfigurations: [],
      sourceClass: 'nvd',
      provenance: p,
    };
    assert.deepEqual(mapNvdCve(record, p), expected);
  });

  it('CVE-2020-24980 (Rejected): withdrawn at lastModified', () => {
    const p = provenanceOf('CVE-2020/CVE-2020-249xx/CVE-2020-24980.json');
    const expected: SourceAdvisory = {
      source: 'nvd', id: 'CVE-2020-24980', aliases: [], upstream: [], related: [],
      details: '** REJECT ** DO NOT USE THIS CANDIDATE NUMBER. ConsultIDs: none. Reason: This candidate was withdrawn by its CNA. Further investigation showed that it was not a security issue. Notes: none.',
      published: '2020-09-04T00:15:10.897Z',
      modified: '2020-09-14T13:15:10.173Z',
      withdrawn: '2020-09-14T13:15:10.173Z',
      severities: [], cwes: [], references: [], affected: [], cpeConfigurations: [],
      sourceClass: 'nvd',
      provenance: p,
    };
    assert.deepEqual(mapNvdCve(load('CVE-2020/CVE-2020-249xx/CVE-2020-24980.json'), p), expected);
  });
});

describe('mapNvdCve on synthetic variants of real records', () => {
  it('treats a "** REJECT **" description as withdrawn even when vulnStatus says otherwise', () => {
    const record = { ...load('CVE-2020/CVE-2020-249xx/CVE-2020-24980.json'), vulnStatus: 'Modified' };
    assert.equal(mapNvdCve(record, provenanceOf('synthetic')).withdrawn, '2020-09-14T13:15:10.173Z');
  });

  it('keeps the vector and our score when the source states another score', () => {
    const record = load('CVE-2024/CVE-2024-65xx/CVE-2024-6599.json');
    const metric = (record.metrics as { cvssMetricV31: { cvssData: { baseScore: number } }[] }).cvssMetricV31[0];
    assert.ok(metric);
    metric.cvssData.baseScore = 6.1;
    const [r] = mapNvdCve(record, provenanceOf('synthetic')).severities;
    assert.equal(r?.vector, 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:L/A:N');
    assert.equal(r?.score, 4.3);
    assert.equal(r?.severity, 'MEDIUM');
  });

  it("falls back to the source's score and label when the vector cannot be read", () => {
    const record = load('CVE-2024/CVE-2024-65xx/CVE-2024-6599.json');
    const data = (record.metrics as { cvssMetricV31: { cvssData: { vectorString: string } }[] }).cvssMetricV31[0]?.cvssData;
    assert.ok(data);
    data.vectorString = 'CVSS:3.1/AV:N/AC:L';
    const got = mapNvdCve(record, provenanceOf('synthetic')).severities.map((s) => [s.type, s.vector, s.score, s.severity, s.label]);
    assert.deepEqual(got, [['CVSS_V3', 'CVSS:3.1/AV:N/AC:L', 4.3, 'MEDIUM', 'MEDIUM']]);
  });

  it('keeps a configuration-level AND operator and negate, and NVD-CWE-noinfo as written', () => {
    const record = load('CVE-2023/CVE-2023-458xx/CVE-2023-45853.json');
    const configs = record.configurations as { operator?: string; negate?: boolean }[];
    Object.assign(configs[0] ?? {}, { operator: 'AND', negate: true });
    record.weaknesses = [{ source: 'nvd@nist.gov', type: 'Primary', description: [{ lang: 'en', value: 'NVD-CWE-noinfo' }] }];
    const a = mapNvdCve(record, provenanceOf('synthetic'));
    assert.equal(a.cpeConfigurations[0]?.operator, 'AND');
    assert.equal(a.cpeConfigurations[0]?.negate, true);
    assert.deepEqual(a.cwes, ['NVD-CWE-noinfo']);
  });

  it('throws MALFORMED_RECORD naming the record and the path', () => {
    assertMalformedRecord('CVE-2024-6599', /expected a CVE object, got a string/);
    assertMalformedRecord({ descriptions: [] }, /id is missing/);
    const badOperator = load('CVE-2023/CVE-2023-458xx/CVE-2023-45853.json');
    const nodes = (badOperator.configurations as { nodes: { operator: string; cpeMatch: { criteria?: string }[] }[] }[])[0]?.nodes;
    assert.ok(nodes?.[0]);
    nodes[0].operator = 'XOR';
    assertMalformedRecord(badOperator, /^nvd CVE-2023-45853: configurations\[0\]\.nodes\[0\]\.operator: operator "XOR"/);
    nodes[0].operator = 'OR';
    delete nodes[0].cpeMatch[0]?.criteria;
    assertMalformedRecord(badOperator, /configurations\[0\]\.nodes\[0\]\.cpeMatch\[0\]\.criteria: missing/);
    const record = load('CVE-2024/CVE-2024-65xx/CVE-2024-6599.json');
    assertMalformedRecord({ ...record, published: 'yesterday' }, /published: "yesterday" is not an ISO-8601 timestamp/);
    assertMalformedRecord({ ...record, references: {} }, /references: expected an array, got an object/);
  });
});
