import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  AttestError, generateKeyPair, loadPrivateKey, loadPublicKey, signExport, signExportDir, verifyBlob, verifyExportDir,
  type VerifyResult,
} from './index.js';
import { tempDir } from './testing.js';

const FILES: Record<string, string> = {
  'advisories/CVE-2024-0001.json': '{"id":"CVE-2024-0001"}\n',
  'advisories/GHSA-aaaa-bbbb-cccc.json': '{"id":"GHSA-aaaa-bbbb-cccc"}\n',
  'index.json': '{"count":2}\n',
};
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

async function keys() {
  const pair = await generateKeyPair('pw');
  return { privateKey: await loadPrivateKey(pair.privatePem, 'pw'), publicKey: loadPublicKey(pair.publicPem) };
}

/** An export dir as src/exports writes one: the files, and a manifest with a files map. */
function exportDir(t: TestContext, listForm = false): string {
  const dir = tempDir(t);
  const files: Record<string, { sha256: string; size: number }> = {};
  for (const [name, content] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
    files[name] = { sha256: sha256(content), size: Buffer.byteLength(content) };
  }
  const manifest = listForm
    ? { kind: 'full', files: Object.entries(files).map(([p, f]) => ({ path: p, ...f })) }
    : { schemaVersion: 1, files };
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

function assertFails(result: VerifyResult, code: string, reason: RegExp): void {
  assert.equal(result.ok, false, 'expected a failure');
  if (!result.ok) {
    assert.equal(result.code, code, result.reason);
    assert.match(result.reason, reason);
  }
}

test('a signed export verifies: manifest.json.sig is a cosign blob signature, statement.dsse.json an in-toto v1 envelope', async (t) => {
  const { privateKey, publicKey } = await keys();
  const dir = exportDir(t);
  await signExportDir(dir, privateKey);
  assert.deepEqual(await verifyExportDir(dir, publicKey), { ok: true });
  const signature = readFileSync(path.join(dir, 'manifest.json.sig'), 'utf8');
  assert.doesNotMatch(signature, /\n/);
  assert.deepEqual(verifyBlob(readFileSync(path.join(dir, 'manifest.json')), signature, publicKey), { ok: true });
  const envelope = JSON.parse(readFileSync(path.join(dir, 'statement.dsse.json'), 'utf8')) as { payloadType: string; payload: string; signatures: unknown[] };
  assert.deepEqual(Object.keys(envelope).sort(), ['payload', 'payloadType', 'signatures']);
  assert.equal(envelope.payloadType, 'application/vnd.in-toto+json');
  const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as { predicateType: string; subject: Array<{ name: string; digest: { sha256: string } }> };
  assert.equal(statement.predicateType, 'https://slsa.dev/provenance/v1');
  assert.deepEqual(statement.subject, Object.keys(FILES).sort().map((name) => ({ name, digest: { sha256: sha256(FILES[name]!) } })));
});

test('the offline-kit list form of files works too', async (t) => {
  const { privateKey, publicKey } = await keys();
  const dir = exportDir(t, true);
  await signExportDir(dir, privateKey);
  assert.deepEqual(await verifyExportDir(dir, publicKey), { ok: true });
});

test('each kind of tampering is caught with its own code and a reason naming the file', async (t) => {
  const { privateKey, publicKey } = await keys();
  const cases: Array<[string, (dir: string) => void, string, RegExp]> = [
    ['a changed data byte', (dir) => writeFileSync(path.join(dir, 'index.json'), '{"count":3}\n'), 'DIGEST_MISMATCH', /index\.json: sha256/],
    ['a changed manifest byte', (dir) => {
      const file = path.join(dir, 'manifest.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"schemaVersion": 1', '"schemaVersion": 2'));
    }, 'BAD_SIGNATURE', /manifest\.json\.sig/],
    ['a changed signature byte', (dir) => {
      const file = path.join(dir, 'manifest.json.sig');
      const bytes = Buffer.from(readFileSync(file, 'utf8'), 'base64');
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      writeFileSync(file, bytes.toString('base64'));
    }, 'BAD_SIGNATURE', /manifest\.json\.sig/],
    ['a changed statement payload', (dir) => {
      const file = path.join(dir, 'statement.dsse.json');
      const envelope = JSON.parse(readFileSync(file, 'utf8')) as { payload: string };
      envelope.payload = Buffer.from(Buffer.from(envelope.payload, 'base64').toString().replace('index.json', 'index.jsoN')).toString('base64');
      writeFileSync(file, JSON.stringify(envelope));
    }, 'BAD_SIGNATURE', /statement\.dsse\.json/],
    ['a missing statement', (dir) => rmSync(path.join(dir, 'statement.dsse.json')), 'MISSING_FILE', /statement\.dsse\.json is missing/],
    ['a missing data file', (dir) => rmSync(path.join(dir, 'advisories/CVE-2024-0001.json')), 'MISSING_FILE', /CVE-2024-0001\.json is missing/],
    ['an extra file', (dir) => writeFileSync(path.join(dir, 'advisories/extra.json'), '{}'), 'MISSING_FILE', /extra\.json is not in the manifest/],
    ['a symlink for a file', (dir) => {
      rmSync(path.join(dir, 'index.json'));
      symlinkSync('/etc/hostname', path.join(dir, 'index.json'));
    }, 'MALFORMED', /index\.json is not a regular file/],
  ];
  for (const [name, tamper, code, reason] of cases) {
    const dir = exportDir(t);
    await signExportDir(dir, privateKey);
    tamper(dir);
    await t.test(name, async () => assertFails(await verifyExportDir(dir, publicKey), code, reason));
  }
});

test('another key fails; a statement whose subjects differ from the manifest fails', async (t) => {
  const { privateKey, publicKey } = await keys();
  const dir = exportDir(t);
  await signExportDir(dir, privateKey);
  assertFails(await verifyExportDir(dir, (await keys()).publicKey), 'BAD_SIGNATURE', /manifest\.json\.sig/);
  const partial = exportDir(t);
  await signExport(partial, [{ name: 'index.json', sha256: sha256(FILES['index.json']!) }], privateKey);
  assertFails(await verifyExportDir(partial, publicKey), 'DIGEST_MISMATCH', /CVE-2024-0001\.json \(manifest\) has no matching subject/);
});

test('manifests that are not safe to sign are refused with BAD_MANIFEST', async (t) => {
  const { privateKey } = await keys();
  const bad = async (manifest: unknown, message: RegExp) => {
    const dir = tempDir(t);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    await assert.rejects(signExportDir(dir, privateKey), (e: AttestError) => e.code === 'BAD_MANIFEST' && message.test(e.message));
  };
  const entry = { sha256: sha256(''), size: 0 };
  await bad({ files: { '../escape.json': entry } }, /unsafe/);
  await bad({ files: { '/abs.json': entry } }, /unsafe/);
  await bad({ files: { 'a/./b.json': entry } }, /unsafe/);
  await bad({ files: { 'manifest.json.sig': entry } }, /must not list/);
  await bad({ files: { 'a.json': { sha256: 'nope' } } }, /sha256/);
  await bad({ files: [{ path: 'a.json', ...entry }, { path: 'a.json', ...entry }] }, /twice/);
  await bad({ nothing: true }, /no "files"/);
  const missing = tempDir(t);
  await assert.rejects(signExportDir(missing, privateKey), (e: AttestError) => e.code === 'BAD_MANIFEST');
});
