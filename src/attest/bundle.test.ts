import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFromJSON, bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { MessageSignatureBundleBuilder } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import {
  generateKeyPair, IN_TOTO_PAYLOAD_TYPE, inTotoStatement, loadPrivateKey, loadPublicKey, publicKeyHint, publicKeyPem,
  signDsse, statementBytes, verifyBundle,
} from './index.js';
import { haveOpenssl, openssl, tempDir } from './testing.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const FILE = Buffer.from('the signed file\n');
const FILE_SHA256 = createHash('sha256').update(FILE).digest('hex');

async function keys() {
  const pair = await generateKeyPair('pw');
  return { pair, privateKey: await loadPrivateKey(pair.privatePem, 'pw'), publicKey: loadPublicKey(pair.publicPem) };
}

async function statementBundle(privateKey: KeyObject): Promise<SerializedBundle> {
  const statement = inTotoStatement([{ name: 'file.txt', sha256: FILE_SHA256 }], 'https://example.com/predicate/v1', {});
  return signDsse(statementBytes(statement), IN_TOTO_PAYLOAD_TYPE, privateKey);
}

const clone = (bundle: SerializedBundle) => JSON.parse(JSON.stringify(bundle)) as SerializedBundle & {
  dsseEnvelope: { payload: string; payloadType: string; signatures: Array<{ sig: string; keyid: string }> };
};

test('signDsse writes a Sigstore bundle v0.3: media type, public-key hint, one DSSE signature, no certificate or log entry', async () => {
  const { privateKey, publicKey } = await keys();
  const bundle = clone(await statementBundle(privateKey));
  assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.deepEqual(Object.keys(bundle.verificationMaterial).filter((k) => k !== 'timestampVerificationData' && k !== 'tlogEntries'), ['publicKey']);
  assert.deepEqual(bundle.verificationMaterial.publicKey, { hint: publicKeyHint(publicKey) });
  assert.deepEqual(bundle.verificationMaterial.tlogEntries ?? [], []);
  assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
  assert.equal(bundle.dsseEnvelope.signatures.length, 1);
  const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as { _type: string; subject: unknown };
  assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
  assert.deepEqual(statement.subject, [{ name: 'file.txt', digest: { sha256: FILE_SHA256 } }]);
  // @sigstore/bundle's own validator for the newest format accepts it.
  assert.equal(bundleFromJSON(bundle).mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
});

test('@sigstore/verify, used directly with the key registered under its hint, verifies our bundle', async () => {
  const { privateKey, publicKey } = await keys();
  const bundle = await statementBundle(privateKey);
  const root = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };
  const keysByHint = { [publicKeyHint(publicKey)]: { rawBytes: publicKey.export({ type: 'spki', format: 'der' }), keyDetails: 5 /* PKIX_ECDSA_P256_SHA_256 */ } };
  const trust = toTrustMaterial(root as unknown as Parameters<typeof toTrustMaterial>[0], keysByHint as unknown as Parameters<typeof toTrustMaterial>[1]);
  const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  const signer = verifier.verify(toSignedEntity(bundleFromJSON(bundle)));
  assert.equal(publicKeyPem(signer.key), publicKeyPem(publicKey));
  const other = await keys();
  const wrong = toTrustMaterial(root as unknown as Parameters<typeof toTrustMaterial>[0], {
    [publicKeyHint(publicKey)]: { rawBytes: other.publicKey.export({ type: 'spki', format: 'der' }), keyDetails: 5 },
  } as unknown as Parameters<typeof toTrustMaterial>[1]);
  assert.throws(() => new Verifier(wrong, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(bundleFromJSON(bundle))),
    /signature verification failed/);
});

