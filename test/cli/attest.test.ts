import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadPrivateKey, loadPublicKey, verifyBlob } from '../../src/attest/index.js';
import { readPassphrase } from '../../src/cli/commands/passphrase.js';
import { stella } from './harness.js';

function workdir(t: TestContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'stella-cli-attest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs with COSIGN_PASSWORD set to `password` (or unset for undefined), restoring it afterwards. */
async function withPassword<T>(password: string | undefined, body: () => Promise<T>): Promise<T> {
  const saved = process.env.COSIGN_PASSWORD;
  if (password === undefined) delete process.env.COSIGN_PASSWORD;
  else process.env.COSIGN_PASSWORD = password;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.COSIGN_PASSWORD;
    else process.env.COSIGN_PASSWORD = saved;
  }
}

const mode = (file: string) => statSync(file).mode & 0o777;

async function generated(t: TestContext): Promise<string> {
  const dir = workdir(t);
  const result = await withPassword('s3cret', () => stella(['key', 'generate', '--out', dir]));
  assert.equal(result.status, 0, result.stderr);
  return dir;
}

test('key generate writes cosign.key (0600, encrypted) and cosign.pub; paths as JSON on stdout; refuses to overwrite without --force', async (t) => {
  const dir = workdir(t);
  const result = await withPassword('s3cret', () => stella(['key', 'generate', '--out', dir]));
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { privateKey: string; publicKey: string; keyHint: string };
  assert.equal(out.privateKey, path.join(dir, 'cosign.key'));
  assert.equal(out.publicKey, path.join(dir, 'cosign.pub'));
  assert.match(result.stderr, /Private key written to/);
  assert.equal(mode(out.privateKey), 0o600);
  assert.equal(mode(out.publicKey), 0o644, 'the public key is public, as cosign writes it');
  const pem = readFileSync(out.privateKey, 'utf8');
  assert.match(pem, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
  await loadPrivateKey(pem, 's3cret');

  const again = await withPassword('other', () => stella(['key', 'generate', '--out', dir]));
  assert.equal(again.status, 1);
  assert.match(again.stderr, /cosign\.key already exists \(pass --force/);
  assert.equal(readFileSync(out.privateKey, 'utf8'), pem, 'untouched');
  const forced = await withPassword('other', () => stella(['key', 'generate', '--out', dir, '--force']));
  assert.equal(forced.status, 0, forced.stderr);
  assert.notEqual(readFileSync(out.privateKey, 'utf8'), pem);
  assert.equal(mode(out.privateKey), 0o600);
  await loadPrivateKey(readFileSync(out.privateKey, 'utf8'), 'other');
});

test('an empty COSIGN_PASSWORD is used (with a warning), as cosign does', async (t) => {
  const dir = workdir(t);
  const result = await withPassword('', () => stella(['key', 'generate', '--out', dir]));
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /warning: .*empty passphrase/);
  await loadPrivateKey(readFileSync(path.join(dir, 'cosign.key'), 'utf8'), '');
});

test('without COSIGN_PASSWORD and without a terminal: a clear error, nothing written', async (t) => {
  const dir = workdir(t);
  const result = await withPassword(undefined, () => stella(['key', 'generate', '--out', dir]));
  assert.equal(result.status, 1);
  assert.match(result.stderr, /set COSIGN_PASSWORD/);
  assert.throws(() => statSync(path.join(dir, 'cosign.key')));
});

test('sign → <file>.sig (0600, cosign format), verify exits 0; a changed file exits 1 with the reason on stderr', async (t) => {
  const dir = await generated(t);
  const file = path.join(dir, 'sbom.json');
  writeFileSync(file, '{"bomFormat":"CycloneDX"}\n');
  const signed = await withPassword('s3cret', () => stella(['sign', file, '--key', path.join(dir, 'cosign.key')]));
  assert.equal(signed.status, 0, signed.stderr);
  assert.deepEqual(JSON.parse(signed.stdout), { file, signature: `${file}.sig` });
  assert.equal(mode(`${file}.sig`), 0o600);
  const publicKey = loadPublicKey(readFileSync(path.join(dir, 'cosign.pub'), 'utf8'));
  assert.deepEqual(verifyBlob(readFileSync(file), readFileSync(`${file}.sig`, 'utf8'), publicKey), { ok: true });

  const ok = await stella(['verify', file, '--key', path.join(dir, 'cosign.pub'), '--signature', `${file}.sig`]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /Verified OK/);
  assert.deepEqual(JSON.parse(ok.stdout), { file, verified: true });

  writeFileSync(file, '{"bomFormat":"CycloneDX" }\n');
  const bad = await stella(['verify', file, '--key', path.join(dir, 'cosign.pub'), '--signature', `${file}.sig`]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /verification FAILED: the signature does not verify with the given public key/);
  assert.equal((JSON.parse(bad.stdout) as { code: string }).code, 'BAD_SIGNATURE');
});

test('sign --bundle → <file>.sigstore.json (bundle v0.3, DSSE); verify --bundle exits 0, then 1 for a changed file or bundle', async (t) => {
  const dir = await generated(t);
  const file = path.join(dir, 'report.sarif');
  writeFileSync(file, 'findings\n');
  const signed = await withPassword('s3cret', () => stella(['sign', file, '--key', path.join(dir, 'cosign.key'), '--bundle']));
  assert.equal(signed.status, 0, signed.stderr);
  const bundlePath = `${file}.sigstore.json`;
  assert.equal(mode(bundlePath), 0o600);
  const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as { mediaType: string; dsseEnvelope: { payload: string; payloadType: string } };
  assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
  const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as { subject: Array<{ name: string }> };
  assert.equal(statement.subject[0]!.name, 'report.sarif');

  const args = ['verify', file, '--key', path.join(dir, 'cosign.pub'), '--bundle', bundlePath];
  assert.equal((await stella(args)).status, 0);
  writeFileSync(file, 'findings!\n');
  const changedFile = await stella(args);
  assert.equal(changedFile.status, 1);
  assert.match(changedFile.stderr, /is not a subject of the signed statement/);
  writeFileSync(file, 'findings\n');
  const sigBytes = Buffer.from((bundle as unknown as { dsseEnvelope: { signatures: Array<{ sig: string }> } }).dsseEnvelope.signatures[0]!.sig, 'base64');
  sigBytes[20] = sigBytes[20]! ^ 1;
  (bundle as unknown as { dsseEnvelope: { signatures: Array<{ sig: string }> } }).dsseEnvelope.signatures[0]!.sig = sigBytes.toString('base64');
  writeFileSync(bundlePath, JSON.stringify(bundle));
  const changedBundle = await stella(args);
  assert.equal(changedBundle.status, 1);
  assert.match(changedBundle.stderr, /verification FAILED/);
});

test('verify: another key exits 1; both or neither of --signature/--bundle is a usage error (2); wrong passphrase exits 1', async (t) => {
  const dir = await generated(t);
  const other = await generated(t);
  const file = path.join(dir, 'f.txt');
  writeFileSync(file, 'x');
  const sign = await withPassword('s3cret', () => stella(['sign', file, '--key', path.join(dir, 'cosign.key')]));
  assert.equal(sign.status, 0, sign.stderr);
  const wrongKey = await stella(['verify', file, '--key', path.join(other, 'cosign.pub'), '--signature', `${file}.sig`]);
  assert.equal(wrongKey.status, 1);
  assert.equal((await stella(['verify', file, '--key', path.join(dir, 'cosign.pub')])).status, 2);
  assert.equal((await stella(['verify', file, '--key', path.join(dir, 'cosign.pub'), '--signature', 'a', '--bundle', 'b'])).status, 2);
  const wrongPass = await withPassword('nope', () => stella(['sign', file, '--key', path.join(dir, 'cosign.key')]));
  assert.equal(wrongPass.status, 1);
  assert.match(wrongPass.stderr, /wrong passphrase/);
  const noKeyFile = await stella(['verify', file, '--key', path.join(dir, 'absent.pub'), '--signature', `${file}.sig`]);
  assert.equal(noKeyFile.status, 1);
  assert.match(noKeyFile.stderr, /ENOENT|no such file/i);
});

test('sign --output - prints the signature on stdout', async (t) => {
  const dir = await generated(t);
  const file = path.join(dir, 'f.txt');
  writeFileSync(file, 'y');
  const result = await withPassword('s3cret', () => stella(['sign', file, '--key', path.join(dir, 'cosign.key'), '--output', '-']));
  assert.equal(result.status, 0, result.stderr);
  const publicKey = loadPublicKey(readFileSync(path.join(dir, 'cosign.pub'), 'utf8'));
  assert.deepEqual(verifyBlob(Buffer.from('y'), result.stdout, publicKey), { ok: true });
});

/** A stand-in terminal: isTTY, setRawMode recorded, keystrokes pushed as data. */
function fakeTty(keys: string[]): { stdin: PassThrough & { isTTY: boolean; setRawMode: (m: boolean) => void }; raw: boolean[] } {
  const raw: boolean[] = [];
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (m: boolean) => void raw.push(m) });
  let i = 0;
  const feed = (): void => {
    if (i < keys.length) stdin.write(keys[i++]);
  };
  stdin.on('resume', () => setImmediate(feed));
  return { stdin, raw };
}

