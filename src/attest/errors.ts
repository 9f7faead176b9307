import { StellaError } from '../common/index.js';

export type AttestErrorCode =
  /** Not a PEM block, or not the kind of PEM block expected here. */
  | 'BAD_PEM'
  /** The encrypted private key is not cosign's JSON (kdf/cipher/ciphertext), or uses unknown parameters. */
  | 'BAD_KEY_FORMAT'
  /** secretbox refused to open: the passphrase is wrong or the key file was altered. */
  | 'WRONG_PASSPHRASE'
  /** A key that is not ECDSA P-256, or a private key where a public key was expected (or the reverse). */
  | 'UNSUPPORTED_KEY'
  /** An export manifest that is missing, unreadable or has no files map. */
  | 'BAD_MANIFEST'
  /** An input argument that cannot be used (subject digest, payload type…). */
  | 'BAD_INPUT'
  /** A file this operation would create already exists and overwriting was not asked for. */
  | 'FILE_EXISTS';

export class AttestError extends StellaError<AttestErrorCode> {
  constructor(code: AttestErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'AttestError';
  }
}

export function isAttestError(value: unknown): value is AttestError {
  return value instanceof AttestError;
}
