import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isStellaError } from '../common/index.js';
import { scoreVector } from '../cvss/index.js';
import { formatVers, getScheme, osvRangeToVers, schemeForOsvEcosystem, type OsvRange } from '../versions/index.js';
import { mergeAll, mergeGroup, normalizeUrl } from './merge.js';
import type { AffectedPackage, CpeNode, Provenance, SeverityRating, SourceAdvisory } from './model.js';
import { canonicalJson, normalizePackageName, normalizeTimestamp } from './normalize.js';
import { shuffle } from '../../test/support/shuffle.js';

/*
 * The SourceAdvisory views below are mapped BY HAND from real records in ./testdata (see SOURCE):
 * the GHSA OSV record for lodash CVE-2020-8203, NVD's record of the same CVE, NVD's records of
 * the two redis CVEs and Debian's DSA-4480-1. Every recordedAt is SYNTHETIC (a fixed test time);
 * documentSha256 is the SHA-256 of the testdata file the view was mapped from. Records marked
 * SYNTHETIC are made up for a scenario and say so.
 */

const RECORDED_AT = '2024-06-01T00:00:00Z'; // SYNTHETIC fetch time

function testdata(name: string): Buffer {
  return readFileSync(new URL(`./testdata/${name}`, import.meta.url));
}

function provenanceOf(source: string, documentId: string, bytes: Buffer): Provenance {
  return { source, documentId, documentSha256: createHash('sha256').update(bytes).digest('hex'), recordedAt: RECORDED_AT };
}

function rating(source: string, vector: string, provenance: Provenance, assigner?: string): SeverityRating {
  const result = scoreVector(vector);
  const type = result.version === '2.0' ? 'CVSS_V2' : result.version === '4.0' ? 'CVSS_V4' : 'CVSS_V3';
  return { source, type, vector, score: result.baseScore, severity: result.baseSeverity, ...(assigner ? { assigner } : {}), provenance };
}

interface OsvDoc {
  id: string; modified: string; published: string; aliases: string[]; summary: string; details: string;
  severity: { type: string; score: string }[];
  affected: { package: { ecosystem: string; name: string }; ecosystem_specific?: unknown; ranges: OsvRange[] }[];
  references: { type: string; url: string }[];
  database_specific: { cwe_ids: string[] };
}

/** The OSV-from-GHSA view of GHSA-p6mc-m468-83gw (github/advisory-database, real). */
function ghsaView(): SourceAdvisory {
  const bytes = testdata('GHSA-p6mc-m468-83gw.json');
  const doc = JSON.parse(bytes.toString('utf8')) as OsvDoc;
  const provenance = provenanceOf('ghsa', doc.id, bytes);
  const affected = doc.affected.map((a): AffectedPackage => {
    const scheme = getScheme(schemeForOsvEcosystem(a.package.ecosystem) ?? 'npm');
    return {
      ecosystem: a.package.ecosystem, name: a.package.name,
      normalizedName: normalizePackageName(a.package.ecosystem, a.package.name),
      ranges: a.ranges.map((r) => ({
        vers: formatVers(osvRangeToVers(r, scheme), scheme),
        original: { kind: `osv:${r.type}`, expression: canonicalJson(r.events) },
      })),
      versions: [],
      fixedVersions: a.ranges.flatMap((r) => r.events.flatMap((e) => (e.fixed === undefined ? [] : [e.fixed]))),
      status: 'affected', origin: 'ghsa', sourceId: doc.id, provenance,
      ...(a.ecosystem_specific === undefined ? {} : { extra: canonicalJson(a.ecosystem_specific) }),
    };
  });
  return {
    source: 'ghsa', id: doc.id, aliases: doc.aliases, upstream: [], related: [],
    summary: doc.summary, details: doc.details,
    published: normalizeTimestamp(doc.published), modified: normalizeTimestamp(doc.modified),
    severities: doc.severity.map((s) => rating('ghsa', s.score, provenance)),
    cwes: doc.database_specific.cwe_ids, references: doc.references, affected, cpeConfigurations: [],
    sourceClass: 'ghsa', provenance,
  };
}