test('on a terminal the passphrase is read in raw mode without echo, twice for a new key; Backspace edits', async () => {
  const { stdin, raw } = fakeTty(['se\u007fecret\r', 'secret\r']);
  const stderr = new PassThrough();
  const shown: string[] = [];
  stderr.on('data', (chunk: Buffer) => shown.push(chunk.toString()));
  const passphrase = await withPassword(undefined, () => readPassphrase({ stdin, stdout: new PassThrough(), stderr }, process.env, true));
  assert.equal(passphrase, 'secret');
  assert.equal(shown.join(''), 'Enter password for private key: \nEnter password for private key again: \n', 'nothing typed is echoed');
  assert.deepEqual(raw, [true, false, true, false]);
  const mismatch = fakeTty(['one\r', 'two\r']);
  await assert.rejects(readPassphrase({ stdin: mismatch.stdin, stdout: new PassThrough(), stderr: new PassThrough() }, {}, true), /passwords do not match/);
});

test('a key file made by cosign signs through the CLI (COSIGN_PASSWORD as cosign reads it)', async (t) => {
  const dir = workdir(t);
  const file = path.join(dir, 'f.txt');
  writeFileSync(file, 'signed with a cosign key');
  const keyFile = path.join(import.meta.dirname, '../../src/attest/testdata/cosign-sigstore-label.key');
  const result = await withPassword('hello', () => stella(['sign', file, '--key', keyFile]));
  assert.equal(result.status, 0, result.stderr);
  const publicKey = createPublicKey(await loadPrivateKey(readFileSync(keyFile, 'utf8'), 'hello'));
  assert.deepEqual(verifyBlob(readFileSync(file), readFileSync(`${file}.sig`, 'utf8'), publicKey), { ok: true });
});
