/** Why a verification failed; callers (offline-kit import) map each to its own exit code. */
export type VerifyFailure =
  /** The signature bytes do not verify with the given public key. */
  | 'BAD_SIGNATURE'
  /** A signature, envelope, bundle, statement or manifest that cannot be parsed. */
  | 'MALFORMED'
  /** The signature is fine but the signed content does not describe the data (subject digest, size). */
  | 'DIGEST_MISMATCH'
  /** A file named by the manifest (or the signature files themselves) is absent, or an extra one is present. */
  | 'MISSING_FILE'
  /** A bundle this offline, key-based verifier cannot judge (certificate instead of a key…). */
  | 'UNSUPPORTED';

export type VerifyFailed = { ok: false; code: VerifyFailure; reason: string };
export type VerifyResult = { ok: true } | VerifyFailed;

export const VERIFIED: VerifyResult = Object.freeze({ ok: true });

export function failure(code: VerifyFailure, reason: string): VerifyFailed {
  return { ok: false, code, reason };
}
