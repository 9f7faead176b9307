import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scryptSync, sign, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nacl from 'tweetnacl';
import {
  AttestError, generateKeyPair, loadPrivateKey, loadPublicKey, publicKeyHint, signBlob, verifyBlob,
} from './index.js';
import { haveOpenssl, openssl, tempDir } from './testing.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const fixture = (name: string) => readFileSync(path.join(testdata, name), 'utf8');

// --- An independent reading of cosign's format, as go-securesystemslib's encrypted.Decrypt does it:
// PEM body → JSON → scrypt(passphrase, salt, N, r, p, 32) → nacl secretbox.open(ciphertext, nonce).
function pemBody(pem: string): { type: string; der: Buffer } {
  const lines = pem.trim().split('\n');
  const type = /^-----BEGIN (.+)-----$/.exec(lines[0]!)![1]!;
  assert.equal(lines.at(-1), `-----END ${type}-----`);
  return { type, der: Buffer.from(lines.slice(1, -1).join(''), 'base64') };
}

interface EncryptedJson {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

function independentDecrypt(pem: string, passphrase: string): Buffer | null {
  const json = JSON.parse(pemBody(pem).der.toString('utf8')) as EncryptedJson;
  const { N, r, p } = json.kdf.params;
  const key = scryptSync(Buffer.from(passphrase, 'utf8'), Buffer.from(json.kdf.salt, 'base64'), 32, { N, r, p, maxmem: 512 * 1024 * 1024 });
  const opened = nacl.secretbox.open(Buffer.from(json.ciphertext, 'base64'), Buffer.from(json.cipher.nonce, 'base64'), key);
  return opened === null ? null : Buffer.from(opened);
}

function independentEncrypt(pkcs8: Buffer, passphrase: string, N = 32768, type = 'ENCRYPTED SIGSTORE PRIVATE KEY'): string {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = scryptSync(passphrase, salt, 32, { N, r: 8, p: 1, maxmem: 512 * 1024 * 1024 });
  const json = {
    kdf: { name: 'scrypt', params: { N, r: 8, p: 1 }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(nacl.secretbox(pkcs8, nonce, key)).toString('base64'),
  };
  const body = Buffer.from(JSON.stringify(json)).toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----\n`;
}

test('a generated key is cosign-shaped: ENCRYPTED SIGSTORE PRIVATE KEY with scrypt N=32768 r=8 p=1 and nacl/secretbox', async () => {
  const pair = await generateKeyPair('correct horse');
  const { type, der } = pemBody(pair.privatePem);
  assert.equal(type, 'ENCRYPTED SIGSTORE PRIVATE KEY');
  const body = pair.privatePem.split('\n').slice(1, -2);
  assert.ok(body.slice(0, -1).every((line) => line.length === 64) && body.at(-1)!.length <= 64, 'PEM body wrapped at 64 columns as Go writes it');
  const json = JSON.parse(der.toString('utf8')) as EncryptedJson;
  assert.deepEqual(Object.keys(json), ['kdf', 'cipher', 'ciphertext']);
  assert.deepEqual(json.kdf.params, { N: 32768, r: 8, p: 1 });
  assert.equal(json.kdf.name, 'scrypt');
  assert.equal(json.cipher.name, 'nacl/secretbox');
  assert.equal(Buffer.from(json.kdf.salt, 'base64').length, 32);
  assert.equal(Buffer.from(json.cipher.nonce, 'base64').length, 24);
  assert.equal(pemBody(pair.publicPem).type, 'PUBLIC KEY');
  assert.ok(!pair.privatePem.includes('BEGIN PRIVATE KEY'));
});

test('an independent scrypt + secretbox decrypts our key to PKCS#8 DER matching the public key', async () => {
  const pair = await generateKeyPair('correct horse');
  const pkcs8 = independentDecrypt(pair.privatePem, 'correct horse');
  assert.ok(pkcs8 !== null);
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  assert.equal(privateKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  assert.deepEqual(derived, pemBody(pair.publicPem).der);
  assert.equal(independentDecrypt(pair.privatePem, 'wrong'), null);
});

test('we load a key encrypted independently, at each strength go-securesystemslib reads', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  for (const N of [32768, 65536, 131072]) {
    const loaded = await loadPrivateKey(independentEncrypt(pkcs8, 'pw', N), 'pw');
    const signature = sign('sha256', Buffer.from('x'), loaded);
    assert.ok(verify('sha256', Buffer.from('x'), publicKey, signature), `N=${N}`);
  }
});

test('real cosign key files load with their passphrase, under both PEM labels', async () => {
  for (const name of ['cosign-sigstore-label.key', 'cosign-cosign-label.key']) {
    const pem = fixture(name);
    const key = await loadPrivateKey(pem, 'hello');
    // The same key as the independent decryption gives.
    const independent = createPrivateKey({ key: independentDecrypt(pem, 'hello')!, format: 'der', type: 'pkcs8' });
    assert.deepEqual(key.export({ type: 'pkcs8', format: 'der' }), independent.export({ type: 'pkcs8', format: 'der' }), name);
    const publicKey = createPublicKey(key);
    assert.equal(verifyBlob(Buffer.from('blob'), signBlob(Buffer.from('blob'), key), publicKey).ok, true, name);
    await assert.rejects(loadPrivateKey(pem, 'hello!'), (error: AttestError) => error.code === 'WRONG_PASSPHRASE', name);
  }
});

test('a cosign key whose plaintext is SEC1, not PKCS#8, is refused as cosign refuses it', async () => {
  await assert.rejects(loadPrivateKey(fixture('cosign-sec1-plaintext.key'), 'hello'),
    (error: AttestError) => error.code === 'BAD_KEY_FORMAT' && /PKCS#8/.test(error.message));
});

test('bad key files get typed errors: wrong passphrase, unencrypted, unknown kdf params, not PEM, altered', async () => {
  const pair = await generateKeyPair('pw');
  await assert.rejects(loadPrivateKey(pair.privatePem, 'wrong'), (e: AttestError) => e instanceof AttestError && e.code === 'WRONG_PASSPHRASE');
  const plain = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await assert.rejects(loadPrivateKey(plain, ''), (e: AttestError) => e.code === 'BAD_PEM' && /unencrypted/.test(e.message));
  await assert.rejects(loadPrivateKey('not a key', 'pw'), (e: AttestError) => e.code === 'BAD_PEM');
  const pkcs8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' });
  await assert.rejects(loadPrivateKey(independentEncrypt(pkcs8, 'pw', 16384), 'pw'), (e: AttestError) => e.code === 'BAD_KEY_FORMAT' && /scrypt/.test(e.message));
  // One changed byte of ciphertext: secretbox's MAC refuses it.
  const { der } = pemBody(pair.privatePem);
  const json = JSON.parse(der.toString()) as EncryptedJson;
  const ciphertext = Buffer.from(json.ciphertext, 'base64');
  ciphertext[10] = ciphertext[10]! ^ 1;
  json.ciphertext = ciphertext.toString('base64');
  const altered = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${Buffer.from(JSON.stringify(json)).toString('base64')}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
  await assert.rejects(loadPrivateKey(altered, 'pw'), (e: AttestError) => e.code === 'WRONG_PASSPHRASE');
});

test('an empty passphrase is allowed, as cosign allows it', async () => {
  const pair = await generateKeyPair('');
  const key = await loadPrivateKey(pair.privatePem, '');
  assert.equal(verifyBlob(Buffer.from('a'), signBlob(Buffer.from('a'), key), loadPublicKey(pair.publicPem)).ok, true);
});

test('only ECDSA P-256 keys are accepted, and only the expected half', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.throws(() => loadPublicKey(rsa), (e: AttestError) => e.code === 'UNSUPPORTED_KEY' && /rsa/.test(e.message));
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.throws(() => loadPublicKey(p384), (e: AttestError) => e.code === 'UNSUPPORTED_KEY');
  const pair = await generateKeyPair('pw');
  assert.throws(() => signBlob(Buffer.from('a'), loadPublicKey(pair.publicPem)), (e: AttestError) => e.code === 'UNSUPPORTED_KEY');
  assert.throws(() => loadPublicKey(pair.privatePem), (e: AttestError) => e.code === 'BAD_PEM');
});

test('the key hint is base64 SHA-256 of the SPKI DER, as cosign computes it', async () => {
  const pair = await generateKeyPair('pw');
  const expected = createHash('sha256').update(pemBody(pair.publicPem).der).digest('base64');
  assert.equal(publicKeyHint(loadPublicKey(pair.publicPem)), expected);
  assert.equal(publicKeyHint(await loadPrivateKey(pair.privatePem, 'pw')), expected);
});

test('OpenSSL reads our public key and the PKCS#8 inside our encrypted key as the same P-256 pair', async (t) => {
  if (!haveOpenssl(t)) return;
  const dir = tempDir(t);
  const pair = await generateKeyPair('pw');
  const pkcs8Pem = createPrivateKey({ key: independentDecrypt(pair.privatePem, 'pw')!, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(path.join(dir, 'key.pem'), pkcs8Pem, { mode: 0o600 });
  const derived = openssl(['pkey', '-in', path.join(dir, 'key.pem'), '-pubout']);
  assert.equal(derived.status, 0, derived.stderr);
  assert.equal(derived.stdout.toString('utf8'), pair.publicPem);
  writeFileSync(path.join(dir, 'cosign.pub'), pair.publicPem);
  const text = openssl(['pkey', '-pubin', '-in', path.join(dir, 'cosign.pub'), '-text', '-noout']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout.toString('utf8'), /prime256v1|P-256/);
});