interface NvdMetric { source: string; type: string; cvssData: { vectorString: string } }
interface NvdDoc {
  id: string; published: string; lastModified: string;
  descriptions: { lang: string; value: string }[];
  metrics: Record<string, NvdMetric[]>;
  weaknesses: { description: { value: string }[] }[];
  configurations?: { nodes: CpeNode[] }[];
  references?: { url: string; tags?: string[] }[];
}

/** An NVD view (NVD CVE API 2.0 record, real); the reference type is NVD's first tag. */
function nvdView(doc: NvdDoc, bytes: Buffer): SourceAdvisory {
  const provenance = provenanceOf('nvd', doc.id, bytes);
  return {
    source: 'nvd', id: doc.id, aliases: [], upstream: [], related: [],
    details: doc.descriptions.find((d) => d.lang === 'en')?.value,
    published: normalizeTimestamp(doc.published), modified: normalizeTimestamp(doc.lastModified),
    severities: Object.values(doc.metrics).flat()
      .map((m) => rating('nvd', m.cvssData.vectorString, provenance, `${m.source} ${m.type}`)),
    cwes: doc.weaknesses.flatMap((w) => w.description.map((d) => d.value)),
    references: (doc.references ?? []).map((r) => ({ url: r.url, type: r.tags?.[0] ?? 'WEB' })),
    affected: [],
    cpeConfigurations: (doc.configurations ?? []).map((c) => ({ nodes: c.nodes, provenance })),
    sourceClass: 'nvd', provenance,
  };
}

function nvdLodash(): SourceAdvisory {
  const bytes = testdata('nvd-CVE-2020-8203.trimmed.json');
  return nvdView(JSON.parse(bytes.toString('utf8')) as NvdDoc, bytes);
}

function nvdRedis(): SourceAdvisory[] {
  const bytes = testdata('nvd-redis-CVE-2019-10192-10193.trimmed.json');
  return (JSON.parse(bytes.toString('utf8')) as NvdDoc[]).map((doc) => nvdView(doc, bytes));
}

const DEBIAN_RELEASES: Readonly<Record<string, string>> = { stretch: '9', buster: '10' };

/** DSA-4480-1 from Debian's data/DSA/list (real), mapped by hand: one entry per release line. */
function dsaView(): SourceAdvisory {
  const bytes = testdata('debian-DSA-list-sample.txt');
  const [head = '', cves = '', ...lines] = bytes.toString('utf8').split('\n').map((l) => l.trim());
  const m = /^\[(\d+ \w+ \d{4})\] (DSA-\S+) (\S+) - (.*)$/.exec(head);
  assert.ok(m, 'DSA header');
  const [, date = '', id = '', pkg = '', title = ''] = m;
  const provenance = provenanceOf('debian', id, bytes);
  const scheme = getScheme('deb');
  const affected = lines.filter((l) => l !== '').map((line): AffectedPackage => {
    const [, codename = '', name = '', fixed = ''] = /^\[(\w+)\] - (\S+) (\S+)$/.exec(line) ?? [];
    return {
      ecosystem: 'Debian', release: DEBIAN_RELEASES[codename], name, normalizedName: name,
      ranges: [{ vers: formatVers(osvRangeToVers({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }, scheme), scheme),
        original: { kind: 'debian:dsa', expression: line } }],
      versions: [], fixedVersions: [fixed], status: 'affected', origin: 'distro', sourceId: id, provenance,
    };
  });
  return {
    source: 'debian', id, aliases: [], upstream: cves.replace(/[{}]/g, '').split(' '), related: [],
    summary: `${pkg} - ${title}`, published: normalizeTimestamp(new Date(`${date} UTC`).toISOString()),
    severities: [], cwes: [], references: [], affected, cpeConfigurations: [], sourceClass: 'distro', provenance,
  };
}

