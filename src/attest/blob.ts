import { createHash, createSign, createVerify, sign, verify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { decodeBase64Strict } from './base64.js';
import { requireP256 } from './keys.js';
import { failure, VERIFIED, type VerifyResult } from './result.js';

// Cosign blob signatures (`cosign sign-blob --key`): ECDSA P-256 over SHA-256 of the bytes, the
// ASN.1 DER signature in standard base64. ECDSA draws a fresh random k per signature, so two
// signatures of the same bytes differ; both verify.

export function signBlob(data: Uint8Array, key: KeyObject): string {
  return sign('sha256', data, { key: requireP256(key, 'private'), dsaEncoding: 'der' }).toString('base64');
}

export function verifyBlob(data: Uint8Array, signatureB64: string, publicKey: KeyObject): VerifyResult {
  const signature = decodeSignature(signatureB64);
  if (signature === undefined) return failure('MALFORMED', 'the signature is not canonical base64');
  return checked(verify('sha256', data, { key: requireP256(publicKey, 'public'), dsaEncoding: 'der' }, signature));
}

/** signBlob for a file, streamed (exports and kits can be large). */
export async function signBlobFile(path: string, key: KeyObject): Promise<string> {
  const signer = createSign('sha256');
  for await (const chunk of createReadStream(path)) signer.update(chunk as Buffer);
  return signer.sign({ key: requireP256(key, 'private'), dsaEncoding: 'der' }).toString('base64');
}

/** verifyBlob for a file, streamed. */
export async function verifyBlobFile(path: string, signatureB64: string, publicKey: KeyObject): Promise<VerifyResult> {
  const signature = decodeSignature(signatureB64);
  if (signature === undefined) return failure('MALFORMED', 'the signature is not canonical base64');
  const verifier = createVerify('sha256');
  for await (const chunk of createReadStream(path)) verifier.update(chunk as Buffer);
  return checked(verifier.verify({ key: requireP256(publicKey, 'public'), dsaEncoding: 'der' }, signature));
}

export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

function decodeSignature(text: string): Buffer | undefined {
  const bytes = decodeBase64Strict(text);
  return bytes === undefined || bytes.length === 0 ? undefined : bytes;
}

function checked(valid: boolean): VerifyResult {
  return valid ? VERIFIED : failure('BAD_SIGNATURE', 'the signature does not verify with the given public key');
}
