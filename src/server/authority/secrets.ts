import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Store } from '../../store/index.js';

/*
 * The instance's secrets live in the store, not on one node's disk: every API node and worker
 * signs and verifies the same tokens and derives the same hashes. Each is generated once; the
 * store's insert-if-absent makes concurrent first starts agree on one value.
 */
export const SECRET_NAMES = {
  signingKey: 'authority.signing-key',
  instanceId: 'authority.instance-id',
  tokenSalt: 'authority.token-salt',
  ipSalt: 'quota.ip-salt',
  accessLogKey: 'access-log.hmac-key',
} as const;

export const TOKEN_ALG = 'EdDSA';

export interface InstanceSecrets {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** RFC 7638 thumbprint of the public key: the `kid` header. */
  readonly kid: string;
  /** `iss` of every token this instance signs. */
  readonly issuer: string;
  readonly tokenSalt: string;
  readonly ipSalt: string;
}

const randomHex = (bytes: number) => () => randomBytes(bytes).toString('hex');

function newSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return JSON.stringify(privateKey.export({ format: 'jwk' }));
}

export async function loadSecrets(store: Store): Promise<InstanceSecrets> {
  const a = store.authority;
  const jwkText = await a.ensureSecret(SECRET_NAMES.signingKey, newSigningKey);
  const instanceId = await a.ensureSecret(SECRET_NAMES.instanceId, randomHex(16));
  const tokenSalt = await a.ensureSecret(SECRET_NAMES.tokenSalt, randomHex(32));
  const ipSalt = await a.ensureSecret(SECRET_NAMES.ipSalt, randomHex(32));
  const jwk = JSON.parse(jwkText) as JWK;
  const privateKey = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  const { d: _private, ...publicJwk } = jwk;
  return {
    privateKey,
    publicKey,
    kid: await calculateJwkThumbprint(publicJwk),
    issuer: `urn:stella-ops:${instanceId}`,
    tokenSalt,
    ipSalt,
  };
}

/** The access log's HMAC key (raw IPs older than 7 days become HMAC-SHA-256 under it). */
export async function loadAccessLogKey(store: Store): Promise<Buffer> {
  return Buffer.from(await store.authority.ensureSecret(SECRET_NAMES.accessLogKey, randomHex(32)), 'hex');
}

/** Salted SHA-256 of a token id: what the token table and the quota ledger store. */
export function hashTokenId(salt: string, jti: string): string {
  return createHash('sha256').update(salt).update('\0').update(jti).digest('hex');
}

/** Salted SHA-256 of a client IP: the anonymous quota key. */
export function hashIp(salt: string, ip: string): string {
  return createHash('sha256').update(salt).update('\0ip\0').update(ip).digest('hex');
}

export function hmacIp(key: Buffer, ip: string): string {
  return createHmac('sha256', key).update(ip).digest('hex');
}
