import { StellaError } from '../common/index.js';

export type FeedErrorCode =
  /** The server answered with a status we do not retry (4xx) or kept failing (after retries). */
  | 'HTTP_STATUS'
  /** Connection refused / reset / DNS: after retries. */
  | 'NETWORK'
  /** No response (or no progress) within the timeout. */
  | 'TIMEOUT'
  /** The body ended before Content-Length, or the connection closed mid-body. */
  | 'TRUNCATED'
  /** The body is larger than the configured limit. */
  | 'TOO_LARGE'
  /** A zip archive that cannot be read (truncated, bad central directory, bad entry). */
  | 'BAD_ARCHIVE'
  /** A whole document is unreadable (not JSON, wrong shape). */
  | 'MALFORMED_DOCUMENT'
  /** One record is unreadable or unmappable. */
  | 'MALFORMED_RECORD'
  /** `--from` names something that does not exist or is of an unsupported kind. */
  | 'BAD_LOCAL_SOURCE'
  /** Network access was needed while offline. */
  | 'OFFLINE'
  /** Unknown source name, bad option value. */
  | 'BAD_OPTION'
  /** Aborted by the caller's signal. */
  | 'ABORTED';

export class FeedError extends StellaError<FeedErrorCode> {
  constructor(code: FeedErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'FeedError';
  }
}

export function isFeedError(value: unknown): value is FeedError {
  return value instanceof FeedError;
}
