import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { requireTool } from '../../../../test/support/tools.js';
import { CatalogError } from '../../analyzer.js';
import { synthElf, synthFat, synthMacho, synthPe } from '../binary/synth.js';
import { analyzeAuditableBinary, cargoAuditableAnalyzer } from './auditable.js';
import { analyzeCargoLock, cargoLockAnalyzer } from './cargo-lock.js';

const testdata = new URL('../testdata/rust/', import.meta.url);
const lock = (name: string) => analyzeCargoLock({ path: `/src/${name}/Cargo.lock`, content: readFileSync(new URL(`${name}/Cargo.lock`, testdata)) });
const malformed = (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE';

// Python's tomllib as an independent reader of the same lock: name, version, source, checksum
// (inline, or v1's [metadata] "checksum <name> <version> (<source>)" entries).
const TRUTH = `
import sys, tomllib, json
d = tomllib.load(open(sys.argv[1], 'rb'))
meta = {tuple(k.split(' ')[1:3]): v for k, v in d.get('metadata', {}).items() if k.startswith('checksum ')}
print(json.dumps([[p['name'], p['version'], p.get('source', ''), p.get('checksum', meta.get((p['name'], p['version']), ''))] for p in d['package']]))
`;

describe('Cargo.lock', () => {
  for (const version of ['v1', 'v2', 'v3', 'v4']) {
    it(`reads the ${version} format as Python's tomllib reads it`, (t) => {
      if (!requireTool(t, 'python3', ['-c', 'import tomllib'])) return;
      const file = fileURLToPath(new URL(`lock-${version}/Cargo.lock`, testdata));
      const run = spawnSync('python3', ['-c', TRUTH, file], { encoding: 'utf8' });
      const truth = JSON.parse(run.stdout) as string[][];
      const ours = (lock(`lock-${version}`).packages ?? []).map((p) => [p.name, p.version, p.properties?.['stella:resolved'] ?? '', (p.properties?.['stella:integrity'] ?? '').replace(/^sha256:/, '')]);
      assert.deepEqual(ours, truth);
    });
  }

  it('counts what rustsec cargo-lock\'s own tests assert (v1: 141 packages, 136 checksums; v4: 25, git sources)', () => {
    const v1 = lock('lock-v1').packages ?? [];
    assert.equal(v1.length, 141);
    assert.equal(v1.filter((p) => p.properties?.['stella:integrity'] !== undefined).length, 136);
    assert.deepEqual(v1.find((p) => p.name === 'adler32')?.properties?.['stella:integrity'], 'sha256:5d2e7343e7fc9de883d1b0341e0b13970f764c14101234857d2ddafa1cb1cac2');
    const v4 = lock('lock-v4').packages ?? [];
    assert.equal(v4.length, 25);
    assert.match(v4.find((p) => p.name === 'url')?.properties?.['stella:resolved'] ?? '', /^git\+https:\/\/github.com\/weihanglo\/rust-url.git\?tag=/);
  });

  it('marks source-less crates local; project = the single root crate, else the lock directory', () => {
    const small = lock('lock-v1-metadata-small').packages ?? [];
    const root = small.find((p) => p.name === 'base64_vuln');
    assert.deepEqual(root?.properties, { 'stella:evidence': 'declared', 'stella:project': 'base64_vuln', 'stella:cargo-local': 'true' });
    assert.deepEqual(small.find((p) => p.name === 'byteorder')?.properties, {
      'stella:evidence': 'declared', 'stella:project': 'base64_vuln',
      'stella:resolved': 'registry+https://github.com/rust-lang/crates.io-index',
      'stella:integrity': 'sha256:a019b10a2a7cdeb292db131fc8113e57ea2a908f6e7894b0c3c671893b65dbeb',
    });
    const workspace = lock('lock-v1').packages ?? [];
    assert.equal(workspace[0]?.properties?.['stella:project'], '/src/lock-v1');
    assert.equal(workspace[0]?.type, 'cargo');
    assert.equal(workspace[0]?.foundBy, 'cargo-lock');
  });

  it('reports a bad [[package]] as an issue, keeps the rest; invalid TOML is MALFORMED_FILE', () => {
    const result = lock('lock-malformed-entry');
    assert.deepEqual(result.packages?.map((p) => `${p.name}@${p.version}`), ['app@0.1.0', 'libc@0.2.136']);
    assert.match(result.issues?.[0]?.message ?? '', /broken has no version/);
    assert.throws(() => lock('lock-not-toml'), malformed);
    assert.throws(() => analyzeCargoLock({ path: '/Cargo.lock', content: Buffer.from('package = "x"\n') }), malformed);
  });

  it('wants Cargo.lock outside cargo\'s own source caches', () => {
    assert.equal(cargoLockAnalyzer.wants('/src/app/Cargo.lock'), true);
    assert.equal(cargoLockAnalyzer.wants('/root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/ripgrep-14.1.0/Cargo.lock'), false);
    assert.equal(cargoLockAnalyzer.wants('/src/app/Cargo.toml'), false);
  });
});

const AUDIT = {
  packages: [
    { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
    { name: 'serde', version: '1.0.190', source: 'crates.io' },
    { name: 'mytool', version: '0.3.0', source: 'local', dependencies: [0, 1], root: true },
  ],
};
const auditSection = deflateSync(Buffer.from(JSON.stringify(AUDIT)));
const ids = (file: Buffer) => (analyzeAuditableBinary({ path: '/usr/bin/mytool', content: file }).packages ?? []).map((p) => `${p.name}@${p.version}`);

describe('cargo-auditable binaries', () => {
  it('reads a real cargo-auditable ELF (rustsec cargo-audit test binary)', () => {
    const content = readFileSync(new URL('auditable-elf/binary-with-vuln', testdata));
    const result = analyzeAuditableBinary({ path: '/usr/local/bin/vulnerable-binary', content });
    assert.deepEqual(result.packages, [
      { type: 'cargo', name: 'rustsec-example-crate', version: '0.0.1', location: '/usr/local/bin/vulnerable-binary', foundBy: 'cargo-auditable',
        properties: { 'stella:evidence': 'installed', 'stella:project': 'vulnerable-binary', 'stella:cargo-source': 'crates.io' } },
      { type: 'cargo', name: 'vulnerable-binary', version: '0.1.0', location: '/usr/local/bin/vulnerable-binary', foundBy: 'cargo-auditable',
        properties: { 'stella:evidence': 'installed', 'stella:project': 'vulnerable-binary', 'stella:cargo-local': 'true' } },
    ]);
  });

  it('reads .dep-v0 in synthesized ELF, PE and Mach-O (__DATA) files, and fat Mach-O slices', () => {
    const expected = ['cc@1.0.83', 'serde@1.0.190', 'mytool@0.3.0'];
    assert.deepEqual(ids(synthElf(32, false, [{ name: '.dep-v0', addr: 0, data: auditSection }])), expected);
    assert.deepEqual(ids(synthPe(64, 0x140000000, [{ name: '.dep-v0', addr: 0x140001000, data: auditSection }])), expected);
    const macho = synthMacho(64, true, [{ name: '.dep-v0', segment: '__DATA', addr: 0x1000, data: auditSection }]);
    assert.deepEqual(ids(macho), expected);
    assert.deepEqual(ids(synthMacho(64, true, [{ name: '.dep-v0', segment: '__TEXT', addr: 0x1000, data: auditSection }])), []);
    const plain = synthMacho(64, true, [{ name: '__data', segment: '__DATA', addr: 0x1000, data: Buffer.alloc(16) }]);
    assert.deepEqual(ids(synthFat([plain, macho])), expected);
  });

  it('marks build-kind crates (stella:cargo-kind=build, stella:dev=true)', () => {
    const [cc] = analyzeAuditableBinary({ path: '/x', content: synthElf(64, true, [{ name: '.dep-v0', addr: 0, data: auditSection }]) }).packages ?? [];
    assert.deepEqual(cc?.properties, { 'stella:evidence': 'installed', 'stella:project': 'mytool', 'stella:cargo-source': 'crates.io', 'stella:cargo-kind': 'build', 'stella:dev': 'true' });
  });

  it('gives nothing for executables without audit data; corrupt data is MALFORMED_FILE', () => {
    assert.deepEqual(analyzeAuditableBinary({ path: '/x', content: synthElf(64, true, [{ name: '.data', addr: 0, data: Buffer.alloc(8) }]) }), {});
    assert.deepEqual(analyzeAuditableBinary({ path: '/x', content: Buffer.from('#!/bin/sh\n'.repeat(10)) }), {});
    assert.throws(() => analyzeAuditableBinary({ path: '/x', content: synthElf(64, true, [{ name: '.dep-v0', addr: 0, data: Buffer.from('not zlib') }]) }), malformed);
    const noPackages = deflateSync(Buffer.from('{"format":1}'));
    assert.throws(() => analyzeAuditableBinary({ path: '/x', content: synthElf(64, true, [{ name: '.dep-v0', addr: 0, data: noPackages }]) }), malformed);
  });

  it('wants executables', () => {
    assert.equal(cargoAuditableAnalyzer.wants('/usr/bin/rg', { mode: 0o755, size: 4_000_000 }), true);
    assert.equal(cargoAuditableAnalyzer.wants('/usr/share/doc/x', { mode: 0o644, size: 4_000_000 }), false);
  });
});
