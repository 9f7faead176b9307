import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stella } from './harness.js';

/*
 * `stella db export` / `stella db inspect` / `stella verify` as a user runs them: real records
 * fetched --from the connectors' test data and merged, a cosign key made by `stella key generate`,
 * then signed exports in both formats, exported twice (same bytes), checked by OpenSSL and by
 * `stella verify`, and read back with `stella db inspect`.
 */

const CONNECTORS = join(import.meta.dirname, '..', '..', 'src', 'feeds', 'connectors');
const SOURCES = [
  ['osv', join(CONNECTORS, 'osv', 'testdata')],
  ['ghsa', join(CONNECTORS, 'ghsa', 'testdata', 'advisory-database')],
  ['nvd', join(CONNECTORS, 'nvd', 'testdata', 'fkie')],
] as const;
const SIGNATURE_FILES = new Set(['manifest.json.sig', 'statement.dsse.json']);

let home: string;
let work: string;
const env = { ...process.env };

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

function haveOpenssl(): boolean {
  const ok = spawnSync('openssl', ['version']).status === 0;
  if (!ok && process.env.CI === 'true') throw new Error('openssl is required under CI=true');
  if (!ok) process.stderr.write('\n*** SKIPPING the OpenSSL check: openssl not found ***\n\n');
  return ok;
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'stella-export-cli-'));
  work = mkdtempSync(join(tmpdir(), 'stella-export-out-'));
  process.env.STELLA_HOME = home;
  process.env.COSIGN_PASSWORD = 'correct horse battery staple';
  delete process.env.STELLA_DATABASE_URL;
  delete process.env.SOURCE_DATE_EPOCH;
  for (const [source, from] of SOURCES) {
    const fetched = await stella(['db', 'fetch', '--source', source, '--from', from, '--offline']);
    assert.equal(fetched.status, 0, fetched.stderr);
  }
  const merged = await stella(['db', 'merge']);
  assert.equal(merged.status, 0, merged.stderr);
  const key = await stella(['key', 'generate', '--out', join(work, 'keys')]);
  assert.equal(key.status, 0, key.stderr);
});

