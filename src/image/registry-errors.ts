import { StellaError } from '../common/index.js';

/**
 * Failures that belong to talking to a registry rather than to the image itself (those stay
 * ImageError: NOT_FOUND, BAD_MANIFEST, DIGEST_MISMATCH, OFFLINE).
 */
export type RegistryErrorCode =
  /** The `registry:` reference does not follow the reference grammar. */
  | 'BAD_REFERENCE'
  /** The docker config file is unreadable or malformed, or holds credentials we cannot use. */
  | 'CREDENTIALS'
  /** The registry still answers 401 after every authentication we could offer. */
  | 'UNAUTHORIZED'
  /** The registry answers 403: authenticated but not allowed. */
  | 'DENIED'
  /** No answer: connection refused or reset, DNS failure, timeout, or 429/5xx after all retries. */
  | 'UNREACHABLE'
  /** The server's TLS certificate is not trusted (see the caFile option, NODE_EXTRA_CA_CERTS). */
  | 'TLS'
  /** The request would need plain HTTP to a host that is not loopback nor listed as insecure. */
  | 'INSECURE'
  /** An answer the Distribution API does not allow (status, redirect loop, token response). */
  | 'PROTOCOL'
  /** The registry (or a redirect or token realm) is at an address the caller's policy refuses (see address-policy.ts). */
  | 'FORBIDDEN_ADDRESS'
  /** A registry option is malformed (e.g. a --registry-allow entry that is not a CIDR range). */
  | 'BAD_OPTION';

export class RegistryError extends StellaError<RegistryErrorCode> {
  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RegistryError';
  }
}

export function isRegistryError(value: unknown): value is RegistryError {
  return value instanceof RegistryError;
}
