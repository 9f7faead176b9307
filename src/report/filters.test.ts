import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Finding, FindingStatus } from '../match/index.js';
import type { Severity } from '../advisories/index.js';
import {
  exitCodeFor, filterFindings, FilterError, parseIgnoreFile, parseOpenVex, parseSeverities, type FilterErrorCode,
} from './filters.js';

const data = (name: string): string => readFileSync(new URL(`./testdata/filters/${name}`, import.meta.url), 'utf8');
const NOW = new Date('2024-06-01T12:00:00Z');
const ALPINE_DIGEST = 'sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126';

interface Spec {
  id: string; purl: string; aliases?: string[]; severity?: Severity; status?: FindingStatus; fixed?: string[]; location?: string;
}

/** SYNTHETIC findings, shaped like matcher output for the packages the real documents name. */
function finding(spec: Spec): Finding {
  const [, type = '', rest = ''] = /^pkg:([^/]+)\/(.*)$/.exec(spec.purl) ?? [];
  const name = rest.split(/[@?]/)[0]?.split('/').pop() ?? '';
  const version = decodeURIComponent(/@([^?#]+)/.exec(rest)?.[1] ?? '');
  const fixed = spec.fixed ?? ['9.9.9'];
  return {
    id: spec.id, aliases: spec.aliases ?? [],
    package: { name, version, purl: spec.purl, type, location: spec.location ?? '/lib/apk/db/installed' },
    installedVersion: version, fixedVersions: fixed, status: spec.status ?? (fixed.length > 0 ? 'fixed' : 'unfixed'),
    verdict: 'affected', severity: spec.severity ?? 'HIGH', ratings: [], dataSource: 'osv', references: [], cwes: [],
    evidence: {
      ecosystem: type, name, sourceId: spec.id,
      provenance: { source: 'osv', documentId: `${spec.id}.json`, documentSha256: '0'.repeat(64), recordedAt: '2024-01-01T00:00:00Z' },
    },
  };
}

const ids = (list: readonly Finding[]): string[] => list.map((f) => `${f.id} ${f.package.purl}`);
const throwsCode = (fn: () => unknown, code: FilterErrorCode, message: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof FilterError && e.code === code && message.test(e.message));

describe('parseSeverities', () => {
  it('reads a case-insensitive comma list, unique, most severe first', () => {
    assert.deepEqual(parseSeverities('high, Critical,HIGH'), ['CRITICAL', 'HIGH']);
    assert.deepEqual(parseSeverities('UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL'), ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']);
  });
  it('refuses unknown names and an empty list', () => {
    throwsCode(() => parseSeverities('HIGH,SEVERE'), 'BAD_SEVERITY', /"SEVERE"/);
    throwsCode(() => parseSeverities(' , '), 'BAD_SEVERITY', /at least 1/);
  });
});

describe('parseIgnoreFile: .trivyignore text', () => {
  it("reads Trivy's own test file: ids, exp: dates, other key:value fields ignored", () => {
    assert.deepEqual(parseIgnoreFile(data('trivy-testdata.trivyignore'), '.trivyignore'), [
      { id: 'CVE-2019-0001' }, { id: 'CVE-2019-0002' }, { id: 'CVE-2019-0004', expires: '2020-01-01' },
      { id: 'CVE-2019-0005', expires: '9999-01-01' }, { id: 'CVE-2019-0006', expires: '9999-01-01' },
      { id: 'AVD-ID-0300' }, { id: 'generic-unwanted-rule' },
    ]);
  });
  it("reads the Trivy docs' example (comment lines, license lines keep their first field)", () => {
    const entries = parseIgnoreFile(data('trivy-docs.trivyignore'), '.trivyignore');
    assert.deepEqual(entries.map((e) => e.id), ['CVE-2018-14618', 'CVE-2019-14697', 'CVE-2019-1543', 'AVD-DS-0002', 'generic-unwanted-rule', 'aws-account-id', 'GPL-3.0', 'Apache-2.0']);
    assert.equal(entries[1]?.expires, '2023-01-01');
  });
  it('keeps an inline comment as the reason and reads CRLF files', () => {
    assert.deepEqual(parseIgnoreFile('\uFEFFCVE-2023-0464 exp:2025-01-31 # policy check not reachable\r\n#x\r\n', 'i'), [
      { id: 'CVE-2023-0464', expires: '2025-01-31', reason: 'policy check not reachable' },
    ]);
  });
  it('refuses a bad expiry date with its line number', () => {
    throwsCode(() => parseIgnoreFile('# ok\nCVE-2019-0001\nCVE-2019-0002 exp:2024-02-30\n', 'ci/.trivyignore'), 'BAD_IGNORE_FILE', /^ci\/\.trivyignore:3: expected exp:YYYY-MM-DD/);
    throwsCode(() => parseIgnoreFile('exp:2024-01-01\n', '.trivyignore'), 'BAD_IGNORE_FILE', /:1: expected an id/);
  });
});

describe('parseIgnoreFile: .trivyignore.yaml', () => {
  it("reads Trivy's own test file: paths, purls, expired_at; other sections ignored", () => {
    const entries = parseIgnoreFile(data('trivy-testdata.trivyignore.yaml'), '.trivyignore.yaml');
    assert.deepEqual(entries, [
      { id: 'CVE-2019-0001', paths: ['**/*-lock.json'] },
      { id: 'CVE-2019-0002', paths: ['bar/package.json'] },
      { id: 'CVE-2019-0003' },
      { id: 'CVE-2019-0004', paths: ['bar/package.json'] },
      { id: 'CVE-2019-0005', expires: '2023-01-01' },
      { id: 'CVE-2019-0006', expires: '2020-01-01' },
      { id: 'CVE-2019-0007', purls: ['pkg:golang/github.com/aquasecurity/aaa@9.9.9', 'pkg:golang/github.com/aquasecurity/bar'] },
    ]);
  });
  it("reads the docs' example: statement becomes the reason", () => {
    const entries = parseIgnoreFile(data('trivy-docs.trivyignore.yaml'), 'x.yml');
    assert.deepEqual(entries[0], { id: 'CVE-2022-40897', reason: 'Accept the risk', paths: ['usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA'] });
    assert.deepEqual(entries[4], { id: 'CVE-2023-29491', expires: '2023-09-01' });
  });
  it('reads id-less entries scoped by purls or paths', () => {
    assert.deepEqual(parseIgnoreFile(data('trivy-id-optional.trivyignore.yaml'), '.trivyignore.yaml'), [
      { id: '', reason: 'Kernel headers, not exercised at runtime', purls: ['pkg:deb/ubuntu/linux-libc-dev'] },
      { id: '', reason: 'Vendored, not in scope', paths: ['vendor/**'] },
      { id: 'CVE-2024-9999', purls: ['pkg:golang/example.com/foo'] },
    ]);
  });
  it('refuses invalid entries with line numbers (synthetic inputs)', () => {
    const bad = (text: string, message: RegExp): void => throwsCode(() => parseIgnoreFile(text, 'f.yaml'), 'BAD_IGNORE_FILE', message);
    bad('vulnerabilities:\n  - id: CVE-2019-0001\n    expired_at: 01/09/2023\n', /^f\.yaml:3: expired_at: expected YYYY-MM-DD/);
    bad('vulnerabilities:\n  - id: CVE-2019-0001\n  - statement: everything\n', /^f\.yaml:3: id: an entry needs an id, purls or paths/);
    bad('vulnerabilities:\n  - id: CVE-2019-0001\n    purls:\n      - "golang/github.com/x"\n', /^f\.yaml:4: purls: not a package URL/);
    bad('vulnerabilities:\n  - id: CVE-2019-0001\n    paths: "a/b"\n', /^f\.yaml:3: paths: expected a list/);
    bad('vulnerabilities:\n  - id: [unclosed\n', /^f\.yaml:\d+: not YAML/);
    bad('- CVE-2019-0001\n', /^f\.yaml:1: expected a mapping/);
    bad('vulnerabilities:\n  - id: CVE-2019-0001\n    paths: ["a/[z-a]"]\n', /^f\.yaml:3: paths: invalid glob/);
  });
  it('reads an empty file and an empty list as no entries', () => {
    assert.deepEqual(parseIgnoreFile('', 'e.yaml'), []);
    assert.deepEqual(parseIgnoreFile('vulnerabilities:\nsecrets:\n  - id: x\n', 'e.yaml'), []);
  });
});

describe('filterFindings: severity, --ignore-unfixed, exit code', () => {
  const list = [
    finding({ id: 'CVE-2023-3446', purl: 'pkg:apk/alpine/libssl3@3.0.8-r3', severity: 'MEDIUM' }),
    finding({ id: 'CVE-2023-2650', purl: 'pkg:apk/alpine/libssl3@3.0.8-r3', severity: 'HIGH' }),
    finding({ id: 'CVE-2023-0001', purl: 'pkg:deb/debian/tar@1.34', severity: 'LOW', fixed: [], status: 'unfixed' }),
    finding({ id: 'CVE-2005-2541', purl: 'pkg:deb/debian/tar@1.34', severity: 'CRITICAL', fixed: [], status: 'will_not_fix' }),
    finding({ id: 'GHSA-aaaa-bbbb-cccc', purl: 'pkg:npm/x@1.0.0', severity: 'UNKNOWN', fixed: [], status: 'affected' }),
    finding({ id: 'CVE-2024-0002', purl: 'pkg:npm/y@1.0.0', severity: 'HIGH', fixed: [], status: 'unknown' }),
    finding({ id: 'CVE-2024-0003', purl: 'pkg:npm/z@1.0.0', severity: 'HIGH', fixed: ['1.0.1'], status: 'unknown' }),
  ];
  it('keeps only the listed severities, in input order, and suppresses nothing', () => {
    const result = filterFindings(list, { severities: parseSeverities('CRITICAL,HIGH'), now: NOW });
    assert.deepEqual(result.kept.map((f) => f.id), ['CVE-2023-2650', 'CVE-2005-2541', 'CVE-2024-0002', 'CVE-2024-0003']);
    assert.deepEqual(result.suppressed, []);
  });
  it('drops every finding without a fixed version (unfixed, will_not_fix, affected, unknown without fix)', () => {
    const result = filterFindings(list, { ignoreUnfixed: true, now: NOW });
    assert.deepEqual(result.kept.map((f) => f.id), ['CVE-2023-3446', 'CVE-2023-2650', 'CVE-2024-0003']);
  });
  it('exit code: the given code when findings remain, else 0', () => {
    assert.equal(exitCodeFor(filterFindings(list, { now: NOW }).kept, 1), 1);
    assert.equal(exitCodeFor(filterFindings(list, { severities: ['NONE'], now: NOW }).kept, 1), 0);
    assert.equal(exitCodeFor(list, undefined), 0);
    assert.equal(exitCodeFor([], 3), 0);
  });
  it('refuses an invalid clock', () => {
    throwsCode(() => filterFindings(list, { now: new Date('nope') }), 'BAD_OPTIONS', /now/);
  });
});

describe('filterFindings: ignore files', () => {
  it("honours exp: dates from Trivy's test file against the injected now", () => {
    const ignore = parseIgnoreFile(data('trivy-testdata.trivyignore'), '.trivyignore');
    const list = ['CVE-2019-0001', 'CVE-2019-0003', 'CVE-2019-0004', 'CVE-2019-0005'].map((id) => finding({ id, purl: 'pkg:npm/lodash@4.17.20' }));
    const result = filterFindings(list, { ignore, now: NOW });
    assert.deepEqual(result.kept.map((f) => f.id), ['CVE-2019-0003', 'CVE-2019-0004']);
    assert.deepEqual(result.suppressed.map((s) => [s.finding.id, s.reason]), [['CVE-2019-0001', 'ignore-file'], ['CVE-2019-0005', 'ignore-file']]);
  });
  it('an entry expires at 00:00 UTC of its date (as Trivy)', () => {
    const ignore = parseIgnoreFile('CVE-2024-0001 exp:2024-06-01\n', '.trivyignore');
    const list = [finding({ id: 'CVE-2024-0001', purl: 'pkg:npm/a@1.0.0' })];
    assert.equal(filterFindings(list, { ignore, now: new Date('2024-05-31T23:59:59.999Z') }).kept.length, 0);
    assert.equal(filterFindings(list, { ignore, now: new Date('2024-06-01T00:00:00.001Z') }).kept.length, 1);
  });
  it('matches the id or any alias, case-insensitively', () => {
    const ignore = parseIgnoreFile('ghsa-jfh8-c2jp-5v3q # not reachable\n', '.trivyignore');
    const list = [
      finding({ id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'], purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' }),
      finding({ id: 'CVE-2021-45046', aliases: ['GHSA-7rjr-3q55-vv33'], purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' }),
    ];
    const result = filterFindings(list, { ignore, now: NOW });
    assert.deepEqual(result.kept.map((f) => f.id), ['CVE-2021-45046']);
    assert.deepEqual(result.suppressed.map((s) => [s.finding.id, s.statement]), [['CVE-2021-44228', 'not reachable']]);
  });
  it("scopes entries by purls and paths (Trivy's test file)", () => {
    const ignore = parseIgnoreFile(data('trivy-testdata.trivyignore.yaml'), '.trivyignore.yaml');
    const list = [
      finding({ id: 'CVE-2019-0001', purl: 'pkg:npm/a@1.0.0', location: '/app/package-lock.json' }),
      finding({ id: 'CVE-2019-0001', purl: 'pkg:npm/a@1.0.0', location: '/package-lock.json' }),
      finding({ id: 'CVE-2019-0001', purl: 'pkg:npm/a@1.0.0', location: '/app/yarn.lock' }),
      finding({ id: 'CVE-2019-0002', purl: 'pkg:npm/b@1.0.0', location: '/bar/package.json' }),
      finding({ id: 'CVE-2019-0002', purl: 'pkg:npm/b@1.0.0', location: '/foo/bar/package.json' }),
      finding({ id: 'CVE-2019-0005', purl: 'pkg:npm/c@1.0.0' }),
      finding({ id: 'CVE-2019-0007', purl: 'pkg:golang/github.com/aquasecurity/bar@1.2.3' }),
      finding({ id: 'CVE-2019-0007', purl: 'pkg:golang/github.com/aquasecurity/aaa@9.9.9' }),
      finding({ id: 'CVE-2019-0007', purl: 'pkg:golang/github.com/aquasecurity/aaa@1.0.0' }),
    ];
    const result = filterFindings(list, { ignore, now: NOW });
    assert.deepEqual(ids(result.kept), [
      'CVE-2019-0001 pkg:npm/a@1.0.0', 'CVE-2019-0002 pkg:npm/b@1.0.0', 'CVE-2019-0005 pkg:npm/c@1.0.0',
      'CVE-2019-0007 pkg:golang/github.com/aquasecurity/aaa@1.0.0',
    ]);
    assert.deepEqual(result.kept.map((f) => f.package.location).slice(0, 2), ['/app/yarn.lock', '/foo/bar/package.json']);
  });
  it("applies the docs' example to Debian packages (versionless purl, path, expired entry)", () => {
    const ignore = parseIgnoreFile(data('trivy-docs.trivyignore.yaml'), '.trivyignore.yaml');
    const list = [
      finding({ id: 'CVE-2023-3817', purl: 'pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u4?arch=amd64&distro=debian-11', location: '/var/lib/dpkg/status' }),
      finding({ id: 'CVE-2023-3817', purl: 'pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u4?arch=amd64&distro=debian-11', location: '/var/lib/dpkg/status' }),
      finding({ id: 'CVE-2022-40897', purl: 'pkg:pypi/setuptools@58.1.0', location: '/usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA' }),
      finding({ id: 'CVE-2023-29491', purl: 'pkg:deb/debian/ncurses-base@6.2%2B20201114-2?distro=debian-11', location: '/var/lib/dpkg/status' }),
    ];
    const result = filterFindings(list, { ignore, now: NOW });
    assert.deepEqual(result.kept.map((f) => f.package.name), ['openssl', 'ncurses-base']);
    assert.deepEqual(result.suppressed.map((s) => [s.finding.package.name, s.statement]), [['libssl1.1', undefined], ['setuptools', 'Accept the risk']]);
  });
  it('id-less entries suppress every id of the selected package only', () => {
    const ignore = parseIgnoreFile(data('trivy-id-optional.trivyignore.yaml'), '.trivyignore.yaml');
    const list = [
      finding({ id: 'CVE-2024-26581', purl: 'pkg:deb/ubuntu/linux-libc-dev@5.15.0-97.107?arch=amd64&distro=ubuntu-22.04' }),
      finding({ id: 'CVE-2024-26581', purl: 'pkg:deb/debian/linux-libc-dev@6.1.76-1?arch=amd64&distro=debian-12' }),
      finding({ id: 'CVE-2024-9999', purl: 'pkg:golang/example.com/foo@1.0.0', location: '/app/go.mod' }),
      finding({ id: 'CVE-2024-1234', purl: 'pkg:golang/example.com/bar@1.0.0', location: '/vendor/modules.txt' }),
    ];
    const result = filterFindings(list, { ignore, now: NOW });
    assert.deepEqual(ids(result.kept), ['CVE-2024-26581 pkg:deb/debian/linux-libc-dev@6.1.76-1?arch=amd64&distro=debian-12']);
    assert.deepEqual(result.suppressed.map((s) => s.statement), ['Kernel headers, not exercised at runtime', undefined, 'Vendored, not in scope']);
  });
  it('purl qualifiers in an ignore entry must be present on the package, as in Trivy (synthetic entry)', () => {
    const ignore = parseIgnoreFile('vulnerabilities:\n  - id: CVE-2023-3817\n    purls: ["pkg:deb/debian/libssl1.1?arch=arm64"]\n', 'i.yaml');
    const amd64 = finding({ id: 'CVE-2023-3817', purl: 'pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u4?arch=amd64&distro=debian-11' });
    const arm64 = finding({ id: 'CVE-2023-3817', purl: 'pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u4?arch=arm64&distro=debian-11' });
    assert.deepEqual(filterFindings([amd64, arm64], { ignore, now: NOW }).kept, [amd64]);
  });
});

describe('parseOpenVex', () => {
  it("reads go-vex's v0.2.0 test document: products with subcomponents, inherited timestamp", () => {
    const statements = parseOpenVex(data('go-vex-v0.2.0.json'), 'v0.2.0.json');
    assert.equal(statements.length, 5);
    assert.deepEqual(statements[3], {
      vulnerability: 'CVE-2023-3446', aliases: [], status: 'not_affected',
      justification: 'vulnerable_code_not_present', impactStatement: 'affected functions were removed before packaging',
      timestamp: '2023-07-17T18:28:47.696004345-06:00',
      products: [`pkg:oci/alpine@sha256%3A124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126`],
      subcomponents: ['pkg:apk/alpine/libcrypto3@3.0.8-r3', 'pkg:apk/alpine/libssl3@3.0.8-r3'],
    });
  });
  it("reads the go-vex README document: @id and aliases, identifiers.purl", () => {
    const [statement] = parseOpenVex(data('go-vex-readme-example.json'), 'readme.json');
    assert.deepEqual(statement?.aliases, ['GHSA-jfh8-c2jp-5v3q', 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228']);
    assert.deepEqual(statement?.products, ['pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3']);
    assert.equal(statement?.impactStatement, 'Spring Boot users are only affected by this vulnerability if they ...');
  });
  it('reads documents without a document timestamp and v0.0.1 string shapes', () => {
    assert.deepEqual(parseOpenVex(data('go-vex-v020-1.vex.json'), 'a.json').map((s) => [s.status, s.timestamp, s.products]), [
      ['under_investigation', '2022-12-22T16:36:43-05:00', ['pkg:apk/wolfi/bash@1.0.0']],
    ]);
    assert.deepEqual(parseOpenVex(data('trivy-openvex-v0.0.1.json'), 'b.json').map((s) => [s.vulnerability, s.products]), [
      ['CVE-2021-44228', ['pkg:maven/org.springframework.boot/spring-boot@2.6.0']],
    ]);
  });
  it('refuses invalid documents (synthetic variants of the real ones)', () => {
    const base = JSON.parse(data('trivy-openvex-oci.json')) as { statements: Record<string, unknown>[] } & Record<string, unknown>;
    const variant = (change: (doc: typeof base, s: Record<string, unknown>) => void): string => {
      const doc = structuredClone(base);
      change(doc, doc.statements[0] as Record<string, unknown>);
      return JSON.stringify(doc);
    };
    const bad = (text: string, message: RegExp): void => throwsCode(() => parseOpenVex(text, 'vex.json'), 'BAD_VEX', message);
    bad('{"@context": ', /^vex\.json: not JSON/);
    bad('{"statements": []}', /no @context/);
    bad(variant((d) => { d['@context'] = 'https://openvex.dev/ns/v9.9.9'; }), /unsupported OpenVEX @context/);
    bad(variant((_d, s) => { s.status = 'not_vulnerable'; }), /statement 0: status must be one of/);
    bad(variant((_d, s) => { delete s.justification; }), /statement 0: a not_affected statement needs a justification or an impact_statement/);
    bad(variant((_d, s) => { s.justification = 'trust_me'; }), /unknown justification "trust_me"/);
    bad(variant((_d, s) => { delete s.products; }), /statement 0: a statement needs products/);
    bad(variant((_d, s) => { s.vulnerability = {}; }), /vulnerability\.name is required/);
    bad(variant((_d, s) => { s.timestamp = '16/01/2023'; }), /timestamp is not RFC 3339/);
    bad(variant((d) => { d.timestamp = '2023-13-16T19:07:16Z'; }), /document timestamp is not RFC 3339/);
    bad(variant((d) => { d.statements = {} as never; }), /expected a "statements" list/);
  });
});

describe('filterFindings: OpenVEX', () => {
  const goVex = parseOpenVex(data('go-vex-v0.2.0.json'), 'v0.2.0.json');
  const libssl = (id: string, version = '3.0.8-r3'): Finding => finding({ id, purl: `pkg:apk/alpine/libssl3@${version}?arch=x86_64&distro=3.18.0` });

  it('suppresses image subcomponents when the target is the image digest, keeping justification and statement', () => {
    const list = [libssl('CVE-2023-3446'), libssl('CVE-2023-2650'), libssl('CVE-2023-5678'), libssl('CVE-2023-3446', '3.1.1-r0')];
    const result = filterFindings(list, { vex: goVex, now: NOW, target: `docker.io/library/alpine@${ALPINE_DIGEST}` });
    assert.deepEqual(ids(result.kept), [
      'CVE-2023-5678 pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64&distro=3.18.0',
      'CVE-2023-3446 pkg:apk/alpine/libssl3@3.1.1-r0?arch=x86_64&distro=3.18.0',
    ]);
    assert.deepEqual(result.suppressed.map(({ finding: f, ...rest }) => [f.id, rest]), [
      ['CVE-2023-3446', { reason: 'vex', vexStatus: 'not_affected', justification: 'vulnerable_code_not_present', statement: 'affected functions were removed before packaging' }],
      ['CVE-2023-2650', { reason: 'vex', vexStatus: 'fixed' }],
    ]);
  });
  it('does not apply an image statement to another image or to an unpinned reference', () => {
    const list = [libssl('CVE-2023-3446')];
    for (const target of [undefined, 'alpine:3.18', `alpine@sha256:${'0'.repeat(64)}`, `ubuntu@${ALPINE_DIGEST}`]) {
      assert.equal(filterFindings(list, { vex: goVex, now: NOW, ...(target === undefined ? {} : { target }) }).kept.length, 1, String(target));
    }
    // The digest is the image's identity: without a repository_url qualifier any registry's copy matches.
    for (const target of [`alpine:3.18@${ALPINE_DIGEST}`, `quay.io/library/alpine@${ALPINE_DIGEST}`]) {
      assert.equal(filterFindings(list, { vex: goVex, now: NOW, target }).kept.length, 0, target);
    }
  });
  it('a repository_url qualifier on a pkg:oci product pins the registry (synthetic product)', () => {
    const doc = JSON.parse(data('go-vex-v0.2.0.json')) as { statements: { products: { '@id': string }[] }[] };
    for (const s of doc.statements) for (const p of s.products) p['@id'] += '?repository_url=index.docker.io%2Flibrary%2Falpine';
    const vex = parseOpenVex(JSON.stringify(doc), 'pinned.json');
    assert.equal(filterFindings([libssl('CVE-2023-3446')], { vex, now: NOW, target: `quay.io/library/alpine@${ALPINE_DIGEST}` }).kept.length, 1);
    assert.equal(filterFindings([libssl('CVE-2023-3446')], { vex, now: NOW, target: `alpine@${ALPINE_DIGEST}` }).kept.length, 0);
  });
  it("matches a versionless pkg:oci product by repository name (Trivy's openvex-oci.json)", () => {
    const vex = parseOpenVex(data('trivy-openvex-oci.json'), 'oci.json');
    const bash = finding({ id: 'CVE-2022-3715', purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12' });
    const readline = finding({ id: 'CVE-2022-3715', purl: 'pkg:deb/debian/readline-common@8.2-1.3?distro=debian-12' });
    assert.deepEqual(filterFindings([bash, readline], { vex, now: NOW, target: 'debian:12' }).kept, [readline]);
    assert.deepEqual(filterFindings([bash, readline], { vex, now: NOW, target: 'ubuntu:22.04' }).kept, [bash, readline]);
    assert.equal(filterFindings([bash], { vex, now: NOW }).kept.length, 1);
  });
  it('matches the vulnerability by name, alias or case, the product by purl with its version (go-vex README)', () => {
    const vex = parseOpenVex(data('go-vex-readme-example.json'), 'readme.json');
    const boot = 'pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3';
    const list = [
      finding({ id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'], purl: boot }),
      finding({ id: 'ghsa-jfh8-c2jp-5v3q', purl: boot }),
      finding({ id: 'CVE-2021-44228', purl: 'pkg:maven/org.springframework.boot/spring-boot@2.6.1' }),
      finding({ id: 'CVE-2021-45046', purl: boot }),
    ];
    const result = filterFindings(list, { vex, now: NOW });
    assert.deepEqual(ids(result.kept), ['CVE-2021-44228 pkg:maven/org.springframework.boot/spring-boot@2.6.1', `CVE-2021-45046 ${boot}`]);
    assert.deepEqual(result.suppressed.map((s) => s.justification), ['vulnerable_code_not_in_execute_path', 'vulnerable_code_not_in_execute_path']);
  });
  it('a statement naming the GHSA id suppresses the finding keyed by its CVE (synthetic statement)', () => {
    const vex = parseOpenVex(JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://openvex.dev/docs/example/synthetic', author: 'test',
      timestamp: '2024-01-01T00:00:00Z', version: 1,
      statements: [{ vulnerability: { name: 'GHSA-35jh-r3h4-6jhm' }, products: [{ '@id': 'pkg:npm/lodash' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
    }), 'synthetic.json');
    const list = [
      finding({ id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'], purl: 'pkg:npm/lodash@4.17.20' }),
      finding({ id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'], purl: 'pkg:npm/lodash-es@4.17.20' }),
    ];
    assert.deepEqual(ids(filterFindings(list, { vex, now: NOW }).kept), ['CVE-2021-23337 pkg:npm/lodash-es@4.17.20']);
  });
  it("the latest statement wins by timestamp, then document order (Trivy's openvex-multiple.json)", () => {
    const text = data('trivy-openvex-multiple.json');
    const spring = finding({ id: 'CVE-2021-44228', purl: 'pkg:maven/org.springframework.boot/spring-boot@2.6.0' });
    assert.equal(filterFindings([spring], { vex: parseOpenVex(text, 'm.json'), now: NOW }).suppressed.length, 1);
    // Derived: statements swapped; the timestamps still put not_affected last.
    const swapped = JSON.parse(text) as { statements: unknown[] };
    swapped.statements.reverse();
    assert.equal(filterFindings([spring], { vex: parseOpenVex(JSON.stringify(swapped), 's.json'), now: NOW }).suppressed.length, 1);
    // Derived: same timestamp for both, so document order decides: affected comes last and keeps the finding.
    const sameTime = JSON.parse(JSON.stringify(swapped)) as { statements: Record<string, unknown>[] };
    for (const s of sameTime.statements) delete s.timestamp;
    assert.equal(filterFindings([spring], { vex: parseOpenVex(JSON.stringify(sameTime), 't.json'), now: NOW }).kept.length, 1);
    // A later document's statements come after earlier ones with the same timestamp.
    const vex = [...parseOpenVex(JSON.stringify(sameTime), 't.json'), ...parseOpenVex(text, 'm.json')];
    assert.equal(filterFindings([spring], { vex, now: NOW }).kept.length, 0);
  });
  it('reads v0.0.1 documents and compares deb epochs across purl forms (synthetic product)', () => {
    const legacy = parseOpenVex(data('trivy-openvex-v0.0.1.json'), 'legacy.json');
    assert.equal(filterFindings([finding({ id: 'CVE-2021-44228', purl: 'pkg:maven/org.springframework.boot/spring-boot@2.6.0' })], { vex: legacy, now: NOW }).kept.length, 0);
    const vex = parseOpenVex(JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://openvex.dev/docs/example/synthetic-2', author: 'test', timestamp: '2024-01-01T00:00:00Z', version: 1,
      statements: [{ vulnerability: { name: 'CVE-2022-0563' }, products: [{ '@id': 'pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3' }], status: 'not_affected', justification: 'vulnerable_code_not_present' }],
    }), 'epoch.json');
    const ours = finding({ id: 'CVE-2022-0563', purl: 'pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&epoch=1' });
    const noEpoch = finding({ id: 'CVE-2022-0563', purl: 'pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12' });
    assert.deepEqual(filterFindings([ours, noEpoch], { vex, now: NOW }).kept, [noEpoch]);
  });
  it('under_investigation never suppresses; an image-reference product applies to the whole target', () => {
    const vex = parseOpenVex(data('go-vex-v020-1.vex.json'), 'a.json');
    const bash = finding({ id: 'CVE-9876-54321', purl: 'pkg:apk/wolfi/bash@1.0.0' });
    assert.equal(filterFindings([bash], { vex, now: NOW }).kept.length, 1);
    const image = parseOpenVex(JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://openvex.dev/docs/example/synthetic-3', author: 'test', timestamp: '2024-01-01T00:00:00Z', version: 1,
      statements: [{ vulnerability: { name: 'CVE-9876-54321' }, products: [{ '@id': 'ghcr.io/acme/app:1.0' }], status: 'fixed' }],
    }), 'image.json');
    assert.equal(filterFindings([bash], { vex: image, now: NOW, target: 'ghcr.io/acme/app:1.0' }).kept.length, 0);
    assert.equal(filterFindings([bash], { vex: image, now: NOW, target: 'ghcr.io/acme/app:1.1' }).kept.length, 1);
  });
});

describe('filterFindings: order of filters', () => {
  it('severity first (dropped findings are not "suppressed"), then the ignore file, then VEX', () => {
    const vex = parseOpenVex(data('trivy-openvex-multiple.json'), 'm.json');
    const ignore = parseIgnoreFile('CVE-2021-44228 # accepted until upgrade\n', '.trivyignore');
    const spring = finding({ id: 'CVE-2021-44228', purl: 'pkg:maven/org.springframework.boot/spring-boot@2.6.0', severity: 'CRITICAL' });
    const low = finding({ id: 'CVE-2021-44228', purl: 'pkg:maven/org.springframework.boot/spring-boot@2.6.0', severity: 'LOW' });
    const result = filterFindings([spring, low], { vex, ignore, severities: ['CRITICAL'], now: NOW });
    assert.deepEqual(result.kept, []);
    assert.deepEqual(result.suppressed, [{ finding: spring, reason: 'ignore-file', statement: 'accepted until upgrade' }]);
    assert.deepEqual(filterFindings([spring, low], { vex, ignore, severities: ['CRITICAL'], now: NOW }), result);
  });
});