test('OpenSSL verifies the DSSE signature over a PAE built by hand from the spec', async (t) => {
  if (!haveOpenssl(t)) return;
  const dir = tempDir(t);
  const { pair, privateKey } = await keys();
  const { dsseEnvelope } = clone(await statementBundle(privateKey));
  const payload = Buffer.from(dsseEnvelope.payload, 'base64');
  const type = dsseEnvelope.payloadType;
  writeFileSync(path.join(dir, 'pae'), Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `), payload]));
  writeFileSync(path.join(dir, 'sig.der'), Buffer.from(dsseEnvelope.signatures[0]!.sig, 'base64'));
  writeFileSync(path.join(dir, 'cosign.pub'), pair.publicPem);
  const result = openssl(['dgst', '-sha256', '-verify', path.join(dir, 'cosign.pub'), '-signature', path.join(dir, 'sig.der'), path.join(dir, 'pae')]);
  assert.equal(result.status, 0, result.stderr);
});

test('verifyBundle: valid, with the file as a subject; another file, another key, a changed type are refused with reasons', async () => {
  const { privateKey, publicKey } = await keys();
  const bundle = await statementBundle(privateKey);
  assert.deepEqual(await verifyBundle(bundle, publicKey), { ok: true });
  assert.deepEqual(await verifyBundle(bundle, publicKey, FILE), { ok: true });
  const other = await verifyBundle(bundle, publicKey, Buffer.from('another file'));
  assert.ok(!other.ok && other.code === 'DIGEST_MISMATCH' && /not a subject/.test(other.reason));
  const wrongKey = await verifyBundle(bundle, (await keys()).publicKey);
  assert.ok(!wrongKey.ok && wrongKey.code === 'BAD_SIGNATURE', JSON.stringify(wrongKey));
  const retyped = clone(bundle);
  retyped.dsseEnvelope.payloadType = 'application/vnd.in-toto+jsoN';
  assert.equal((await verifyBundle(retyped, publicKey)).ok, false);
});

test('every single-byte change to the DSSE payload or signature fails', async () => {
  const { privateKey, publicKey } = await keys();
  const bundle = await statementBundle(privateKey);
  const payload = Buffer.from(clone(bundle).dsseEnvelope.payload, 'base64');
  for (let i = 0; i < payload.length; i++) {
    const changed = clone(bundle);
    const bytes = Buffer.from(payload);
    bytes[i] = bytes[i]! ^ 0x01;
    changed.dsseEnvelope.payload = bytes.toString('base64');
    const result = await verifyBundle(changed, publicKey);
    assert.ok(!result.ok && result.reason.length > 0, `payload byte ${i}`);
  }
  const signature = Buffer.from(clone(bundle).dsseEnvelope.signatures[0]!.sig, 'base64');
  for (let i = 0; i < signature.length; i++) {
    const changed = clone(bundle);
    const bytes = Buffer.from(signature);
    bytes[i] = bytes[i]! ^ 0x01;
    changed.dsseEnvelope.signatures[0]!.sig = bytes.toString('base64');
    assert.equal((await verifyBundle(changed, publicKey)).ok, false, `signature byte ${i}`);
  }
});

test('every single-character change to the payload text in the bundle JSON fails (strict base64)', async () => {
  const { privateKey, publicKey } = await keys();
  const bundle = await statementBundle(privateKey);
  const text = clone(bundle).dsseEnvelope.payload;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=') continue;
    const changed = clone(bundle);
    changed.dsseEnvelope.payload = text.slice(0, i) + alphabet[(alphabet.indexOf(text[i]!) + 1) % 64] + text.slice(i + 1);
    assert.equal((await verifyBundle(changed, publicKey)).ok, false, `payload char ${i}`);
  }
});

test('malformed and unsupported bundles are refused with a code: not a bundle, no media type, a certificate', async () => {
  const { privateKey, publicKey } = await keys();
  const bundle = await statementBundle(privateKey);
  const notObject = await verifyBundle('{}', publicKey);
  assert.ok(!notObject.ok && notObject.code === 'MALFORMED');
  const noMediaType = { ...clone(bundle), mediaType: 'application/json' };
  const result = await verifyBundle(noMediaType, publicKey);
  assert.ok(!result.ok && result.code === 'MALFORMED' && /mediaType/.test(result.reason), JSON.stringify(result));
  const withCertificate = clone(bundle) as unknown as { verificationMaterial: Record<string, unknown> };
  withCertificate.verificationMaterial = { certificate: { rawBytes: Buffer.from('not checked').toString('base64') } };
  const keyless = await verifyBundle(withCertificate, publicKey);
  assert.ok(!keyless.ok && keyless.code === 'UNSUPPORTED' && /certificate/.test(keyless.reason));
});

test('a real sigstore-js DSSE bundle signed with a public key verifies offline; its Rekor entry is not consulted', async () => {
  const bundle = JSON.parse(readFileSync(path.join(testdata, 'sigstore-js-dsse-public-key.bundle.json'), 'utf8')) as SerializedBundle & {
    dsseEnvelope: { payload: string };
  };
  const publicKey = loadPublicKey(readFileSync(path.join(testdata, 'sigstore-js-key-1.pub'), 'utf8'));
  assert.deepEqual(await verifyBundle(bundle, publicKey), { ok: true });
  assert.deepEqual(await verifyBundle(bundle, publicKey, Buffer.from('hello, world!')), { ok: true });
  const differs = await verifyBundle(bundle, publicKey, Buffer.from('hello, world?'));
  assert.ok(!differs.ok && differs.code === 'DIGEST_MISMATCH');
  const tampered = { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from('hello, world?').toString('base64') } };
  assert.equal((await verifyBundle(tampered, publicKey)).ok, false);
  assert.equal((await verifyBundle(bundle, (await keys()).publicKey)).ok, false);
});

test('a message-signature bundle with a key (cosign sign-blob --bundle shape) verifies only with its file', async () => {
  const { privateKey, publicKey } = await keys();
  const signer = {
    sign: async (data: Buffer) => ({
      signature: sign('sha256', data, privateKey),
      key: { $case: 'publicKey' as const, publicKey: publicKeyPem(privateKey), hint: publicKeyHint(privateKey) },
    }),
  };
  const bundle = bundleToJSON(await new MessageSignatureBundleBuilder({ signer, witnesses: [] }).create({ data: FILE }));
  assert.deepEqual(await verifyBundle(bundle, publicKey, FILE), { ok: true });
  const noFile = await verifyBundle(bundle, publicKey);
  assert.ok(!noFile.ok && noFile.code === 'UNSUPPORTED');
  const other = await verifyBundle(bundle, publicKey, Buffer.from('x'));
  assert.ok(!other.ok && other.code === 'DIGEST_MISMATCH');
});

test('two bundles of the same payload differ only in the ECDSA signature (random k)', async () => {
  const { privateKey } = await keys();
  const one = clone(await statementBundle(privateKey));
  const two = clone(await statementBundle(privateKey));
  assert.notEqual(one.dsseEnvelope.signatures[0]!.sig, two.dsseEnvelope.signatures[0]!.sig);
  one.dsseEnvelope.signatures[0]!.sig = two.dsseEnvelope.signatures[0]!.sig;
  assert.deepEqual(one, two);
});
