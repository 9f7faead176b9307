import { createHash, sign, type KeyObject } from 'node:crypto';
import type { Bundle, SerializedBundle } from '@sigstore/bundle';
import type { TrustMaterial } from '@sigstore/verify';
import { decodeBase64Strict } from './base64.js';
import { IN_TOTO_PAYLOAD_TYPE, parseEnvelope, type Envelope } from './dsse.js';
import { publicKeyHint, publicKeyPem, requireP256 } from './keys.js';
import { failure, VERIFIED, type VerifyFailed, type VerifyResult } from './result.js';
import { parseStatement } from './statement.js';

export type { SerializedBundle } from '@sigstore/bundle';

export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/**
 * A Sigstore bundle v0.3 holding a DSSE envelope signed with a local key (@sigstore/sign's
 * DSSE builder, no witnesses): verification material is the key's hint, no Fulcio certificate,
 * no Rekor entry, no timestamp, no network. The signature is ECDSA P-256 / SHA-256 over the
 * DSSE PAE; it differs on every call (random k), everything else is a function of the inputs.
 */
export async function signDsse(payload: Uint8Array, payloadType: string, key: KeyObject): Promise<SerializedBundle> {
  const privateKey = requireP256(key, 'private');
  const [{ DSSEBundleBuilder }, { bundleToJSON }] = await Promise.all([import('@sigstore/sign'), import('@sigstore/bundle')]);
  const material = { $case: 'publicKey' as const, publicKey: publicKeyPem(privateKey), hint: publicKeyHint(privateKey) };
  const signer = {
    sign: async (pae: Buffer) => ({ signature: sign('sha256', pae, { key: privateKey, dsaEncoding: 'der' }), key: material }),
  };
  const builder = new DSSEBundleBuilder({ signer, witnesses: [] });
  return bundleToJSON(await builder.create({ data: Buffer.from(payload), type: payloadType }));
}

/**
 * Verifies a bundle (DSSE or message signature) against one trusted public key, offline, with
 * @sigstore/verify. Key-based trust only: transparency-log entries and timestamps the bundle may
 * carry are not checked (that needs Rekor's and the TSA's keys), as `cosign verify-blob --key
 * --insecure-ignore-tlog`. With `data`: a DSSE in-toto statement must name data's SHA-256 among
 * its subjects; any other DSSE payload must equal data; a message signature must be over data.
 */
export async function verifyBundle(bundle: unknown, publicKey: KeyObject, data?: Uint8Array): Promise<VerifyResult> {
  const checked = await verifyBundleSignature(bundle, publicKey, data);
  if (!checked.ok) return checked;
  return checked.envelope === undefined || data === undefined ? VERIFIED : matchesPayload(checked.envelope, data);
}

/** Verifies a bare DSSE envelope with the same verifier; on success returns the envelope. */
export async function verifyEnvelope(envelope: unknown, publicKey: KeyObject): Promise<{ ok: true; envelope: Envelope } | VerifyFailed> {
  const bundle = {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } },
    dsseEnvelope: envelope,
  };
  const checked = await verifyBundleSignature(bundle, publicKey, undefined);
  if (!checked.ok) return checked;
  return checked.envelope === undefined ? failure('MALFORMED', 'no DSSE envelope') : { ok: true, envelope: checked.envelope };
}

type Checked = { ok: true; envelope?: Envelope } | VerifyFailed;

async function verifyBundleSignature(json: unknown, publicKey: KeyObject, data: Uint8Array | undefined): Promise<Checked> {
  const key = requireP256(publicKey, 'public');
  const strict = strictContent(json);
  if (typeof strict === 'string') return failure('MALFORMED', strict);
  const [{ bundleFromJSON }, { Verifier, VerificationError, toSignedEntity }] = await Promise.all([
    import('@sigstore/bundle'), import('@sigstore/verify')]);
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    return failure('MALFORMED', `not a Sigstore bundle: ${describe(error)}`);
  }
  const refused = refuseUnsupported(bundle, data);
  if (refused !== undefined) return refused;
  // Offline, key-based: drop log entries and timestamps (see verifyBundle).
  bundle.verificationMaterial.tlogEntries = [];
  bundle.verificationMaterial.timestampVerificationData = undefined;
  const trust: TrustMaterial = {
    certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [],
    publicKey: () => ({ publicKey: key, validFor: () => true }),
  };
  const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  try {
    verifier.verify(toSignedEntity(bundle, data === undefined ? undefined : Buffer.from(data)));
  } catch (error) {
    if (error instanceof VerificationError && error.code === 'SIGNATURE_ERROR') {
      return failure('BAD_SIGNATURE', 'the bundle signature does not verify with the given public key');
    }
    return failure('MALFORMED', `bundle verification failed: ${describe(error)}`);
  }
  return { ok: true, envelope: strict.envelope };
}

/** The checks @sigstore/bundle does not make: canonical base64, exactly what we can verify. */
function strictContent(json: unknown): { envelope?: Envelope } | string {
  if (typeof json !== 'object' || json === null) return 'the bundle is not a JSON object';
  const { dsseEnvelope, messageSignature } = json as { dsseEnvelope?: unknown; messageSignature?: { signature?: unknown } };
  if (dsseEnvelope !== undefined) {
    const envelope = parseEnvelope(dsseEnvelope);
    if (typeof envelope === 'string') return envelope;
    return envelope.signatures.length === 1 ? { envelope } : `the DSSE envelope has ${envelope.signatures.length} signatures, expected 1`;
  }
  const signature = messageSignature?.signature;
  if (typeof signature !== 'string' || decodeBase64Strict(signature) === undefined) return 'the bundle has neither a DSSE envelope nor a base64 message signature';
  return {};
}

function refuseUnsupported(bundle: Bundle, data: Uint8Array | undefined): VerifyFailed | undefined {
  if (bundle.verificationMaterial.content.$case !== 'publicKey') {
    return failure('UNSUPPORTED', 'the bundle carries a certificate, not a public-key hint: keyless bundles need Fulcio trust roots, not --key');
  }
  if (bundle.content.$case !== 'messageSignature') return undefined;
  if (data === undefined) return failure('UNSUPPORTED', 'a message-signature bundle can be verified only together with the signed file');
  const { messageDigest } = bundle.content.messageSignature;
  const digest = createHash('sha256').update(data).digest();
  if (messageDigest === undefined || messageDigest.algorithm !== 1 /* SHA2_256 */ || !digest.equals(messageDigest.digest)) {
    return failure('DIGEST_MISMATCH', 'the bundle message digest is not the SHA-256 of the file');
  }
  return undefined;
}

function matchesPayload(envelope: Envelope, data: Uint8Array): VerifyResult {
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return envelope.payload.equals(data) ? VERIFIED : failure('DIGEST_MISMATCH', `the file differs from the signed ${envelope.payloadType} payload`);
  }
  const statement = parseStatement(envelope.payload);
  if (typeof statement === 'string') return failure('MALFORMED', statement);
  const digest = createHash('sha256').update(data).digest('hex');
  if (statement.subject.some((s) => s.digest.sha256 === digest)) return VERIFIED;
  return failure('DIGEST_MISMATCH', `the file (sha256:${digest}) is not a subject of the signed statement`);
}

function describe(error: unknown): string {
  const e = error as { message?: string; fields?: unknown };
  return Array.isArray(e.fields) ? `${e.message ?? ''} (${e.fields.join(', ')})` : (e.message ?? String(error));
}
