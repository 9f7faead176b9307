import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateSbom } from '../../test/support/sbom-schemas.js';
import { shuffle } from '../../test/support/shuffle.js';
import type { Finding } from '../match/index.js';
import { analysisOf } from './cyclonedx-vex.js';
import { ReportError, writeReport } from './index.js';
import { antFinding, PACKAGES, puttyFinding, syntheticFindings, syntheticInput } from './testing.js';

// Inputs are SYNTHETIC findings built from real GHSA, NVD and Debian records (see testing.ts).

type Json = Record<string, unknown>;
interface Vulnerability {
  'bom-ref': string; id: string; source: { name: string; url: string }; references?: Array<{ id: string; source: { name: string; url: string } }>;
  ratings: Array<{ source: { name: string }; score?: number; severity: string; method: string; vector?: string }>;
  cwes?: number[]; description?: string; recommendation?: string; published?: string; updated?: string;
  affects: Array<{ ref: string; versions: Array<{ version: string; status: string }> }>;
  analysis?: { state?: string; justification?: string; detail?: string };
}

function bom(input = syntheticInput()): { doc: Json; vulns: Vulnerability[]; text: string } {
  const text = writeReport('cyclonedx', input);
  const doc = JSON.parse(text) as Json;
  return { doc, vulns: (doc.vulnerabilities ?? []) as Vulnerability[], text };
}

async function assertValid(text: string): Promise<void> {
  const verdict = await validateSbom('cyclonedx-1.6', text);
  assert.deepEqual(verdict.errors, [], `validated by ${verdict.validators.join(', ')}`);
}

