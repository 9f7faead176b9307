import { StellaError } from '../../common/index.js';

export type JsonExportErrorCode =
  /** The output directory exists and is not empty (exports never mix with old files). */
  | 'OUT_NOT_EMPTY'
  /** manifest.json is missing, not JSON, of another format, or names an unsafe/duplicate path. */
  | 'BAD_MANIFEST'
  /** A delta was asked of or applied to something that is not a full export, or vice versa. */
  | 'WRONG_KIND'
  /** The delta was made against another base export (manifest digest mismatch). */
  | 'BASE_MISMATCH'
  /** A file's bytes do not match the SHA-256 / size its manifest gives. */
  | 'DIGEST_MISMATCH'
  /** Two records or advisories map to the same path (never expected: the path mapping is injective). */
  | 'PATH_COLLISION'
  /** A stored record or advisory is not valid JSON. */
  | 'BAD_RECORD'
  /** The store merged while the export was read: the tree would mix two states. */
  | 'STORE_CHANGED'
  /** SOURCE_DATE_EPOCH or another option is malformed. */
  | 'BAD_OPTION';

export class JsonExportError extends StellaError<JsonExportErrorCode> {
  constructor(code: JsonExportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'JsonExportError';
  }
}

export function isJsonExportError(value: unknown): value is JsonExportError {
  return value instanceof JsonExportError;
}
