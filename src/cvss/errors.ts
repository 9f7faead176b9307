import { StellaError } from '../common/index.js';

/**
 * INVALID_VECTOR: not a well-formed vector of its version (unknown, duplicate, missing or misordered
 * metric, bad value). UNSUPPORTED_VERSION: a `CVSS:x.y/` prefix other than 3.0, 3.1 and 4.0.
 */
export type CvssErrorCode = 'INVALID_VECTOR' | 'UNSUPPORTED_VERSION';

export class CvssError extends StellaError<CvssErrorCode> {
  constructor(code: CvssErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CvssError';
  }
}

export function invalidVector(vector: string, reason: string): CvssError {
  return new CvssError('INVALID_VECTOR', `invalid CVSS vector ${JSON.stringify(vector)}: ${reason}`);
}