describe('cyclonedx report', () => {
  test('validates against CycloneDX 1.6 and keeps the SBOM components', async () => {
    const { doc, text } = bom();
    await assertValid(text);
    assert.equal(doc.specVersion, '1.6');
    const purls = ((doc.components ?? []) as Array<{ purl?: string }>).map((c) => c.purl).filter((p) => p !== undefined);
    assert.deepEqual(new Set(purls), new Set(Object.values(PACKAGES).map((p) => p.purl)));
  });

  test('one vulnerability per id; affects point at the components by bom-ref', () => {
    const { doc, vulns } = bom();
    assert.deepEqual(vulns.map((v) => v.id), ['CVE-2020-8203', 'CVE-2021-36367', 'CVE-2021-36373', 'CVE-2023-45853']);
    const refs = new Map(((doc.components ?? []) as Array<{ 'bom-ref': string; purl?: string }>).map((c) => [c['bom-ref'], c.purl]));
    const lodash = vulns[0] as Vulnerability;
    assert.deepEqual(lodash.affects.map((a) => refs.get(a.ref)), [PACKAGES.lodashEs.purl, PACKAGES.lodash.purl]);
    assert.deepEqual(lodash.affects[0]?.versions, [{ version: '4.17.15', status: 'affected' }]);
    const zlib = vulns.find((v) => v.id === 'CVE-2023-45853');
    assert.deepEqual(zlib?.affects[0]?.versions, [{ version: '1:1.2.11.dfsg-2+deb11u2', status: 'unknown' }], 'an unevaluated range is unknown');
  });

  test('source, alias references, ratings, CWEs, dates and recommendation', () => {
    const lodash = bom().vulns[0] as Vulnerability;
    assert.deepEqual(lodash.source, { name: 'GitHub Advisories', url: 'https://github.com/advisories/GHSA-p6mc-m468-83gw' });
    assert.deepEqual(lodash.references, [{ id: 'GHSA-p6mc-m468-83gw', source: { name: 'GitHub Advisories', url: 'https://github.com/advisories/GHSA-p6mc-m468-83gw' } }]);
    assert.deepEqual(lodash.ratings, [{ source: { name: 'GitHub Advisories' }, score: 7.4, severity: 'high', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H' }]);
    assert.deepEqual(lodash.cwes, [770, 1321]);
    assert.equal(lodash.published, '2020-07-15T19:15:48Z');
    assert.equal(lodash.updated, '2022-02-08T22:04:28Z');
    assert.equal(lodash.recommendation, 'Upgrade lodash to 4.17.20. Upgrade lodash-es to 4.17.20.');
    const putty = bom().vulns.find((v) => v.id === 'CVE-2021-36367');
    assert.deepEqual(putty?.ratings, [{ source: { name: 'Debian Security Tracker' }, severity: 'low', method: 'other' }]);
    assert.equal(putty?.recommendation, undefined, 'no fix in this release, no recommendation');
    const zlib = bom().vulns.find((v) => v.id === 'CVE-2023-45853');
    assert.deepEqual(zlib?.ratings.map((r) => [r.score, r.severity, r.method]), [[9.8, 'critical', 'CVSSv31'], [8.8, 'high', 'CVSSv31']]);
  });

  test('suppressed findings carry their analysis', () => {
    const ant = bom().vulns.find((v) => v.id === 'CVE-2021-36373');
    assert.deepEqual(ant?.analysis, {
      state: 'not_affected', justification: 'code_not_reachable',
      detail: 'The ant CLI is only run at build time (synthetic statement)\nVEX statement: https://example.com/vex/app-1.0#ant',
    });
    for (const v of bom().vulns.filter((x) => x.id !== 'CVE-2021-36373')) assert.equal(v.analysis, undefined);
  });

  test('the same id kept for one package and suppressed for another gives two entries', async () => {
    const [lodash, lodashEs] = syntheticFindings() as [Finding, Finding];
    const input = syntheticInput({ findings: [lodash], suppressed: [{ finding: lodashEs, reason: 'ignore-file', statement: 'not shipped' }] });
    const { vulns, text } = bom(input);
    await assertValid(text);
    assert.deepEqual(vulns.map((v) => [v['bom-ref'], v.analysis?.detail]), [
      ['vulnerability:CVE-2020-8203', undefined],
      ['vulnerability:CVE-2020-8203:1', 'Suppressed by the ignore file: not shipped'],
    ]);
  });

  test('VEX statuses and justifications map to CycloneDX analysis values', () => {
    const finding = antFinding();
    assert.deepEqual(analysisOf({ finding, reason: 'vex', vexStatus: 'fixed' }), { state: 'resolved' });
    assert.deepEqual(analysisOf({ finding, reason: 'vex', vexStatus: 'not_affected', justification: 'component_not_present' }), { state: 'not_affected', justification: 'code_not_present' });
    assert.deepEqual(analysisOf({ finding, reason: 'vex', vexStatus: 'not_affected', justification: 'inline_mitigations_already_exist' }), { state: 'not_affected', justification: 'protected_by_mitigating_control' });
    assert.deepEqual(
      analysisOf({ finding, reason: 'vex', vexStatus: 'not_affected', justification: 'vulnerable_code_cannot_be_controlled_by_adversary' }),
      { state: 'not_affected', detail: 'OpenVEX justification: vulnerable_code_cannot_be_controlled_by_adversary' },
      'no CycloneDX equivalent: kept in detail, not guessed',
    );
    assert.deepEqual(analysisOf({ finding, reason: 'ignore-file' }), { detail: 'Suppressed by the ignore file' });
  });

  test('a finding for a package missing from the inventory is an error', () => {
    const stray: Finding = { ...puttyFinding(), package: { ...puttyFinding().package, purl: 'pkg:deb/debian/putty-tools@0.74-1?distro=debian-11' } };
    assert.throws(() => writeReport('cyclonedx', syntheticInput({ findings: [stray] })), (e: unknown) => e instanceof ReportError && e.code === 'unknown-package');
  });

  test('deterministic: same input same bytes; other findings another serial number', async () => {
    const first = bom().text;
    assert.equal(bom(syntheticInput({ findings: shuffle(syntheticFindings(), 7) })).text, first);
    const fewer = bom(syntheticInput({ findings: [puttyFinding()], suppressed: [] }));
    await assertValid(fewer.text);
    assert.notEqual(fewer.doc.serialNumber, (JSON.parse(first) as Json).serialNumber);
    const none = bom(syntheticInput({ findings: [], suppressed: [] }));
    await assertValid(none.text);
    assert.equal(none.doc.vulnerabilities, undefined);
  });
});
