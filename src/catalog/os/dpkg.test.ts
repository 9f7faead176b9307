import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requireTool } from '../../../test/support/tools.js';
import type { PackageDraft } from '../../inventory/index.js';
import { CatalogError } from '../analyzer.js';
import { dpkgAnalyzer, dpkgQueryName, normalizeDebVersion, parseDpkgStatus } from './dpkg.js';

const DATA = fileURLToPath(new URL('./testdata/dpkg/', import.meta.url));
const STATUS_D = join(DATA, 'distroless/var/lib/dpkg/status.d');
const read = (rel: string): Buffer => readFileSync(join(DATA, rel));
const parse = (content: Buffer | string, path = '/var/lib/dpkg/status') =>
  parseDpkgStatus({ path, content: typeof content === 'string' ? Buffer.from(content) : content });

/** `dpkg-query -W` on a status file, as "state name version" lines, with dpkg's native architecture. */
function dpkgQuery(t: TestContext, status: string): { lines: string[]; nativeArch: string } | undefined {
  if (!requireTool(t, 'dpkg-query', ['--version'])) return undefined;
  const admin = mkdtempSync(join(tmpdir(), 'stella-dpkg-'));
  try {
    for (const dir of ['updates', 'info']) mkdirSync(join(admin, dir));
    writeFileSync(join(admin, 'status'), status);
    const run = spawnSync('dpkg-query', [`--admindir=${admin}`, '-W', '-f=${db:Status-Status} ${binary:Package} ${Version}\n'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const arch = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' });
    return { lines: run.stdout.split('\n').filter((l) => l !== '').sort(), nativeArch: arch.stdout.trim() };
  } finally {
    rmSync(admin, { recursive: true, force: true });
  }
}

function asQueryLines(packages: readonly PackageDraft[], nativeArch: string): string[] {
  return packages
    .map((p) => `${p.properties?.['stella:dpkg-status'] ?? 'installed'} ${dpkgQueryName(p, nativeArch)} ${p.version}`)
    .sort();
}

describe('dpkg analyzer: agreement with dpkg-query -W', () => {
  it('lists exactly what dpkg-query lists for a real Debian 12 status file', (t) => {
    const status = read('bookworm-status/status');
    const ours = parse(status);
    assert.equal(ours.packages?.length, 49);
    assert.equal(ours.issues, undefined);
    const query = dpkgQuery(t, status.toString());
    if (query === undefined) return;
    assert.deepEqual(asQueryLines(ours.packages ?? [], query.nativeArch), query.lines);
  });

  it('lists what dpkg-query lists in every state except config-files, which we skip on purpose', (t) => {
    const status = read('states/status');
    const ours = parse(status).packages ?? [];
    const query = dpkgQuery(t, status.toString());
    if (query === undefined) return;
    const configFiles = query.lines.filter((l) => l.startsWith('config-files '));
    assert.deepEqual(configFiles, ['config-files hostname 3.23+nmu1']);
    assert.deepEqual(asQueryLines(ours, query.nativeArch), query.lines.filter((l) => !configFiles.includes(l)));
    assert.ok(ours.some((p) => p.name === 'libc6' && p.arch === 'i386'));
    assert.ok(!ours.some((p) => p.name === 'diffutils'), 'not-installed is skipped');
  });

  it('reads distroless status.d entries as dpkg-query reads the same stanzas marked installed', (t) => {
    const entries = readdirSync(STATUS_D).sort().filter((name) => dpkgAnalyzer.wants(`/var/lib/dpkg/status.d/${name}`));
    assert.deepEqual(entries, ['base-files', 'libc6', 'libsqlite3-0', 'libssl3', 'tzdata']);
    const ours = entries.flatMap((name) => {
      const result = parse(readFileSync(join(STATUS_D, name)), `/var/lib/dpkg/status.d/${name}`);
      assert.equal(result.issues, undefined);
      return result.packages ?? [];
    });
    assert.equal(ours.length, 5);
    assert.equal(ours.find((p) => p.name === 'libsqlite3-0')?.location, '/var/lib/dpkg/status.d/libsqlite3-0');
    const status = entries.map((name) => `Status: install ok installed\n${readFileSync(join(STATUS_D, name), 'utf8')}`).join('\n');
    const query = dpkgQuery(t, status);
    if (query === undefined) return;
    assert.deepEqual(asQueryLines(ours, query.nativeArch), query.lines);
  });
});

describe('dpkg analyzer: package facts', () => {
  const packages = parse(read('bookworm-status/status')).packages ?? [];
  const byName = (name: string) => packages.find((p) => p.name === name);

  it('keeps the epoch and the Source package with its own version when it differs', () => {
    assert.deepEqual(byName('bsdutils'), {
      type: 'deb', name: 'bsdutils', version: '1:2.38.1-5+deb12u3', arch: 'amd64', location: '/var/lib/dpkg/status',
      foundBy: 'dpkg', source: { name: 'util-linux', version: '2.38.1-5+deb12u3' }, properties: { 'stella:multi-arch': 'foreign' },
    });
    assert.deepEqual(byName('libcap2')?.source, { name: 'libcap2', version: '1:2.66-4+deb12u2' });
  });

  it('names the source after the binary package when there is no Source field, without a version when equal', () => {
    assert.deepEqual(byName('coreutils')?.source, { name: 'coreutils' });
    assert.deepEqual(byName('libc6')?.source, { name: 'glibc' });
    assert.deepEqual(byName('bash')?.source, { name: 'bash', version: '5.2.15-2' }, 'a binNMU: source version differs');
  });

  it('records no license (copyright files are not read yet)', () => {
    assert.ok(packages.every((p) => p.licenses === undefined));
  });
});

describe('dpkg analyzer: robustness', () => {
  const text = read('bookworm-status/status').toString();
  const expected = parse(text).packages;

  it('reads CRLF line ends, extra and white-space blank lines, and a missing final newline alike', () => {
    assert.deepEqual(parse(text.replace(/\n/g, '\r\n')).packages, expected);
    assert.deepEqual(parse(text.replace(/\n\n/g, '\n\n \t\n\n')).packages, expected);
    assert.deepEqual(parse(text.trimEnd()).packages, expected);
  });

  it('skips a malformed stanza with an issue and keeps the others', () => {
    const result = parse(read('malformed-stanza/status'));
    assert.deepEqual(result.packages?.map((p) => p.name), ['base-files', 'bash', 'dpkg']);
    assert.deepEqual(result.issues?.map((i) => i.code), ['MALFORMED_RECORD', 'MALFORMED_RECORD', 'MALFORMED_RECORD']);
    assert.match(result.issues?.[0]?.message ?? '', /expected "Field: value"/);
    assert.match(result.issues?.[1]?.message ?? '', /grep: missing Version/);
    assert.match(result.issues?.[2]?.message ?? '', /continuation line before any field/);
  });

  it('reports a second stanza for the same package and architecture', () => {
    const stanza = 'Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n';
    const result = parse(`${stanza}\n${stanza.replace('Version: 1', 'Version: 2')}`);
    assert.deepEqual(result.packages?.map((p) => p.version), ['1']);
    assert.equal(result.issues?.[0]?.code, 'DUPLICATE_PACKAGE');
  });

  it('rejects a file that is not a status file at all', () => {
    const malformed = (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE';
    assert.throws(() => parse(read('not-status/status')), malformed);
    assert.throws(() => parse(Buffer.from([0x1f, 0x8b, 0x08, 0x00])), malformed);
  });

  it('reads an empty status file as no packages', () => {
    assert.deepEqual(parse('').packages, []);
  });

  it('treats a stanza without Status as not installed in status, installed in status.d', () => {
    const stanza = 'Package: a\nArchitecture: amd64\nVersion: 1\n';
    assert.deepEqual(parse(stanza).packages, []);
    assert.equal(parse(stanza, '/var/lib/dpkg/status.d/a').packages?.length, 1);
  });
});

describe('dpkg helpers', () => {
  it('wants the status file and status.d stanzas, not their md5sums or scripts', () => {
    assert.ok(dpkgAnalyzer.wants('/var/lib/dpkg/status'));
    assert.ok(dpkgAnalyzer.wants('/var/lib/dpkg/status.d/python3.11'));
    for (const path of ['/var/lib/dpkg/status-old', '/var/lib/dpkg/status.d/libc6.md5sums', '/var/lib/dpkg/status.d/x.preinst',
      '/var/lib/dpkg/status.d/', '/var/lib/dpkg/status.d/a/b', '/var/lib/dpkg/available']) {
      assert.ok(!dpkgAnalyzer.wants(path), path);
    }
  });

  it('normalizes versions as dpkg prints them', () => {
    assert.equal(normalizeDebVersion(' 0:1.0-1 '), '1.0-1');
    assert.equal(normalizeDebVersion('01:2.0'), '1:2.0');
    assert.equal(normalizeDebVersion('1:2.0'), '1:2.0');
  });

  it('names packages as dpkg-query -W prints ${binary:Package}', () => {
    const same = { properties: { 'stella:multi-arch': 'same' } };
    assert.equal(dpkgQueryName({ name: 'libc6', arch: 'amd64', ...same }, 'amd64'), 'libc6:amd64');
    assert.equal(dpkgQueryName({ name: 'bash', arch: 'amd64' }, 'amd64'), 'bash');
    assert.equal(dpkgQueryName({ name: 'bash', arch: 'arm64' }, 'amd64'), 'bash:arm64');
    assert.equal(dpkgQueryName({ name: 'tzdata', arch: 'all' }, 'amd64'), 'tzdata');
    assert.equal(dpkgQueryName({ name: 'x' }, 'amd64'), 'x');
  });
});
