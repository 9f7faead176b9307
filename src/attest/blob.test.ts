import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, loadPrivateKey, loadPublicKey, signBlob, signBlobFile, verifyBlob, verifyBlobFile } from './index.js';
import { haveOpenssl, openssl, tempDir } from './testing.js';

async function keys(passphrase = 'pw') {
  const pair = await generateKeyPair(passphrase);
  return { pair, privateKey: await loadPrivateKey(pair.privatePem, passphrase), publicKey: loadPublicKey(pair.publicPem) };
}

test('OpenSSL verifies our blob signature (base64-decoded DER over SHA-256 of the file)', async (t) => {
  if (!haveOpenssl(t)) return;
  const dir = tempDir(t);
  const { pair, privateKey } = await keys();
  const file = path.join(dir, 'blob.bin');
  writeFileSync(file, randomBytes(100_000));
  writeFileSync(path.join(dir, 'cosign.pub'), pair.publicPem);
  const signature = await signBlobFile(file, privateKey);
  writeFileSync(path.join(dir, 'sig.der'), Buffer.from(signature, 'base64'));
  const ok = openssl(['dgst', '-sha256', '-verify', path.join(dir, 'cosign.pub'), '-signature', path.join(dir, 'sig.der'), file]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout.toString(), /Verified OK/);
  writeFileSync(file, 'something else');
  const bad = openssl(['dgst', '-sha256', '-verify', path.join(dir, 'cosign.pub'), '-signature', path.join(dir, 'sig.der'), file]);
  assert.notEqual(bad.status, 0);
});

test('we verify a signature OpenSSL made with the PKCS#8 key decrypted from our key file', async (t) => {
  if (!haveOpenssl(t)) return;
  const dir = tempDir(t);
  const { pair, privateKey } = await keys();
  writeFileSync(path.join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const file = path.join(dir, 'data.txt');
  writeFileSync(file, 'signed by openssl\n');
  const made = openssl(['dgst', '-sha256', '-sign', path.join(dir, 'key.pem'), file]);
  assert.equal(made.status, 0, made.stderr);
  const signatureB64 = made.stdout.toString('base64');
  const publicKey = loadPublicKey(pair.publicPem);
  assert.deepEqual(verifyBlob(Buffer.from('signed by openssl\n'), signatureB64, publicKey), { ok: true });
  assert.deepEqual(await verifyBlobFile(file, `${signatureB64}\n`, publicKey), { ok: true });
  assert.equal(verifyBlob(Buffer.from('signed by openssl'), signatureB64, publicKey).ok, false);
});

test('signatures are randomized (ECDSA k) yet each verifies; the file and in-memory paths agree', async (t) => {
  const dir = tempDir(t);
  const { privateKey, publicKey } = await keys();
  const data = Buffer.from('same bytes');
  const one = signBlob(data, privateKey);
  const two = signBlob(data, privateKey);
  assert.notEqual(one, two);
  writeFileSync(path.join(dir, 'f'), data);
  for (const signature of [one, two, await signBlobFile(path.join(dir, 'f'), privateKey)]) {
    assert.deepEqual(verifyBlob(data, signature, publicKey), { ok: true });
    assert.deepEqual(await verifyBlobFile(path.join(dir, 'f'), signature, publicKey), { ok: true });
  }
});

test('every single-byte change to the file or to the DER signature fails, with a reason', async () => {
  const { privateKey, publicKey } = await keys();
  const data = Buffer.from('a small file that is signed\n');
  const signature = Buffer.from(signBlob(data, privateKey), 'base64');
  for (let i = 0; i < data.length; i++) {
    const changed = Buffer.from(data);
    changed[i] = changed[i]! ^ 0x01;
    const result = verifyBlob(changed, signature.toString('base64'), publicKey);
    assert.equal(result.ok, false, `file byte ${i}`);
    assert.ok(!result.ok && result.code === 'BAD_SIGNATURE' && /does not verify/.test(result.reason));
  }
  for (let i = 0; i < signature.length; i++) {
    for (const mask of [0x01, 0x80]) {
      const changed = Buffer.from(signature);
      changed[i] = changed[i]! ^ mask;
      assert.equal(verifyBlob(data, changed.toString('base64'), publicKey).ok, false, `signature byte ${i} ^ ${mask}`);
    }
  }
});

test('every single-character change to the base64 signature text fails, including its padding bits', async () => {
  const { privateKey, publicKey } = await keys();
  const data = Buffer.from('x');
  const text = signBlob(data, privateKey);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
  for (let i = 0; i < text.length; i++) {
    for (const replacement of [alphabet[(alphabet.indexOf(text[i]!) + 1) % alphabet.length]!, '!']) {
      const changed = text.slice(0, i) + replacement + text.slice(i + 1);
      assert.equal(verifyBlob(data, changed, publicKey).ok, false, `char ${i} → ${replacement}`);
    }
  }
  assert.deepEqual(verifyBlob(data, `${text}\n`, publicKey), { ok: true }, 'a trailing newline (cosign prints one) is fine');
  const result = verifyBlob(data, 'not base64!', publicKey);
  assert.ok(!result.ok && result.code === 'MALFORMED');
});

test('a signature from another key fails', async () => {
  const a = await keys();
  const b = await keys();
  const data = Buffer.from('x');
  assert.equal(verifyBlob(data, signBlob(data, a.privateKey), b.publicKey).ok, false);
  // A SHA-384 signature by the right key is not a cosign P-256 blob signature.
  const sha384 = sign('sha384', data, a.privateKey).toString('base64');
  assert.equal(verifyBlob(data, sha384, a.publicKey).ok, false);
});
