import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { mergeAll, type Advisory } from '../../advisories/index.js';
import { openBolt, writeBolt, type BoltReader } from '../../bolt/index.js';
import { mapFile } from '../../../test/support/advisory-store.js';
import { langVersions } from './constraints.js';
import { goMapJson, goStructJson, goTime } from './json.js';
import { OS_SPECS } from './names.js';
import { buildTrivyTree, buildTrivyTreeAsync } from './tree.js';
import { TESTDATA, trivyLookup } from './testing.js';

/*
 * The tree builder on real records mapped by the connectors (no store): GitHub's REST form and its
 * OSV form of one advisory give the same Trivy values; an entry whose listed versions no range
 * covers; the release spellings OSV uses and the bucket names trivy looks up; Go's JSON bytes.
 */

const AT = '2025-01-01T00:00:00Z';
const NPM = 'npm::GitHub Security Advisory npm';
const REST_PAGE = join(TESTDATA, 'ghsa-rest', 'advisories-lodash-page.json');
const OSV_35JH = join(TESTDATA, 'ghsa', 'advisories', 'github-reviewed', '2021', '05', 'GHSA-35jh-r3h4-6jhm', 'GHSA-35jh-r3h4-6jhm.json');

function reader(advisories: readonly Advisory[]): BoltReader {
  return openBolt(writeBolt(buildTrivyTree(advisories).root));
}

function value(r: BoltReader, bucket: string, pkg: string, id: string): unknown {
  const raw = r.get([bucket, pkg], id);
  return raw === undefined ? undefined : JSON.parse(raw.toString('utf8'));
}

