/*
 * CONTRACT (implementation to follow in this file): the HTTP client every connector uses.
 * Node's global fetch (undici) underneath.
 *
 * - Retries 429 and 5xx (and NETWORK / TIMEOUT / TRUNCATED) up to `maxRetries` times with
 *   exponential back-off (baseDelayMs · 2^attempt, capped at maxDelayMs, no jitter so tests are
 *   exact), honouring `Retry-After` (seconds or an HTTP date, read against the injected clock) when
 *   the server sends it (capped at maxRetryAfterMs). Waiting is done through the injected `sleep`,
 *   so tests never wait on the wall clock.
 * - `minIntervalMs` spaces consecutive requests of this client (NVD: 6,000 without a key, 600 with).
 * - A body shorter than Content-Length, or a connection closed mid-body, is FeedError('TRUNCATED');
 *   more than `maxBytes` is FeedError('TOO_LARGE') — never a partial body handed to a parser.
 * - Conditional requests: `etag` → If-None-Match, `lastModified` → If-Modified-Since; a 304 comes
 *   back as { status: 304, notModified: true } with an empty body.
 * - 4xx other than 408/429 are not retried: FeedError('HTTP_STATUS') carrying the status.
 * - Rate-limit headers (GitHub style): after a response with `x-ratelimit-remaining: 0`, the next
 *   request waits until `x-ratelimit-reset` (epoch seconds, against the injected clock, capped at
 *   maxRetryAfterMs); a 403 or 429 with `x-ratelimit-remaining: 0` is retried after that reset.
 * - `offline: true` makes every request fail with FeedError('OFFLINE') (loopback included).
 */

export interface HttpClientOptions {
  readonly maxRetries?: number; // default 5
  readonly baseDelayMs?: number; // default 1000
  readonly maxDelayMs?: number; // default 60_000
  readonly maxRetryAfterMs?: number; // default 10 * 60_000
  readonly timeoutMs?: number; // per request, idle/no-progress timeout; default 60_000
  readonly maxBytes?: number; // default 256 MiB for get(); download() has its own default of 4 GiB
  readonly minIntervalMs?: number; // default 0
  readonly userAgent?: string; // default 'stella-ops/<version> (+https://stella-ops.org)'
  readonly offline?: boolean;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  readonly log?: (message: string) => void;
}

export interface RequestOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  /** The final URL (after redirects). */
  readonly url: string;
  readonly headers: Headers;
  readonly notModified: boolean;
  /** The complete, verified body (empty on 304). */
  readonly body: Uint8Array;
}

export interface DownloadResult {
  readonly status: number;
  readonly url: string;
  readonly headers: Headers;
  readonly notModified: boolean;
  /** Bytes written to the destination file (0 on 304: the file is then left untouched). */
  readonly bytes: number;
  readonly sha256: string;
}

export interface HttpClient {
  get(url: string, options?: RequestOptions): Promise<HttpResponse>;
  /**
   * Streams the body to `destination` (written to a temporary sibling, renamed into place only once
   * complete and verified), so a truncated download never replaces a good file. Memory stays flat.
   */
  download(url: string, destination: string, options?: RequestOptions): Promise<DownloadResult>;
}
