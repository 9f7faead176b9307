import { randomBytes, scrypt } from 'node:crypto';
import nacl from 'tweetnacl';
import { AttestError } from './errors.js';

// The at-rest format cosign uses for private keys (go-securesystemslib's `encrypted` package):
// JSON {kdf:{name:"scrypt",params:{N,r,p},salt}, cipher:{name:"nacl/secretbox",nonce}, ciphertext},
// byte fields in padded standard base64, key = scrypt(passphrase, salt, N, r, p, 32).

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** What we write: go-securesystemslib's "legacy" strength, which every cosign release reads. */
export const WRITE_PARAMS: ScryptParams = { N: 32768, r: 8, p: 1 };

/** What we read: the three strengths go-securesystemslib accepts (legacy, standard, OWASP), nothing else. */
const READ_PARAMS: readonly ScryptParams[] = [WRITE_PARAMS, { N: 65536, r: 8, p: 1 }, { N: 131072, r: 8, p: 1 }];

const SALT_SIZE = 32;
const KEY_SIZE = 32;

interface EncryptedJson {
  kdf: { name: 'scrypt'; params: ScryptParams; salt: string };
  cipher: { name: 'nacl/secretbox'; nonce: string };
  ciphertext: string;
}

function deriveKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // 128·N·r bytes: 32 MiB for the legacy strength, 128 MiB for OWASP's.
    const maxmem = 256 * params.N * params.r;
    scrypt(Buffer.from(passphrase, 'utf8'), salt, KEY_SIZE, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) =>
      error === null ? resolve(key) : reject(error));
  });
}

/** Encrypts `plaintext` (a PKCS#8 DER key) into the JSON bytes cosign stores inside its PEM block. */
export async function encryptWithPassphrase(plaintext: Uint8Array, passphrase: string): Promise<Buffer> {
  const salt = randomBytes(SALT_SIZE);
  const nonce = randomBytes(nacl.secretbox.nonceLength);
  const key = await deriveKey(passphrase, salt, WRITE_PARAMS);
  const sealed = nacl.secretbox(plaintext, nonce, key);
  key.fill(0);
  const json: EncryptedJson = {
    kdf: { name: 'scrypt', params: { ...WRITE_PARAMS }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(sealed).toString('base64'),
  };
  // Same field order and spacing as Go's json.Marshal of the struct.
  return Buffer.from(JSON.stringify(json), 'utf8');
}

/** Opens cosign's encrypted JSON; WRONG_PASSPHRASE when secretbox refuses, BAD_KEY_FORMAT for anything unreadable. */
export async function decryptWithPassphrase(encrypted: Uint8Array, passphrase: string): Promise<Buffer> {
  const parsed = parseEncrypted(encrypted);
  const key = await deriveKey(passphrase, parsed.salt, parsed.params);
  const opened = nacl.secretbox.open(parsed.ciphertext, parsed.nonce, key);
  key.fill(0);
  if (opened === null) {
    throw new AttestError('WRONG_PASSPHRASE', 'cannot decrypt the private key: wrong passphrase, or the key file was altered');
  }
  return Buffer.from(opened);
}

interface ParsedEncrypted {
  params: ScryptParams;
  salt: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
}

function parseEncrypted(encrypted: Uint8Array): ParsedEncrypted {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encrypted).toString('utf8'));
  } catch (cause) {
    throw new AttestError('BAD_KEY_FORMAT', 'the encrypted private key is not JSON', { cause });
  }
  const data = json as Partial<EncryptedJson> | null;
  if (data?.kdf?.name !== 'scrypt') throw new AttestError('BAD_KEY_FORMAT', `unknown kdf ${JSON.stringify(data?.kdf?.name)}; expected "scrypt"`);
  if (data.cipher?.name !== 'nacl/secretbox') {
    throw new AttestError('BAD_KEY_FORMAT', `unknown cipher ${JSON.stringify(data.cipher?.name)}; expected "nacl/secretbox"`);
  }
  const given = data.kdf.params;
  const params = READ_PARAMS.find((known) => known.N === given?.N && known.r === given.r && known.p === given.p);
  if (params === undefined) throw new AttestError('BAD_KEY_FORMAT', `unsupported scrypt parameters ${JSON.stringify(given)}`);
  const salt = bytesField(data.kdf.salt, 'kdf.salt');
  const nonce = bytesField(data.cipher.nonce, 'cipher.nonce');
  if (nonce.length !== nacl.secretbox.nonceLength) throw new AttestError('BAD_KEY_FORMAT', `secretbox nonce is ${nonce.length} bytes, expected 24`);
  return { params, salt, nonce, ciphertext: bytesField(data.ciphertext, 'ciphertext') };
}

function bytesField(value: unknown, name: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw new AttestError('BAD_KEY_FORMAT', `${name} is not base64`);
  }
  return Buffer.from(value, 'base64');
}