describe('trivy tree from mapped records', () => {
  test("GHSA's REST form and its OSV form give the same values (\"< 4.17.21\" and {0, fixed 4.17.21})", () => {
    const rest = reader(mergeAll(mapFile('ghsa', REST_PAGE, AT)));
    const osv = reader(mergeAll(mapFile('ghsa', OSV_35JH, AT)));
    try {
      for (const pkg of ['lodash', 'lodash-es', 'lodash.template', 'lodash-template']) {
        assert.deepEqual(rest.get([NPM, pkg], 'CVE-2021-23337')?.toString(), osv.get([NPM, pkg], 'CVE-2021-23337')?.toString(), pkg);
      }
      assert.deepEqual(value(rest, NPM, 'lodash-template', 'CVE-2021-23337'), { VendorIDs: ['GHSA-35jh-r3h4-6jhm'], VulnerableVersions: ['<=1.0.0'] });
      // GHSA-8p5q-j9m2-g8wr (lodash "<= 4.17.21", CVE-2021-41720) was withdrawn on 2021-10-01: absent.
      assert.equal(rest.get([NPM, 'lodash'], 'CVE-2021-41720'), undefined);
      assert.equal(rest.get(['vulnerability'], 'CVE-2021-41720'), undefined);
      // GHSA-29mw-wpgm-hmr9: lodash "< 4.17.21" first patched 4.17.21.
      assert.deepEqual(value(rest, NPM, 'lodash', 'CVE-2020-28500'), { PatchedVersions: ['4.17.21'], VendorIDs: ['GHSA-29mw-wpgm-hmr9'], VulnerableVersions: ['<4.17.21'] });
      assert.deepEqual(Object.keys(trivyLookup(rest, 'npm::', 'lodash')).sort(), ['CVE-2020-28500', 'CVE-2021-23337']);
      // GHSA-29mw-wpgm-hmr9's REST fields: severity "medium", CVSS 3.1 5.3, CWE-400 and CWE-1333.
      const vuln = JSON.parse(rest.get(['vulnerability'], 'CVE-2020-28500')?.toString() ?? 'null') as Record<string, unknown>;
      assert.deepEqual([vuln.Severity, vuln.CweIDs, vuln.VendorSeverity, vuln.CVSS], [
        'MEDIUM', ['CWE-400', 'CWE-1333'], { ghsa: 2 }, { ghsa: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', V3Score: 5.3 } },
      ]);
      assert.deepEqual(Object.keys(trivyLookup(osv, 'npm::', 'lodash')), ['CVE-2021-23337']);
    } finally {
      rest.close();
      osv.close();
    }
  });

  test('listed versions no range covers become "=V" (a PyPI entry whose only range is GIT)', () => {
    const [advisory] = mergeAll(mapFile('osv', join(TESTDATA, 'osv', 'PYSEC-2023-74.yaml'), AT));
    const entry = advisory?.affected[0];
    assert.ok(entry !== undefined);
    assert.deepEqual(langVersions(entry), { vulnerable: ['>=2.3.0, <2.31.0'], patched: ['2.31.0'], skippedRanges: 1 });
    const gitOnly = { ...entry, ranges: entry.ranges.filter((r) => r.original.kind === 'osv:GIT') };
    const versions = langVersions(gitOnly);
    assert.equal(versions.vulnerable.length, 66);
    assert.deepEqual(versions.vulnerable.slice(0, 3), ['=2.10.0', '=2.11.0', '=2.11.1']);
    assert.deepEqual([versions.patched, versions.skippedRanges], [[], 1]);
  });

  test('the async builder gives the same tree as the sync one', async () => {
    const advisories = mergeAll([
      ...mapFile('ghsa', REST_PAGE, AT), ...mapFile('osv', join(TESTDATA, 'osv', 'DSA-3029-1.json'), AT),
      ...mapFile('osv', join(TESTDATA, 'osv', 'GHSA-35c4-f3rq-f9g3.withdrawn.osv.json'), AT),
    ]);
    async function* stream(): AsyncGenerator<Advisory> {
      yield* advisories;
    }
    const sync = buildTrivyTree(advisories);
    const fromStream = await buildTrivyTreeAsync(stream());
    assert.ok(writeBolt(sync.root).equals(writeBolt(fromStream.root)));
    assert.deepEqual(sync.summary, fromStream.summary);
    // The REST page's three advisories (one withdrawn), the DSA, the withdrawn GHSA-35c4.
    assert.deepEqual([sync.summary.advisories, sync.summary.withdrawn, sync.summary.exported], [5, 2, 3]);
  });
});

describe('trivy bucket names for the release spellings OSV uses', () => {
  const bucket = (ecosystem: string, release?: string): string | undefined => OS_SPECS.get(ecosystem)?.bucket(release);

  test('Debian by major version, Alpine without the v, Alma/Rocky by major', () => {
    assert.equal(bucket('Debian', '12'), 'debian 12');
    assert.equal(bucket('Debian', '7'), 'debian 7');
    assert.equal(bucket('Debian', 'sid'), undefined);
    assert.equal(bucket('Alpine', 'v3.19'), 'alpine 3.19');
    assert.equal(bucket('AlmaLinux', '9'), 'alma 9');
    assert.equal(bucket('Rocky Linux', '8'), 'rocky 8');
    assert.equal(bucket('Wolfi'), 'wolfi');
    assert.equal(bucket('Wolfi', '1'), undefined);
  });

  test('Ubuntu: LTS suffix dropped, Pro → ESM, other Pro streams have no bucket', () => {
    assert.equal(bucket('Ubuntu', '22.04:LTS'), 'ubuntu 22.04');
    assert.equal(bucket('Ubuntu', '24.10'), 'ubuntu 24.10');
    assert.equal(bucket('Ubuntu', 'Pro:14.04:LTS'), 'ubuntu 14.04-ESM');
    assert.equal(bucket('Ubuntu', 'Pro:FIPS:18.04:LTS'), undefined);
  });
});

describe("Go's JSON bytes", () => {
  test('maps sorted, HTML characters escaped as json.Marshal does, structs in given order', () => {
    assert.equal(goMapJson({ VulnerableVersions: ['>=1.0, <2'], FixedVersion: 'a&b' }), '{"FixedVersion":"a\\u0026b","VulnerableVersions":["\\u003e=1.0, \\u003c2"]}');
    assert.equal(goStructJson({ Title: 't', Description: 'd\u2028' }), '{"Title":"t","Description":"d\\u2028"}');
  });

  test('times in RFC 3339 with trailing fraction zeros dropped; zero time left out', () => {
    assert.equal(goTime('2024-08-01T13:44:58.990Z'), '2024-08-01T13:44:58.99Z');
    assert.equal(goTime('2020-07-15T17:15:11Z'), '2020-07-15T17:15:11Z');
    assert.equal(goTime('0001-01-01T00:00:00Z'), undefined);
    assert.equal(goTime('not a time'), undefined);
  });
});
