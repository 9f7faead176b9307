import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import semver from 'semver';
import { openStore, type Store } from '../../store/index.js';
import { fillStore } from '../../../test/support/advisory-store.js';
import { fakeClock, forEachDialect, type Target } from '../../../test/support/store-targets.js';
import { missingPrerequisite } from '../../../test/support/tools.js';
import { exportTrivyDb, isTrivyDbError, type TrivyDbExportSummary } from './index.js';
import { goLookup, goMissing, openDb, readTarGz, TESTDATA, trivyLookup } from './testing.js';

/*
 * The Trivy DB export of a store filled from real records (testdata/: OSV, GitHub advisory-database
 * and NVD records, through the same fetch --from + merge as `stella db`), on SQLite and PostgreSQL.
 * Expected values are worked out by hand from the records (see the comments at each one).
 */

const RECORDED = (): Date => new Date('2025-01-01T00:00:00.000Z');
const NPM = 'npm::GitHub Security Advisory npm';
const GHSA_NPM = { ID: 'ghsa', Name: 'GitHub Security Advisory npm', URL: 'https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm' };
const PYSEC = 'pip::Python Packaging Advisory Database';

const TOP_BUCKETS = [
  'alma 10', 'cargo::RustSec Advisory Database', 'data-source', 'debian 7', 'go::The Go Vulnerability Database',
  'maven::GitHub Security Advisory Maven', NPM, PYSEC, 'ubuntu 14.04-ESM', 'vulnerability',
];

// Every id some bucket names; withdrawn ones (GHSA-35c4… = CVE-2015-3227, NVD's rejected
// CVE-2020-24980) and NVD-only ones (CVE-2023-45853, CVE-2024-6523) are absent.
const ADVISED_IDS = [
  'ALSA-2025:10073', 'CVE-2014-3616', 'CVE-2020-26235', 'CVE-2020-28493', 'CVE-2020-7598', 'CVE-2020-8203',
  'CVE-2021-23337', 'CVE-2021-32620', 'CVE-2022-0235', 'CVE-2022-27664', 'CVE-2023-32681', 'CVE-2025-38094',
];

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'stella-trivy-export-'));
}