const SYNTHETIC_PROVENANCE: Provenance = {
  source: 'synthetic', documentId: 'synthetic', documentSha256: '0'.repeat(64), recordedAt: RECORDED_AT,
};

/** SYNTHETIC: a package entry for a scenario, copying shape and values from a real entry. */
function entryLike(base: AffectedPackage, changes: Partial<AffectedPackage>): AffectedPackage {
  return { ...base, ...changes };
}

function byKey<T extends { readonly key: string }>(advisories: readonly T[], key: string): T {
  const found = advisories.find((a) => a.key === key);
  assert.ok(found, `advisory ${key}`);
  return found;
}

describe('mergeAll on real lodash records (GHSA OSV + NVD, CVE-2020-8203)', () => {
  const ghsa = ghsaView();
  const nvd = nvdLodash();
  const [advisory, ...rest] = mergeAll([nvd, ghsa]);
  assert.ok(advisory);

  it('gives one advisory keyed by the CVE, the GHSA id as alias', () => {
    assert.equal(rest.length, 0);
    assert.equal(advisory.key, 'CVE-2020-8203');
    assert.deepEqual(advisory.aliases, ['GHSA-p6mc-m468-83gw']);
    assert.deepEqual(advisory.related, []);
    assert.deepEqual(advisory.sources.map((s) => [s.source, s.id, s.modified]), [
      ['ghsa', 'GHSA-p6mc-m468-83gw', '2022-02-08T22:04:28Z'],
      ['nvd', 'CVE-2020-8203', '2024-01-21T02:37:13.193Z'],
    ]);
  });

  it('takes summary and details from GHSA, not NVD, with GHSA provenance', () => {
    assert.deepEqual(advisory.summary, { value: 'Prototype Pollution in lodash', provenance: ghsa.provenance });
    assert.equal(advisory.details?.value, ghsa.details);
    assert.deepEqual(advisory.details?.provenance, ghsa.provenance);
  });

  it('takes the earliest published and the latest modified, each with its record', () => {
    assert.deepEqual(advisory.published, { value: '2020-07-15T17:15:11.797Z', provenance: nvd.provenance });
    assert.deepEqual(advisory.modified, { value: '2024-01-21T02:37:13.193Z', provenance: nvd.provenance });
    assert.equal(advisory.withdrawn, undefined);
  });

  it('keeps every rating, NVD CVSS included, sorted by source and type', () => {
    assert.deepEqual(advisory.severities.map((s) => [s.source, s.type, s.vector, s.score, s.assigner]), [
      ['ghsa', 'CVSS_V3', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', 7.4, undefined],
      ['nvd', 'CVSS_V2', 'AV:N/AC:M/Au:N/C:N/I:P/A:P', 5.8, 'nvd@nist.gov Primary'],
      ['nvd', 'CVSS_V3', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', 7.4, 'nvd@nist.gov Primary'],
    ]);
    assert.deepEqual(advisory.severities[2]?.provenance, nvd.provenance);
  });

  it('unites CWEs and references with every record that gives them', () => {
    assert.deepEqual(advisory.cwes, [
      { id: 'CWE-770', provenance: [ghsa.provenance, nvd.provenance] },
      { id: 'CWE-1321', provenance: [ghsa.provenance, nvd.provenance] },
    ]);
    assert.equal(advisory.references.length, 13);
    const netapp = advisory.references.find((r) => r.url.startsWith('https://security.netapp.com/'));
    assert.deepEqual(netapp, {
      url: 'https://security.netapp.com/advisory/ntap-20200724-0006', type: 'WEB',
      provenance: [ghsa.provenance, nvd.provenance],
    });
    const hackerone = advisory.references.find((r) => r.url === 'https://hackerone.com/reports/712065');
    assert.equal(hackerone?.type, 'WEB', 'the GHSA type wins over NVD\'s "Exploit" tag');
    assert.ok(advisory.references.some((r) => r.url === 'https://www.oracle.com//security-alerts/cpujul2021.html'));
    const urls = advisory.references.map((r) => r.url);
    assert.deepEqual(urls, [...urls].sort());
  });

  it('keeps GHSA package entries and NVD CPE configurations', () => {
    assert.deepEqual(advisory.affected.map((a) => [a.ecosystem, a.normalizedName, a.ranges[0]?.vers, a.origin]), [
      ['npm', 'lodash', 'vers:npm/<4.17.20', 'ghsa'],
      ['npm', 'lodash-es', 'vers:npm/<4.17.20', 'ghsa'],
    ]);
    assert.equal(advisory.cpeConfigurations.length, 1);
    assert.equal(advisory.cpeConfigurations[0]?.nodes[0]?.cpeMatch[0]?.criteria, 'cpe:2.3:a:lodash:lodash:*:*:*:*:*:node.js:*:*');
    assert.deepEqual(advisory.cpeConfigurations[0]?.provenance, nvd.provenance);
  });

  it('lets NVD fill the scalars when no other record has them', () => {
    const alone = mergeGroup([nvd]);
    assert.deepEqual(alone.details, {
      value: 'Prototype pollution attack when using _.zipObjectDeep in lodash before 4.17.20.', provenance: nvd.provenance,
    });
    assert.equal(alone.summary, undefined);
  });
});

describe('affected precedence', () => {
  const ghsa = ghsaView();
  const lodash = ghsa.affected.find((a) => a.name === 'lodash');
  assert.ok(lodash);
  // SYNTHETIC: a distro-class record giving the same package key (npm/lodash) with another fix.
  const distro: SourceAdvisory = {
    ...ghsa, source: 'synthetic-distro', id: 'SYNTH-2020-8203', aliases: ['CVE-2020-8203'], sourceClass: 'distro',
    summary: undefined, details: undefined, severities: [], cwes: [], references: [], provenance: SYNTHETIC_PROVENANCE,
    affected: [entryLike(lodash, { fixedVersions: ['4.17.19'], origin: 'distro', sourceId: 'SYNTH-2020-8203', provenance: SYNTHETIC_PROVENANCE })],
  };
  // SYNTHETIC entries on the real NVD view: npm/lodash (a key GHSA has) and a CPE-derived key only NVD has.
  const nvdBase = nvdLodash();
  const nvd: SourceAdvisory = {
    ...nvdBase,
    affected: [
      entryLike(lodash, { origin: 'nvd', sourceId: 'CVE-2020-8203', provenance: nvdBase.provenance, extra: undefined }),
      entryLike(lodash, { ecosystem: 'CPE', name: 'lodash:lodash', normalizedName: 'lodash:lodash', origin: 'nvd',
        sourceId: 'CVE-2020-8203', provenance: nvdBase.provenance, extra: undefined }),
    ],
  };

  it('a distro entry beats a GHSA entry for the same key; an NVD-only key is kept', () => {
    const advisory = mergeGroup([ghsa, nvd, distro]);
    assert.deepEqual(advisory.affected.map((a) => [a.ecosystem, a.normalizedName, a.origin, a.fixedVersions]), [
      ['CPE', 'lodash:lodash', 'nvd', ['4.17.20']],
      ['npm', 'lodash', 'distro', ['4.17.19']],
      ['npm', 'lodash-es', 'ghsa', ['4.17.20']],
    ]);
  });

  it('follows configured tiers for affected, but NVD still only fills scalars nobody else has', () => {
    const advisory = mergeGroup([ghsa, nvd, distro], { precedence: [['nvd'], ['ghsa', 'osv'], ['distro']] });
    assert.deepEqual(advisory.affected.map((a) => [a.normalizedName, a.origin]), [
      ['lodash:lodash', 'nvd'], ['lodash', 'nvd'], ['lodash-es', 'ghsa'],
    ]);
    assert.deepEqual(advisory.summary?.provenance, ghsa.provenance);
    assert.deepEqual(advisory.details?.provenance, ghsa.provenance);
  });

  it('within a tier keeps the entries of the most recently modified record (ties: source)', () => {
    // SYNTHETIC: osv.dev's copy of the GHSA record, with a later `modified` and a different fix.
    const osvProvenance = { ...SYNTHETIC_PROVENANCE, source: 'osv' };
    const osv = (modified: string): SourceAdvisory => ({
      ...ghsa, source: 'osv', sourceClass: 'osv', modified, provenance: osvProvenance,
      affected: [entryLike(lodash, { origin: 'osv', fixedVersions: ['4.17.21'], provenance: osvProvenance })],
    });
    const newer = mergeGroup([osv('2023-01-01T00:00:00Z'), ghsa]);
    assert.deepEqual(newer.affected.map((a) => [a.normalizedName, a.origin, a.fixedVersions]), [
      ['lodash', 'osv', ['4.17.21']], ['lodash-es', 'ghsa', ['4.17.20']],
    ]);
    const tie = mergeGroup([osv(ghsa.modified ?? ''), ghsa]);
    assert.deepEqual(tie.affected.map((a) => a.origin), ['ghsa', 'ghsa']);
  });
});

describe('withdrawn records', () => {
  const WITHDRAWN = '2023-03-01T00:00:00Z'; // SYNTHETIC withdrawal times
  const LATER = '2023-04-01T00:00:00Z';

  it('give ids and appear in sources, but no content, while another record is live', () => {
    const ghsa = { ...ghsaView(), withdrawn: WITHDRAWN };
    const nvd = nvdLodash();
    const advisory = mergeGroup([ghsa, nvd]);
    assert.equal(advisory.withdrawn, undefined);
    assert.deepEqual(advisory.aliases, ['GHSA-p6mc-m468-83gw']);
    assert.deepEqual(advisory.sources.map((s) => [s.id, s.withdrawn]), [['GHSA-p6mc-m468-83gw', WITHDRAWN], ['CVE-2020-8203', undefined]]);
    assert.equal(advisory.summary, undefined);
    assert.deepEqual(advisory.details?.provenance, nvd.provenance);
    assert.deepEqual(advisory.affected, []);
    assert.ok(advisory.severities.every((s) => s.source === 'nvd'));
    assert.ok(advisory.cwes.every((c) => c.provenance.length === 1 && c.provenance[0]?.source === 'nvd'));
    assert.equal(advisory.references.length, 8);
    assert.deepEqual(advisory.published?.provenance, nvd.provenance);
  });

  it('withdraw the advisory when every record is withdrawn, keeping the history', () => {
    const ghsa = { ...ghsaView(), withdrawn: LATER };
    const nvd = { ...nvdLodash(), withdrawn: WITHDRAWN };
    const advisory = mergeGroup([nvd, ghsa]);
    assert.deepEqual(advisory.withdrawn, { value: LATER, provenance: ghsa.provenance });
    assert.equal(advisory.summary?.value, 'Prototype Pollution in lodash');
    assert.equal(advisory.affected.length, 2);
    assert.equal(advisory.severities.length, 3);
  });
});

describe('multi-upstream fan-out (DSA-4480-1 and NVD redis records, real)', () => {
  const dsa = dsaView();
  const [cve1, cve2] = nvdRedis();
  assert.ok(cve1 && cve2);

  it('offers the DSA entries to each CVE advisory and keeps the DSA as its own advisory', () => {
    const advisories = mergeAll([dsa, cve2, cve1]);
    assert.deepEqual(advisories.map((a) => a.key), ['CVE-2019-10192', 'CVE-2019-10193', 'DSA-4480-1']);
    for (const key of ['CVE-2019-10192', 'CVE-2019-10193']) {
      const advisory = byKey(advisories, key);
      assert.deepEqual(advisory.aliases, [], 'a DSA fixing two CVEs must not fuse them');
      assert.deepEqual(advisory.sources.map((s) => s.id), [key]);
      assert.deepEqual(advisory.affected.map((a) => [a.release, a.name, a.fixedVersions[0], a.sourceId, a.provenance]), [
        ['10', 'redis', '5:5.0.3-4+deb10u1', 'DSA-4480-1', dsa.provenance],
        ['9', 'redis', '3:3.2.6-3+deb9u3', 'DSA-4480-1', dsa.provenance],
      ]);
    }
    const own = byKey(advisories, 'DSA-4480-1');
    assert.deepEqual(own.related, ['CVE-2019-10192', 'CVE-2019-10193']);
    assert.equal(own.affected.length, 2);
    assert.deepEqual(own.summary?.value, 'redis - security update');
  });

  it('mergeGroup takes the fan-out records as an argument, and gives the same result as mergeAll', () => {
    const viaAll = byKey(mergeAll([dsa, cve1, cve2]), 'CVE-2019-10193');
    assert.equal(canonicalJson(mergeGroup([cve2], undefined, [dsa, cve1])), canonicalJson(viaAll));
    assert.deepEqual(mergeGroup([cve2], undefined, [{ ...dsa, withdrawn: '2020-01-01T00:00:00Z' }]).affected, []); // SYNTHETIC withdrawal
  });

  it('creates no advisory for an upstream id no record names, and does not fan out when withdrawn', () => {
    assert.deepEqual(mergeAll([dsa, cve1]).map((a) => [a.key, a.affected.length]), [['CVE-2019-10192', 2], ['DSA-4480-1', 2]]);
    const withdrawn = { ...dsa, withdrawn: '2020-01-01T00:00:00Z' }; // SYNTHETIC withdrawal
    assert.deepEqual(mergeAll([withdrawn, cve1]).map((a) => [a.key, a.affected.length]), [['CVE-2019-10192', 0], ['DSA-4480-1', 2]]);
  });

  it('joins a single-upstream record, whose newer entry beats the fanned-out one', () => {
    const buster = dsa.affected.find((a) => a.release === '10');
    assert.ok(buster);
    // SYNTHETIC: an OSV DEBIAN-CVE record for CVE-2019-10192 (single upstream), newer than the DSA.
    const debianCve: SourceAdvisory = {
      ...dsa, source: 'osv', id: 'DEBIAN-CVE-2019-10192', upstream: ['CVE-2019-10192'], summary: undefined,
      modified: '2024-01-01T00:00:00Z', provenance: SYNTHETIC_PROVENANCE,
      affected: [entryLike(buster, { fixedVersions: ['5:5.0.3-4+deb10u2'], sourceId: 'DEBIAN-CVE-2019-10192', provenance: SYNTHETIC_PROVENANCE })],
    };
    const advisory = byKey(mergeAll([dsa, cve1, debianCve]), 'CVE-2019-10192');
    assert.deepEqual(advisory.aliases, ['DEBIAN-CVE-2019-10192']);
    assert.deepEqual(advisory.affected.map((a) => [a.release, a.sourceId, a.fixedVersions[0]]), [
      ['10', 'DEBIAN-CVE-2019-10192', '5:5.0.3-4+deb10u2'],
      ['9', 'DSA-4480-1', '3:3.2.6-3+deb9u3'],
    ]);
  });
});


/** The same record with every order-free list shuffled (ranges and fixedVersions keep their order). */
function shuffleLists(record: SourceAdvisory, seed: number): SourceAdvisory {
  return {
    ...record, aliases: shuffle(record.aliases, seed), upstream: shuffle(record.upstream, seed + 1),
    severities: shuffle(record.severities, seed + 2), cwes: shuffle(record.cwes, seed + 3),
    references: shuffle(record.references, seed + 4), affected: shuffle(record.affected, seed + 5),
    cpeConfigurations: shuffle(record.cpeConfigurations, seed + 6),
  };
}

describe('determinism', () => {
  it('gives byte-identical output for every input order', () => {
    const records = [ghsaView(), nvdLodash(), dsaView(), ...nvdRedis(), { ...ghsaView(), source: 'osv', sourceClass: 'osv' as const }];
    const expected = canonicalJson(mergeAll(records));
    for (let seed = 1; seed <= 30; seed++) {
      const input = shuffle(records, seed).map((r, i) => shuffleLists(r, seed * 100 + i));
      assert.equal(canonicalJson(mergeAll(input)), expected, `seed ${seed}`);
    }
  });

  it('normalizes reference URLs only by trimming and a trailing slash after a path', () => {
    assert.equal(normalizeUrl(' https://security.netapp.com/advisory/ntap-20200724-0006/ '), 'https://security.netapp.com/advisory/ntap-20200724-0006');
    assert.equal(normalizeUrl('https://github.com/'), 'https://github.com/');
    assert.equal(normalizeUrl('https://www.oracle.com//security-alerts/cpujul2021.html'), 'https://www.oracle.com//security-alerts/cpujul2021.html');
    assert.equal(normalizeUrl('https://example.org/?next=/'), 'https://example.org/?next=/');
  });

  it('refuses an empty group with a typed error', () => {
    assert.throws(() => mergeGroup([]), (e: unknown) => isStellaError(e) && e.code === 'empty-group');
  });
});

describe('scale (SYNTHETIC records)', () => {
  it('merges 20,000 records into the right components', () => {
    // SYNTHETIC: per vulnerability i, an NVD record, a GHSA aliasing the CVE, a PYSEC aliasing the
    // GHSA (transitive) and a DSA naming CVE i and CVE i+1 (fan-out, never fused).
    const n = 5000;
    const base = ghsaView();
    const entry = base.affected[0];
    assert.ok(entry);
    const records: SourceAdvisory[] = [];
    for (let i = 0; i < n; i++) {
      const cve = `CVE-2024-${i + 1}`;
      const ghsa = `GHSA-${i.toString(36).padStart(4, '0')}-syn-0000`;
      const common = { ...base, related: [], cpeConfigurations: [], references: [], cwes: [], severities: [] };
      records.push({ ...common, source: 'nvd', id: cve, aliases: [], sourceClass: 'nvd', affected: [] });
      records.push({ ...common, source: 'ghsa', id: ghsa, aliases: [cve], affected: [entryLike(entry, { sourceId: ghsa })] });
      records.push({ ...common, source: 'osv', id: `PYSEC-2024-${i}`, aliases: [ghsa], sourceClass: 'osv', affected: [] });
      records.push({
        ...common, source: 'debian', id: `DSA-${i + 1}-1`, aliases: [], upstream: [cve, `CVE-2024-${i + 2}`], sourceClass: 'distro',
        affected: [entryLike(entry, { ecosystem: 'Debian', release: '12', name: `pkg${i}`, normalizedName: `pkg${i}`, origin: 'distro', sourceId: `DSA-${i + 1}-1` })],
      });
    }
    const advisories = mergeAll(shuffle(records, 7));
    assert.equal(advisories.length, 2 * n);
    assert.deepEqual(advisories.slice(0, 3).map((a) => a.key), ['CVE-2024-1', 'CVE-2024-2', 'CVE-2024-3']);
    const middle = byKey(advisories, 'CVE-2024-2500');
    assert.deepEqual(middle.aliases, ['GHSA-01xf-syn-0000', 'PYSEC-2024-2499']);
    assert.deepEqual(middle.affected.map((a) => [a.ecosystem, a.sourceId]), [
      ['Debian', 'DSA-2499-1'], ['Debian', 'DSA-2500-1'], ['npm', 'GHSA-01xf-syn-0000'],
    ]);
    assert.equal(advisories.filter((a) => a.key.startsWith('DSA-')).length, n);
  });
});
