import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decryptWithPassphrase, encryptWithPassphrase } from './encrypted.js';
import { AttestError } from './errors.js';
import { decodePem, encodePem } from './pem.js';

/** The PEM type cosign writes today, and the one older releases wrote; both are read. */
export const SIGSTORE_KEY_PEM_TYPE = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_KEY_PEM_TYPE = 'ENCRYPTED COSIGN PRIVATE KEY';
const PUBLIC_KEY_PEM_TYPE = 'PUBLIC KEY';

export interface KeyPairPem {
  /** cosign.key: PKCS#8 DER, encrypted with the passphrase, in an ENCRYPTED SIGSTORE PRIVATE KEY block. */
  privatePem: string;
  /** cosign.pub: SPKI in a PUBLIC KEY block. */
  publicPem: string;
}

/** A fresh ECDSA P-256 pair; the private half never leaves this function unencrypted. */
export async function generateKeyPair(passphrase: string): Promise<KeyPairPem> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  try {
    const encrypted = await encryptWithPassphrase(pkcs8, passphrase);
    return { privatePem: encodePem(SIGSTORE_KEY_PEM_TYPE, encrypted), publicPem: publicKeyPem(publicKey) };
  } finally {
    pkcs8.fill(0);
  }
}

/** Decrypts a cosign private key file. Typed errors: BAD_PEM, BAD_KEY_FORMAT, WRONG_PASSPHRASE, UNSUPPORTED_KEY. */
export async function loadPrivateKey(pem: string, passphrase: string): Promise<KeyObject> {
  const block = decodePem(pem);
  if (block.type !== SIGSTORE_KEY_PEM_TYPE && block.type !== COSIGN_KEY_PEM_TYPE) {
    const hint = block.type.endsWith('PRIVATE KEY') ? ' (unencrypted keys are refused, as cosign does: import it with `cosign import-key-pair`)' : '';
    throw new AttestError('BAD_PEM', `expected an ${SIGSTORE_KEY_PEM_TYPE} block, got ${block.type}${hint}`);
  }
  const pkcs8 = await decryptWithPassphrase(block.bytes, passphrase);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new AttestError('BAD_KEY_FORMAT', 'the decrypted private key is not PKCS#8 DER', { cause });
  } finally {
    pkcs8.fill(0);
  }
  return requireP256(key, 'private');
}

/** Reads a PUBLIC KEY (SPKI) PEM, as cosign.pub. */
export function loadPublicKey(pem: string): KeyObject {
  const block = decodePem(pem);
  if (block.type !== PUBLIC_KEY_PEM_TYPE) throw new AttestError('BAD_PEM', `expected a PUBLIC KEY block, got ${block.type}`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block.bytes, format: 'der', type: 'spki' });
  } catch (cause) {
    throw new AttestError('BAD_PEM', 'the PUBLIC KEY block is not a valid SubjectPublicKeyInfo', { cause });
  }
  return requireP256(key, 'public');
}

export function publicKeyPem(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return encodePem(PUBLIC_KEY_PEM_TYPE, publicKey.export({ type: 'spki', format: 'der' }));
}

/** The key hint cosign puts in bundles: base64 of SHA-256 over the SPKI DER of the public key. */
export function publicKeyHint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

export function requireP256(key: KeyObject, expected: 'private' | 'public'): KeyObject {
  if (key.type !== expected) throw new AttestError('UNSUPPORTED_KEY', `expected a ${expected} key, got a ${key.type} key`);
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    throw new AttestError('UNSUPPORTED_KEY', `only ECDSA P-256 keys are supported, got ${key.asymmetricKeyType ?? 'unknown'}${curve === undefined ? '' : ` ${curve}`}`);
  }
  return key;
}