function json(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** trivy's compare.IsVulnerable with node-semver as the npm matcher (go-npm-version reads "," as AND). */
function npmVulnerable(version: string, advisory: { VulnerableVersions?: string[]; PatchedVersions?: string[] }): boolean {
  const range = (list: string[]): string => list.map((c) => c.replaceAll(', ', ' ')).join(' || ');
  const vulnerable = advisory.VulnerableVersions ?? [];
  const secure = advisory.PatchedVersions ?? [];
  if (vulnerable.length > 0 && !semver.satisfies(version, range(vulnerable))) return false;
  if (secure.length === 0) return vulnerable.length > 0;
  return !semver.satisfies(version, range(secure));
}

function nvdRecord(file: string): { descriptions: { lang: string; value: string }[] } {
  return json(join(TESTDATA, 'nvd', file)) as { descriptions: { lang: string; value: string }[] };
}

function suite(name: string, factory: () => Promise<Target>): void {
  describe(`trivy db export on ${name}`, () => {
    let target: Target;
    let store: Store;
    let work: string;

    before(async () => {
      target = await factory();
      store = await openStore({ ...target.options(), now: fakeClock() });
      work = tempDir();
      await fillStore(store, { osv: join(TESTDATA, 'osv'), ghsa: join(TESTDATA, 'ghsa'), nvd: join(TESTDATA, 'nvd') }, RECORDED);
    });

    after(async () => {
      await store.close();
      await target.dispose();
      rmSync(work, { recursive: true, force: true });
    });

    test('buckets, keys and values of known advisories, found the way trivy looks them up', async () => {
      const out = join(work, 'full');
      const summary = await exportTrivyDb(store, { out });
      const reader = openDb(join(out, 'db', 'trivy.db'));
      try {
        assert.deepEqual(reader.check(), []);
        assert.deepEqual(reader.bucketNames().map((b) => b.toString()), TOP_BUCKETS);
        assert.deepEqual([...reader.entries(['vulnerability'])].map((e) => e.key.toString()), [...ADVISED_IDS].sort());
        assert.equal(summary.tree.withdrawn, 2);
        assert.equal(summary.tree.vulnerabilities, ADVISED_IDS.length);

        // DSA-3029-1: Debian:7 nginx (the source package), fixed 1.2.1-2.2+wheezy3, alias CVE-2014-3616.
        assert.deepEqual(trivyLookup(reader, 'debian 7', 'nginx'), {
          'CVE-2014-3616': {
            root: 'debian 7',
            source: { ID: 'debian', Name: 'Debian Security Tracker', URL: 'https://salsa.debian.org/security-tracker-team/security-tracker' },
            content: { FixedVersion: '1.2.1-2.2+wheezy3', VendorIDs: ['DSA-3029-1'] },
          },
        });
        // Bytes as Go's json.Marshal of the map writes them: sorted keys, '<' escaped.
        assert.equal(reader.get([NPM, 'lodash'], 'CVE-2020-8203')?.toString(),
          '{"PatchedVersions":["4.17.20"],"VendorIDs":["GHSA-p6mc-m468-83gw"],"VulnerableVersions":["\\u003c4.17.20"]}');

        // GHSA-p6mc-m468-83gw (lodash <4.17.20) and GHSA-35jh-r3h4-6jhm (lodash <4.17.21), by prefix seek.
        const lodash = trivyLookup(reader, 'npm::', 'lodash');
        assert.deepEqual(Object.keys(lodash).sort(), ['CVE-2020-8203', 'CVE-2021-23337']);
        assert.deepEqual(lodash['CVE-2021-23337'], {
          root: NPM, source: GHSA_NPM,
          content: { PatchedVersions: ['4.17.21'], VendorIDs: ['GHSA-35jh-r3h4-6jhm'], VulnerableVersions: ['<4.17.21'] },
        });
        // GHSA-35jh: lodash.template {introduced 0, last_affected 4.5.0} → "<=4.5.0", no patched version.
        assert.deepEqual(trivyLookup(reader, 'npm::', 'lodash.template')['CVE-2021-23337']?.content,
          { VendorIDs: ['GHSA-35jh-r3h4-6jhm'], VulnerableVersions: ['<=4.5.0'] });
        // GHSA-r683-j2x4-v87g: node-fetch {introduced "1.0", fixed 3.1.1} and {0, 2.6.7}: the source's
        // "1.0" spelling is kept (our vers form would say 1.0.0), entries concatenated.
        const nodeFetch = trivyLookup(reader, 'npm::', 'node-fetch')['CVE-2022-0235']?.content as { VulnerableVersions: string[]; PatchedVersions: string[] };
        assert.deepEqual(nodeFetch, { PatchedVersions: ['2.6.7', '3.1.1'], VendorIDs: ['GHSA-r683-j2x4-v87g'], VulnerableVersions: ['<2.6.7', '>=1.0, <3.1.1'] });
        // Read the way trivy's npm comparer would (node-semver here): 2.6.7 is patched although it
        // falls in ">=1.0, <3.1.1"; 3.0.0 is not.
        assert.deepEqual(['2.6.6', '2.6.7', '3.0.0', '3.1.1'].map((v) => npmVulnerable(v, nodeFetch)), [true, false, true, false]);
        const lodashAt = (v: string): string[] => Object.entries(lodash).filter(([, f]) => npmVulnerable(v, f.content as object)).map(([id]) => id).sort();
        assert.deepEqual(lodashAt('4.17.15'), ['CVE-2020-8203', 'CVE-2021-23337']);
        assert.deepEqual(lodashAt('4.17.20'), ['CVE-2021-23337']);
        assert.deepEqual(lodashAt('4.17.21'), []);
        // GHSA-vh95-rmgr-6w4m: minimist, two ranges of one package in one value.
        assert.deepEqual(trivyLookup(reader, 'npm::', 'minimist')['CVE-2020-7598']?.content,
          { PatchedVersions: ['0.2.1', '1.2.3'], VendorIDs: ['GHSA-vh95-rmgr-6w4m'], VulnerableVersions: ['<0.2.1', '>=1.0.0, <1.2.3'] });

        // PYSEC-2023-74: requests, a GIT range (skipped, as trivy-db does) and {2.3.0, fixed 2.31.0};
        // its 66 listed versions are all in [2.3.0, 2.31.0), so none is added as "=V".
        assert.deepEqual(trivyLookup(reader, 'pip::', 'requests'), {
          'CVE-2023-32681': {
            root: PYSEC,
            source: { ID: 'osv', Name: 'Python Packaging Advisory Database', URL: 'https://github.com/pypa/advisory-db' },
            content: { PatchedVersions: ['2.31.0'], VendorIDs: ['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'], VulnerableVersions: ['>=2.3.0, <2.31.0'] },
          },
        });
        assert.deepEqual(Object.keys(trivyLookup(reader, 'pip::', 'jinja2')), ['CVE-2020-28493']);
        // UBUNTU-CVE-2025-38094: Ubuntu:Pro:14.04:LTS linux, unfixed → "ubuntu 14.04-ESM", {}.
        assert.deepEqual(trivyLookup(reader, 'ubuntu 14.04-ESM', 'linux')['CVE-2025-38094']?.content, {});
        // ALSA-2025:10073 (no CVE alias, only `related` CVEs): AlmaLinux:10 firefox.
        assert.deepEqual(trivyLookup(reader, 'alma 10', 'firefox')['ALSA-2025:10073']?.content, { FixedVersion: '128.12.0-1.el10_0' });
        // GO-2022-0969: stdlib {0, 1.18.6}, {1.19.0-0, 1.19.1}.
        assert.deepEqual(trivyLookup(reader, 'go::', 'stdlib')['CVE-2022-27664']?.content,
          { PatchedVersions: ['1.18.6', '1.19.1'], VendorIDs: ['GHSA-69cg-p879-7622', 'GO-2022-0969'], VulnerableVersions: ['<1.18.6', '>=1.19.0-0, <1.19.1'] });
        // The withdrawn GHSA-35c4-f3rq-f9g3 (activesupport) is nowhere.
        assert.deepEqual(trivyLookup(reader, 'rubygems::', 'activesupport'), {});
        assert.equal(reader.get(['vulnerability'], 'CVE-2015-3227'), undefined);
        assert.equal(reader.get(['vulnerability'], 'CVE-2023-45853'), undefined, 'an NVD-only CVE gets no record, as in trivy-db');

        // CVE-2020-8203: GHSA (label HIGH, CVSS 3.1 7.4) and NVD (nvd@nist.gov v3.1 7.4 HIGH, v2 5.8 MEDIUM).
        const lodashVuln = JSON.parse(reader.get(['vulnerability'], 'CVE-2020-8203')?.toString() ?? 'null') as Record<string, unknown>;
        assert.deepEqual(Object.keys(lodashVuln), ['Title', 'Description', 'Severity', 'CweIDs', 'VendorSeverity', 'CVSS', 'References', 'PublishedDate', 'LastModifiedDate']);
        assert.equal(lodashVuln.Title, 'Prototype Pollution in lodash');
        assert.equal(lodashVuln.Severity, 'HIGH');
        assert.deepEqual(lodashVuln.CweIDs, ['CWE-770', 'CWE-1321']);
        assert.deepEqual(lodashVuln.VendorSeverity, { ghsa: 3, nvd: 3 });
        assert.deepEqual(lodashVuln.CVSS, {
          ghsa: { V3Vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', V3Score: 7.4 },
          nvd: { V2Vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:P', V3Vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', V2Score: 5.8, V3Score: 7.4 },
        });
        assert.equal(lodashVuln.PublishedDate, '2020-07-15T17:15:11.797Z');
        assert.equal(lodashVuln.LastModifiedDate, '2024-01-21T02:37:13.193Z');
        assert.ok((lodashVuln.References as string[]).includes('https://hackerone.com/reports/712065'));

        assert.deepEqual(summary.tree.buckets, {
          'alma 10': 1, 'cargo::RustSec Advisory Database': 1, 'debian 7': 1, 'go::The Go Vulnerability Database': 2,
          'maven::GitHub Security Advisory Maven': 1, [NPM]: 8, [PYSEC]: 2, 'ubuntu 14.04-ESM': 1,
        });
        assert.equal(summary.tree.skippedRanges, 1, 'the one GIT range of PYSEC-2023-74');
      } finally {
        reader.close();
      }
    });

    test('real bbolt opens the file, finds no problem, and answers trivy lookups the same', async (t) => {
      const missing = goMissing();
      if (missing !== undefined) {
        missingPrerequisite(t, missing);
        return;
      }
      const out = join(work, 'go');
      await exportTrivyDb(store, { out });
      const db = join(out, 'db', 'trivy.db');
      const lookups = [
        { bucket: 'npm::', pkg: 'lodash' }, { bucket: 'debian 7', pkg: 'nginx' }, { bucket: 'pip::', pkg: 'requests' },
        { bucket: 'ubuntu 14.04-ESM', pkg: 'linux' }, { bucket: 'go::', pkg: 'stdlib' }, { bucket: 'cargo::', pkg: 'time' },
        { bucket: 'maven::', pkg: 'org.xwiki.commons:xwiki-commons-core' }, { bucket: 'npm::', pkg: 'left-pad' },
      ];
      const go = goLookup(db, { lookups, vulnerabilities: [...ADVISED_IDS, 'CVE-2023-45853'] });
      assert.deepEqual(go.check, []);
      assert.deepEqual(go.buckets, TOP_BUCKETS);
      const reader = openDb(db);
      try {
        for (const [i, l] of lookups.entries()) assert.deepEqual(go.lookups[i]?.found, trivyLookup(reader, l.bucket, l.pkg), `${l.bucket} ${l.pkg}`);
        assert.deepEqual(Object.keys(go.lookups[0]?.found ?? {}).sort(), ['CVE-2020-8203', 'CVE-2021-23337']);
        assert.deepEqual(go.lookups[7]?.found, {});
        for (const id of ADVISED_IDS) assert.deepEqual(go.vulnerabilities[id], JSON.parse(reader.get(['vulnerability'], id)?.toString() ?? 'null'));
        assert.equal(go.vulnerabilities['CVE-2023-45853'], null);
      } finally {
        reader.close();
      }
    });

    test("vulnerabilities: 'all' also writes ids no bucket names (NVD-only CVEs)", async () => {
      const out = join(work, 'all');
      const summary = await exportTrivyDb(store, { out, vulnerabilities: 'all' });
      const reader = openDb(join(out, 'db', 'trivy.db'));
      try {
        assert.deepEqual([...reader.entries(['vulnerability'])].map((e) => e.key.toString()), [...ADVISED_IDS, 'CVE-2023-45853', 'CVE-2024-6523'].sort());
        assert.equal(summary.tree.vulnerabilities, ADVISED_IDS.length + 2);
        // CVE-2023-45853: only NVD's own metric counts (9.8 CRITICAL, nvd@nist.gov Primary); the
        // secondary 8.8 of another source is left out. Published/lastModified as NVD writes them, in
        // Go's RFC 3339 (".990" → ".99"). URLs as the merge normalizes them (a trailing '/' dropped).
        const description = nvdRecord('CVE-2023/CVE-2023-458xx/CVE-2023-45853.json').descriptions.find((d) => d.lang === 'en')?.value;
        assert.deepEqual(JSON.parse(reader.get(['vulnerability'], 'CVE-2023-45853')?.toString() ?? 'null'), {
          Description: description,
          Severity: 'CRITICAL',
          CweIDs: ['CWE-190'],
          VendorSeverity: { nvd: 4 },
          CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: 9.8 } },
          References: [
            'http://www.openwall.com/lists/oss-security/2023/10/20/9',
            'http://www.openwall.com/lists/oss-security/2024/01/24/10',
            'https://chromium.googlesource.com/chromium/src/+/d709fb23806858847131027da95ef4c548813356',
            'https://chromium.googlesource.com/chromium/src/+/de29dd6c7151d3cd37cb4cf0036800ddfb1d8b61',
            'https://github.com/madler/zlib/blob/ac8f12c97d1afd9bafa9c710f827d40a407d3266/contrib/README.contrib#L1-L4',
            'https://github.com/madler/zlib/pull/843',
            'https://lists.debian.org/debian-lts-announce/2023/11/msg00026.html',
            'https://pypi.org/project/pyminizip/#history',
            'https://security.gentoo.org/glsa/202401-18',
            'https://security.netapp.com/advisory/ntap-20231130-0009',
            'https://www.winimage.com/zLibDll/minizip.html',
          ],
          PublishedDate: '2023-10-14T02:15:09.323Z',
          LastModifiedDate: '2024-08-01T13:44:58.99Z',
        });
        // CVE-2024-6523: NVD v3.1 5.4 primary kept; VulDB's v4.0/v3.1/v2 (secondary) are not NVD's own.
        const zk = JSON.parse(reader.get(['vulnerability'], 'CVE-2024-6523')?.toString() ?? 'null') as Record<string, unknown>;
        assert.deepEqual([zk.Severity, zk.VendorSeverity, zk.CVSS], ['MEDIUM', { nvd: 2 }, { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N', V3Score: 5.4 } }]);
      } finally {
        reader.close();
      }
    });

    test('the same store exports to the same bytes; tar entries have mtime 0; the OCI layout is what trivy pulls', async () => {
      const a = await exportTrivyDb(store, { out: join(work, 'same-a') });
      const b = await exportTrivyDb(store, { out: join(work, 'same-b') });
      assert.deepEqual(a.files, b.files);
      assert.deepEqual(Object.keys(a.files), [
        'db.tar.gz', 'db/metadata.json', 'db/trivy.db', `oci/blobs/sha256/${a.configDigest.slice(7)}`,
        `oci/blobs/sha256/${a.layerDigest.slice(7)}`, `oci/blobs/sha256/${a.manifestDigest.slice(7)}`, 'oci/index.json', 'oci/oci-layout',
      ].sort());
      for (const rel of Object.keys(a.files)) assert.ok(readFileSync(join(work, 'same-a', rel)).equals(readFileSync(join(work, 'same-b', rel))), rel);

      // The clock is the last merge (Go's RFC 3339), NextUpdate a day later.
      const mergedAt = new Date(await store.lastMergeAt() ?? '');
      const metadata = readFileSync(join(work, 'same-a', 'db', 'metadata.json'), 'utf8');
      const updatedAt = mergedAt.toISOString().replace('.000Z', 'Z');
      const nextUpdate = new Date(mergedAt.getTime() + 86_400_000).toISOString().replace('.000Z', 'Z');
      assert.equal(metadata, `{"Version":2,"NextUpdate":"${nextUpdate}","UpdatedAt":"${updatedAt}","DownloadedAt":"0001-01-01T00:00:00Z"}\n`);

      await checkLayout(join(work, 'same-a'), a);
    });

    test('SOURCE_DATE_EPOCH sets the export time', async () => {
      const out = join(work, 'epoch');
      const summary = await exportTrivyDb(store, { out, env: { SOURCE_DATE_EPOCH: '1700000000' } });
      assert.equal(summary.updatedAt, '2023-11-14T22:13:20Z');
      assert.deepEqual(json(join(out, 'db', 'metadata.json')),
        { Version: 2, NextUpdate: '2023-11-15T22:13:20Z', UpdatedAt: '2023-11-14T22:13:20Z', DownloadedAt: '0001-01-01T00:00:00Z' });
      const manifest = json(join(out, 'oci', 'blobs', 'sha256', summary.manifestDigest.slice(7))) as { annotations: Record<string, string> };
      assert.deepEqual(manifest.annotations, { 'org.opencontainers.image.created': '2023-11-14T22:13:20Z' });
      // The same epoch twice: the same artifact.
      const again = await exportTrivyDb(store, { out: join(work, 'epoch-2'), env: { SOURCE_DATE_EPOCH: '1700000000' } });
      assert.equal(again.manifestDigest, summary.manifestDigest);
      await assert.rejects(exportTrivyDb(store, { out: join(work, 'epoch-bad'), env: { SOURCE_DATE_EPOCH: 'yesterday' } }),
        (e: unknown) => isTrivyDbError(e) && e.code === 'BAD_OPTION');
    });

    test('a delta links the files equal to its base and names the base manifest', async () => {
      const base = join(work, 'delta-base');
      const first = await exportTrivyDb(store, { out: base, env: { SOURCE_DATE_EPOCH: '1700000000' } });
      const out = join(work, 'delta');
      const delta = await exportTrivyDb(store, { out, env: { SOURCE_DATE_EPOCH: '1700086400' }, delta: { base } });
      const configBlob = `oci/blobs/sha256/${delta.configDigest.slice(7)}`;
      // The DB and the config blob are unchanged; metadata.json (so db.tar.gz, the layer and the manifest) is new.
      assert.deepEqual(delta.delta, { base, baseManifestDigest: first.manifestDigest, reused: ['db/trivy.db', configBlob] });
      for (const rel of delta.delta?.reused ?? []) assert.equal(statSync(join(out, rel)).ino, statSync(join(base, rel)).ino, `${rel} is a link to the base's`);
      assert.notEqual(statSync(join(out, 'db.tar.gz')).ino, statSync(join(base, 'db.tar.gz')).ino);
      assert.equal((json(join(out, 'db', 'metadata.json')) as { BaseManifestDigest?: string }).BaseManifestDigest, first.manifestDigest);
      const manifest = json(join(out, 'oci', 'blobs', 'sha256', delta.manifestDigest.slice(7))) as { annotations: Record<string, string> };
      assert.equal(manifest.annotations['org.opencontainers.image.base.digest'], first.manifestDigest);
      await checkLayout(out, delta);
      await assert.rejects(exportTrivyDb(store, { out: join(work, 'delta-bad'), delta: { base: join(work, 'no-such-export') } }),
        (e: unknown) => isTrivyDbError(e) && e.code === 'BAD_BASE');
    });

    test('typed errors: a non-empty output, no clock, a merge during the export', async () => {
      const busy = join(work, 'busy');
      await exportTrivyDb(store, { out: busy });
      await assert.rejects(exportTrivyDb(store, { out: busy }), (e: unknown) => isTrivyDbError(e) && e.code === 'OUT_NOT_EMPTY');
      assert.equal(Object.keys((await exportTrivyDb(store, { out: join(work, 'after-busy') })).files).length, 8);

      const empty = await openStore({ url: ':memory:', now: fakeClock() });
      try {
        await assert.rejects(exportTrivyDb(empty, { out: join(work, 'no-clock'), env: {} }), (e: unknown) => isTrivyDbError(e) && e.code === 'NO_CLOCK');
        const summary = await exportTrivyDb(empty, { out: join(work, 'empty'), env: { SOURCE_DATE_EPOCH: '0' } });
        assert.deepEqual([summary.tree.advisories, summary.tree.vulnerabilities], [0, 0]);
        const reader = openDb(join(work, 'empty', 'db', 'trivy.db'));
        assert.deepEqual(reader.bucketNames().map((b) => b.toString()), ['data-source', 'vulnerability']);
        reader.close();
      } finally {
        await empty.close();
      }

      // A merge lands while the export reads (an advisory removed and put back): refused, nothing left behind.
      let raced = false;
      const racing: Store = {
        ...store,
        listAdvisories: async (afterKey, limit) => {
          const page = await store.listAdvisories(afterKey, limit);
          if (!raced) {
            raced = true;
            const stored = await store.getAdvisory('CVE-2014-3616');
            assert.ok(stored !== undefined);
            await store.deleteAdvisories([stored.key]);
            await store.putAdvisory({ key: stored.key, json: stored.json, aliases: stored.aliases });
          }
          return page;
        },
      };
      const raceOut = join(work, 'race');
      await assert.rejects(exportTrivyDb(racing, { out: raceOut }), (e: unknown) => isTrivyDbError(e) && e.code === 'STORE_CHANGED');
      assert.deepEqual(listDir(raceOut), []);
    });
  });
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** What trivy does with the layout: tag "2" → one manifest → one DB layer named db.tar.gz → trivy.db + metadata.json. */
async function checkLayout(out: string, summary: TrivyDbExportSummary): Promise<void> {
  const layout = join(out, 'oci');
  assert.deepEqual(json(join(layout, 'oci-layout')), { imageLayoutVersion: '1.0.0' });
  const index = json(join(layout, 'index.json')) as { schemaVersion: number; mediaType: string; manifests: { mediaType: string; digest: string; size: number; annotations: Record<string, string> }[] };
  assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.equal(index.manifests.length, 1);
  const [descriptor] = index.manifests;
  assert.deepEqual(descriptor?.annotations, { 'org.opencontainers.image.ref.name': '2' });
  assert.equal(descriptor?.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(descriptor?.digest, summary.manifestDigest);
  const blob = (digest: string): Buffer => readFileSync(join(layout, 'blobs', 'sha256', digest.slice(7)));
  const manifestBytes = blob(summary.manifestDigest);
  assert.equal(manifestBytes.length, descriptor?.size);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
    schemaVersion: number; mediaType: string; config: { mediaType: string; digest: string; size: number };
    layers: { mediaType: string; digest: string; size: number; annotations: Record<string, string> }[];
  };
  assert.equal(manifest.schemaVersion, 2);
  assert.deepEqual(manifest.config, { mediaType: 'application/vnd.aquasec.trivy.config.v1+json', digest: summary.configDigest, size: 2 });
  assert.equal(blob(summary.configDigest).toString(), '{}');
  assert.equal(manifest.layers.length, 1);
  const [layer] = manifest.layers;
  assert.equal(layer?.mediaType, 'application/vnd.aquasec.trivy.db.layer.v1.tar+gzip');
  assert.deepEqual(layer?.annotations, { 'org.opencontainers.image.title': 'db.tar.gz' });
  const layerBytes = blob(summary.layerDigest);
  assert.equal(layer?.digest, summary.layerDigest);
  assert.equal(layerBytes.length, layer?.size);
  assert.ok(layerBytes.equals(readFileSync(join(out, 'db.tar.gz'))));
  for (const [rel, file] of Object.entries(summary.files)) {
    if (rel.startsWith('oci/blobs/sha256/')) assert.equal(rel.slice('oci/blobs/sha256/'.length), file.sha256, `${rel} is named by its digest`);
  }
  // gzip header: no name, mtime 0.
  assert.deepEqual([...layerBytes.subarray(0, 4)], [0x1f, 0x8b, 8, 0]);
  assert.equal(layerBytes.readUInt32LE(4), 0);
  const entries = await readTarGz(layerBytes);
  assert.deepEqual(entries.map((e) => e.header.name), ['trivy.db', 'metadata.json']);
  for (const entry of entries) {
    assert.equal(entry.header.mtime?.getTime(), 0, `${entry.header.name} mtime`);
    assert.deepEqual([entry.header.uid, entry.header.gid, entry.header.mode, entry.header.uname, entry.header.gname, entry.header.type],
      [0, 0, 0o644, '', '', 'file']);
    assert.ok(entry.body.equals(readFileSync(join(out, 'db', entry.header.name))), `${entry.header.name} is the db/ file`);
  }
}

await forEachDialect('trivy db export', (name, factory) => suite(name, factory));

describe('trivy db export output path', () => {
  test('an output path that is a file is refused with a typed error', async () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'file');
      writeFileSync(file, 'x');
      const store = await openStore({ url: ':memory:', now: fakeClock() });
      try {
        await assert.rejects(exportTrivyDb(store, { out: file, env: { SOURCE_DATE_EPOCH: '0' } }), (e: unknown) => isTrivyDbError(e) && e.code === 'BAD_OPTION');
        assert.equal(readFileSync(file, 'utf8'), 'x');
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