after(() => {
  process.env = env;
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('stella db export', () => {
  for (const format of ['trivy-db', 'json'] as const) {
    test(`${format}: signed, byte-identical on re-run, verified by OpenSSL and stella verify; a changed byte fails`, async () => {
      const a = join(work, `${format}-a`);
      const b = join(work, `${format}-b`);
      for (const out of [a, b]) {
        const result = await stella(['db', 'export', '--format', format, '--out', out, '--sign-key', join(work, 'keys', 'cosign.key')]);
        assert.equal(result.status, 0, result.stderr);
        const summary = JSON.parse(result.stdout) as { format: string; signed?: { signature: string } };
        assert.equal(summary.format, format);
        assert.equal(summary.signed?.signature, 'manifest.json.sig');
      }
      const first = files(a);
      const second = files(b);
      assert.deepEqual([...first.keys()], [...second.keys()]);
      for (const [path, bytes] of first) {
        if (!SIGNATURE_FILES.has(path)) assert.ok(bytes.equals(second.get(path)!), `${path} is byte-identical`);
      }
      // Every exported file is in the signed manifest with its digest.
      const manifest = JSON.parse(first.get('manifest.json')!.toString('utf8')) as { files: { path: string }[] };
      const listed = new Set(manifest.files.map((f) => f.path));
      for (const path of first.keys()) if (path !== 'manifest.json' && !SIGNATURE_FILES.has(path)) assert.ok(listed.has(path), `${path} is listed`);

      const pub = join(work, 'keys', 'cosign.pub');
      const verified = await stella(['verify', join(a, 'manifest.json'), '--key', pub, '--signature', join(a, 'manifest.json.sig')]);
      assert.equal(verified.status, 0, verified.stderr);
      if (haveOpenssl()) {
        const der = join(work, `${format}.sig.der`);
        writeFileSync(der, Buffer.from(first.get('manifest.json.sig')!.toString('utf8'), 'base64'));
        const openssl = spawnSync('openssl', ['dgst', '-sha256', '-verify', pub, '-signature', der, join(a, 'manifest.json')], { encoding: 'utf8' });
        assert.equal(openssl.status, 0, openssl.stderr);
        assert.match(openssl.stdout, /Verified OK/);
      }
      const { loadPublicKey, verifyExportDir } = await import('../../src/attest/index.js');
      const key = loadPublicKey(readFileSync(pub, 'utf8'));
      assert.deepEqual(await verifyExportDir(a, key), { ok: true });
      // One changed byte in a payload file: the tree no longer verifies.
      const victim = format === 'trivy-db' ? join(b, 'db', 'metadata.json') : join(b, 'index.json');
      const bytes = readFileSync(victim);
      bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 1;
      writeFileSync(victim, bytes);
      const tampered = await verifyExportDir(b, key);
      assert.equal(tampered.ok, false);
      // One changed byte in the manifest: the blob signature fails.
      const manifestB = readFileSync(join(b, 'manifest.json'));
      manifestB[10] = (manifestB[10] ?? 0) ^ 1;
      writeFileSync(join(b, 'manifest.json'), manifestB);
      const bad = await stella(['verify', join(b, 'manifest.json'), '--key', pub, '--signature', join(b, 'manifest.json.sig')]);
      assert.equal(bad.status, 1);
      assert.notEqual(bad.stderr, '');
    });
  }

  test('db inspect reads the exported trivy.db the way Trivy looks things up', async () => {
    const db = join(work, 'trivy-db-a', 'db', 'trivy.db');
    const summary = await stella(['db', 'inspect', db]);
    assert.equal(summary.status, 0, summary.stderr);
    const top = JSON.parse(summary.stdout) as { buckets: { name: string }[] };
    const names = top.buckets.map((b) => b.name);
    for (const name of ['data-source', 'vulnerability', 'debian 7', 'npm::GitHub Security Advisory npm']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    const value = await stella(['db', 'inspect', db, '--bucket', 'npm::GitHub Security Advisory npm', '--bucket', 'lodash', '--key', 'CVE-2020-8203']);
    assert.equal(value.status, 0, value.stderr);
    const got = JSON.parse(value.stdout) as { found: boolean; json: { PatchedVersions?: string[]; VulnerableVersions?: string[] } };
    assert.equal(got.found, true);
    assert.deepEqual(got.json.PatchedVersions, ['4.17.20']);
    const missing = await stella(['db', 'inspect', db, '--bucket', 'npm::GitHub Security Advisory npm', '--bucket', 'lodash', '--key', 'CVE-0000-0000']);
    assert.equal(missing.status, 1);
  });

  test('json --delta against the first export: applying it gives the full export', async () => {
    const base = join(work, 'json-a');
    const delta = join(work, 'json-delta');
    const result = await stella(['db', 'export', '--format', 'json', '--out', delta, '--delta', '--base', base]);
    assert.equal(result.status, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as { kind: string; written: number; removed: number };
    assert.deepEqual([summary.kind, summary.written, summary.removed], ['delta', 0, 0]);
    const { applyJsonDelta } = await import('../../src/exports/index.js');
    const applied = join(work, 'json-applied');
    await applyJsonDelta(base, delta, applied);
    const full = files(base);
    const rebuilt = files(applied);
    for (const name of SIGNATURE_FILES) full.delete(name);
    assert.deepEqual([...rebuilt.keys()], [...full.keys()]);
    for (const [path, bytes] of full) assert.ok(bytes.equals(rebuilt.get(path)!), path);
  });

  test('usage errors: unknown format, --delta without --base, a missing key file', async () => {
    assert.equal((await stella(['db', 'export', '--format', 'xml', '--out', join(work, 'x')])).status, 2);
    assert.equal((await stella(['db', 'export', '--format', 'json', '--out', join(work, 'y'), '--delta'])).status, 2);
    const noKey = await stella(['db', 'export', '--format', 'json', '--out', join(work, 'z'), '--sign-key', join(work, 'nope.key')]);
    assert.equal(noKey.status, 1);
    assert.match(noKey.stderr, /--sign-key/);
  });
});
