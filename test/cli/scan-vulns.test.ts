import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateSarif } from '../../src/report/testing.js';
import { validateSbom } from '../support/sbom-schemas.js';
import { stella } from './harness.js';

/*
 * `stella scan` finding vulnerabilities in the shipped sample image (samples/image: Debian 7 nginx,
 * npm packages, a Cargo.lock, and a legacy app whited out in the top layer) against the shipped
 * real advisory snapshot (samples/advisories), through every report format and filter, from an
 * offline snapshot, from the store, and from an SBOM.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const IMAGE = `docker-archive:${join(ROOT, 'samples', 'sample-image.tar')}`;
const SNAPSHOT = join(ROOT, 'samples', 'advisories');

interface JsonReport {
  schemaVersion: number;
  findings: { id: string; aliases: string[]; status: string; severity: string; installedVersion: string; fixedVersions: string[]; package: { name: string; location: string } }[];
  suppressed: { finding: { id: string }; reason: string; justification?: string }[];
}

// Worked out by hand from the advisory records, independently of the matcher:
// nginx 1.2.1-2.2+wheezy2 (source nginx, Debian 7) < DSA-3029-1's fix +wheezy3, for both binaries;
// lodash 4.17.15 < 4.17.20 (GHSA-p6mc) and < 4.17.21 (GHSA-35jh); minimist 1.2.5 in [1.0.0, 1.2.6)
// (GHSA-xvch) but not below GHSA-vh95's 1.2.3; node-fetch 2.6.0 < 2.6.7 (GHSA-r683);
// time 0.1.43 < 0.2.0 (RUSTSEC-2020-0071). The whited-out minimist 0.0.8 under /srv/legacy must not
// appear, although both minimist advisories cover 0.0.8.
const EXPECTED = [
  'CVE-2014-3616 nginx-common', 'CVE-2014-3616 nginx-full', 'CVE-2020-26235 time', 'CVE-2020-8203 lodash',
  'CVE-2021-23337 lodash', 'CVE-2021-44906 minimist', 'CVE-2022-0235 node-fetch',
];

const ids = (report: JsonReport): string[] => report.findings.map((f) => `${f.id} ${f.package.name}`).sort();

describe('stella scan: vulnerabilities in the sample image', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stella-scan-vulns-'));
    process.env.STELLA_HOME = join(dir, 'home');
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    delete process.env.STELLA_DATABASE_URL;
  });
  after(() => {
    delete process.env.STELLA_HOME;
    delete process.env.SOURCE_DATE_EPOCH;
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = (...args: string[]) => stella(['scan', IMAGE, '--advisories', SNAPSHOT, '--quiet', '--no-cache', ...args]);

  it('finds exactly what the advisory data says, none under a whiteout; same bytes twice', async () => {
    const result = await scan('--format', 'json');
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.equal(report.schemaVersion, 1);
    assert.deepEqual(ids(report), EXPECTED);
    assert.ok(report.findings.every((f) => !f.package.location.startsWith('/srv/legacy')));
    const nginx = report.findings.find((f) => f.package.name === 'nginx-full');
    assert.deepEqual([nginx?.status, nginx?.installedVersion, nginx?.fixedVersions], ['fixed', '1.2.1-2.2+wheezy2', ['1.2.1-2.2+wheezy3']]);
    assert.equal((await scan('--format', 'json')).stdout, result.stdout);
  });

  it('table is the default; SARIF validates against 2.1.0; CycloneDX against 1.6', async () => {
    const table = await scan();
    assert.match(table.stdout, /CVE-2021-44906\s+CRITICAL/);
    const sarif = await scan('--format', 'sarif');
    const log = JSON.parse(sarif.stdout) as { runs: { results: unknown[]; tool: { driver: { rules: unknown[] } } }[] };
    assert.deepEqual(validateSarif(log), []);
    assert.equal(log.runs[0]?.results.length, EXPECTED.length);
    const cdx = await scan('--format', 'cyclonedx');
    assert.deepEqual((await validateSbom('cyclonedx-1.6', cdx.stdout)).errors, []);
    const bom = JSON.parse(cdx.stdout) as { vulnerabilities: { id: string }[] };
    assert.deepEqual([...new Set(bom.vulnerabilities.map((v) => v.id))].sort(), [...new Set(EXPECTED.map((e) => e.split(' ')[0]))].sort());
    const trivy = JSON.parse((await scan('--format', 'trivy-json')).stdout) as { SchemaVersion: number };
    assert.equal(trivy.SchemaVersion, 2);
  });

  it('--severity, --ignore-unfixed, --exit-code, --ignore-file (with expiry) and --vex', async () => {
    const critical = JSON.parse((await scan('--format', 'json', '--severity', 'CRITICAL')).stdout) as JsonReport;
    assert.deepEqual(ids(critical), ['CVE-2021-44906 minimist']);
    const gated = await scan('--severity', 'CRITICAL', '--exit-code', '5');
    assert.equal(gated.status, 5);
    assert.equal((await scan('--severity', 'LOW', '--exit-code', '5')).status, 0);
    // Every finding here has a fix: --ignore-unfixed keeps them all.
    assert.deepEqual(ids(JSON.parse((await scan('--format', 'json', '--ignore-unfixed')).stdout) as JsonReport), EXPECTED);

    const ignore = join(dir, '.trivyignore');
    writeFileSync(ignore, '# accepted until the upgrade\nCVE-2020-8203\nGHSA-35jh-r3h4-6jhm exp:2023-01-01\n');
    const ignored = JSON.parse((await scan('--format', 'json', '--ignore-file', ignore)).stdout) as JsonReport;
    assert.ok(!ids(ignored).includes('CVE-2020-8203 lodash'));
    assert.ok(ids(ignored).includes('CVE-2021-23337 lodash'), 'an entry that expired (2023) no longer suppresses');
    assert.deepEqual(ignored.suppressed.map((s) => [s.finding.id, s.reason]), [['CVE-2020-8203', 'ignore-file']]);

    const vex = join(dir, 'vex.json');
    writeFileSync(vex, JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/sample-1',
      author: 'Sample Team',
      timestamp: '2024-01-01T00:00:00Z',
      version: 1,
      statements: [{
        vulnerability: { name: 'GHSA-xvch-5gv4-984h' },
        products: [{ '@id': 'pkg:npm/minimist@1.2.5' }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      }],
    }));
    const vexed = JSON.parse((await scan('--format', 'json', '--vex', vex)).stdout) as JsonReport;
    assert.ok(!ids(vexed).includes('CVE-2021-44906 minimist'));
    assert.equal(vexed.suppressed[0]?.justification, 'vulnerable_code_not_in_execute_path');

    const bad = await scan('--vex', ignore);
    assert.equal(bad.status, 2);
  });

  it('from the store (db fetch --from + merge) and from an SBOM: the same findings', async () => {
    for (const source of ['osv', 'nvd']) {
      const fetched = await stella(['db', 'fetch', '--source', source, '--from', join(SNAPSHOT, source), '--offline']);
      assert.equal(fetched.status, 0, fetched.stderr);
    }
    assert.equal((await stella(['db', 'merge'])).status, 0);
    const fromStore = JSON.parse((await stella(['scan', IMAGE, '--format', 'json', '--quiet', '--no-cache'])).stdout) as JsonReport;
    assert.deepEqual(ids(fromStore), EXPECTED);
    // The NVD record joins CVE-2020-8203 in the store: its CVSS is there too, the severity stays GHSA's.
    const lodash = fromStore.findings.find((f) => f.id === 'CVE-2020-8203');
    assert.equal(lodash?.severity, 'HIGH');

    const sbom = join(dir, 'sample.cdx.json');
    writeFileSync(sbom, (await stella(['scan', IMAGE, '--format', 'spdx-json', '--quiet', '--no-cache'])).stdout);
    const fromSbom = JSON.parse((await stella(['scan', `sbom:${sbom}`, '--format', 'json', '--advisories', SNAPSHOT, '--quiet'])).stdout) as JsonReport;
    assert.deepEqual(ids(fromSbom), EXPECTED);
  });
});
