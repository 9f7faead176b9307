import { StellaError } from '../common/index.js';

export type ImageErrorCode =
  /** The target names a source kind this build cannot open (or a bare path of unknown kind). */
  | 'UNSUPPORTED_SOURCE'
  /** A file, blob or layer the image refers to does not exist. */
  | 'NOT_FOUND'
  /** manifest.json, index.json, an image manifest or config is missing, malformed or inconsistent. */
  | 'BAD_MANIFEST'
  /** An index has no manifest for the requested platform. */
  | 'PLATFORM_NOT_FOUND'
  /** A blob or an uncompressed layer does not hash to the digest that names it. */
  | 'DIGEST_MISMATCH'
  /** A tar entry escapes the image root (path or link). */
  | 'HOSTILE_ENTRY'
  /** A layer decompresses beyond the absolute size limit or the compression-ratio limit. */
  | 'DECOMPRESSION_BOMB'
  /** A layer holds more entries than the entry-count limit. */
  | 'TOO_MANY_ENTRIES'
  /** A wanted file is larger than its size limit. */
  | 'FILE_TOO_LARGE'
  /** A layer or archive is not a readable tar / gzip / zstd stream. */
  | 'CORRUPT_LAYER'
  /** Symlinks inside the image form a loop (more than 40 hops). */
  | 'SYMLINK_LOOP'
  /** The source would need the network under --offline. */
  | 'OFFLINE';

export class ImageError extends StellaError<ImageErrorCode> {
  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ImageError';
  }
}

export function isImageError(value: unknown): value is ImageError {
  return value instanceof ImageError;
}
