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
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { FeedError } from './errors.js';

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

/** Kept in step with package.json: feeds/ may not import cli/, where VERSION lives. */
const USER_AGENT = 'stella-ops/0.1.0 (+https://stella-ops.org)';
const MIB = 1024 * 1024;
const GET_MAX_BYTES = 256 * MIB;
const DOWNLOAD_MAX_BYTES = 4096 * MIB;

/** An HTTP status this client gave up on: a 4xx at once, a 429/5xx after the last retry. */
export class HttpStatusError extends FeedError {
  readonly status: number;
  readonly url: string;

  constructor(status: number, url: string, message: string) {
    super('HTTP_STATUS', message);
    this.name = 'HttpStatusError';
    this.status = status;
    this.url = url;
  }
}

/** The HTTP status carried by an error from this client (undefined for any other error). */
export function httpStatusOf(error: unknown): number | undefined {
  return error instanceof HttpStatusError ? error.status : undefined;
}

/**
 * The client described above. Notes beyond the contract: `download()` limits the body to
 * options.maxBytes, else the client's maxBytes, else 4 GiB; on a 304 it reports bytes 0 and
 * sha256 '' (nothing was received). Invalid or non-http(s) URLs are FeedError('BAD_OPTION').
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  return new FetchHttpClient(options);
}

interface FailureInfo {
  readonly code: 'HTTP_STATUS' | 'NETWORK' | 'TIMEOUT' | 'TRUNCATED';
  /** Short, for the retry log line: "503", "connection closed after 10 bytes of the body". */
  readonly reason: string;
  readonly message: string;
  readonly status?: number;
  /** The wait the server asked for (Retry-After, rate-limit reset); else exponential back-off. */
  readonly waitMs?: number;
  readonly rateLimited?: boolean;
  readonly cause?: unknown;
}

/** One failed attempt that may be tried again. Never leaves this module. */
class RetryableFailure extends Error {
  constructor(readonly info: FailureInfo) {
    super(info.message, { cause: info.cause });
  }
}

function giveUp(info: FailureInfo, url: string, attempts: number): FeedError {
  const message = `${info.message} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`;
  if (info.status !== undefined) return new HttpStatusError(info.status, url, message);
  return new FeedError(info.code, message, { cause: info.cause });
}

interface BodySink<T> {
  write(chunk: Uint8Array): Promise<void>;
  finish(bytes: number): Promise<T>;
  discard(): Promise<void>;
}

interface Outcome<T> {
  readonly response: Response;
  /** undefined on 304. */
  readonly value: T | undefined;
}

interface Written {
  readonly bytes: number;
  readonly sha256: string;
}

class FetchHttpClient implements HttpClient {
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number | undefined;
  private readonly minIntervalMs: number;
  private readonly userAgent: string;
  private readonly offline: boolean;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private readonly log: (message: string) => void;
  /** Earliest start (injected clock, ms) of this client's next request under minIntervalMs. */
  private nextSlotMs = Number.NEGATIVE_INFINITY;
  /** After `x-ratelimit-remaining: 0`: the reset time (ms) the next request waits for. */
  private rateLimitUntilMs = 0;

  constructor(options: HttpClientOptions) {
    this.maxRetries = options.maxRetries ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 10 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxBytes = options.maxBytes;
    this.minIntervalMs = options.minIntervalMs ?? 0;
    this.userAgent = options.userAgent ?? USER_AGENT;
    this.offline = options.offline ?? false;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? ((message) => void process.stderr.write(`${message}\n`));
  }

  async get(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const limit = options.maxBytes ?? this.maxBytes ?? GET_MAX_BYTES;
    const { response, value } = await this.request(url, options, limit, async () => memorySink());
    return {
      status: response.status,
      url: response.url || url,
      headers: response.headers,
      notModified: value === undefined,
      body: value ?? new Uint8Array(0),
    };
  }

  async download(url: string, destination: string, options: RequestOptions = {}): Promise<DownloadResult> {
    const limit = options.maxBytes ?? this.maxBytes ?? DOWNLOAD_MAX_BYTES;
    const { response, value } = await this.request(url, options, limit, () => fileSink(destination));
    return {
      status: response.status,
      url: response.url || url,
      headers: response.headers,
      notModified: value === undefined,
      bytes: value?.bytes ?? 0,
      sha256: value?.sha256 ?? '',
    };
  }

  private async request<T>(url: string, options: RequestOptions, limit: number, makeSink: () => Promise<BodySink<T>>): Promise<Outcome<T>> {
    if (this.offline) throw new FeedError('OFFLINE', `GET ${url}: offline mode, network access is disabled`);
    checkUrl(url);
    const attempts = this.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(options.signal, url);
      await this.pace(url);
      throwIfAborted(options.signal, url);
      try {
        return await this.attempt(url, options, limit, makeSink);
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        if (attempt >= attempts) throw giveUp(error.info, url, attempt);
        const waitMs = error.info.waitMs ?? Math.min(this.baseDelayMs * 2 ** (attempt - 1), this.maxDelayMs);
        this.log(`GET ${url}: ${error.info.reason}, retrying in ${seconds(waitMs)} (attempt ${attempt + 1}/${attempts})`);
        await this.sleep(waitMs);
        // That wait was the rate-limit reset: pace() must not wait for it a second time.
        if (error.info.rateLimited === true) this.rateLimitUntilMs = 0;
      }
    }
  }

  /** Waits for this client's minIntervalMs slot and for an exhausted rate limit's reset. */
  private async pace(url: string): Promise<void> {
    const now = this.now().getTime();
    let waitMs = Math.max(0, this.nextSlotMs - now);
    if (this.rateLimitUntilMs > now) {
      const resetMs = Math.min(this.rateLimitUntilMs - now, this.maxRetryAfterMs);
      this.log(`GET ${url}: rate limit exhausted, waiting ${seconds(resetMs)} for its reset`);
      waitMs = Math.max(waitMs, resetMs);
    }
    this.rateLimitUntilMs = 0;
    // Reserved before sleeping, so concurrent requests of this client get distinct slots.
    if (this.minIntervalMs > 0) this.nextSlotMs = now + waitMs + this.minIntervalMs;
    if (waitMs > 0) await this.sleep(waitMs);
  }

  private async attempt<T>(url: string, options: RequestOptions, limit: number, makeSink: () => Promise<BodySink<T>>): Promise<Outcome<T>> {
    const guard = new AttemptGuard(options.timeoutMs ?? this.timeoutMs, options.signal, url);
    try {
      const response = await fetch(url, { headers: this.headersFor(options), signal: guard.signal, redirect: 'follow' })
        .catch((error: unknown) => {
          throw guard.failure(error, 'NETWORK', `connection failed (${describeCause(error)})`);
        });
      guard.touch();
      this.noteRateLimit(response.headers);
      if (response.status === 304) {
        await discardBody(response);
        return { response, value: undefined };
      }
      if (response.status < 200 || response.status > 299) {
        await discardBody(response);
        throw this.statusFailure(url, response);
      }
      return { response, value: await readBody(response, limit, guard, url, makeSink) };
    } finally {
      guard.dispose();
    }
  }

  private headersFor(options: RequestOptions): Headers {
    const headers = new Headers({ 'user-agent': this.userAgent });
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    if (options.etag !== undefined) headers.set('if-none-match', options.etag);
    if (options.lastModified !== undefined) headers.set('if-modified-since', options.lastModified);
    return headers;
  }

  private statusFailure(url: string, response: Response): Error {
    const { status, headers } = response;
    const message = `GET ${url}: HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const rateLimited = (status === 403 || status === 429) && headers.get('x-ratelimit-remaining')?.trim() === '0';
    if (!rateLimited && status !== 408 && status !== 429 && (status < 500 || status > 599)) {
      return new HttpStatusError(status, url, message);
    }
    const waitMs = (rateLimited ? this.resetWaitMs(headers) : undefined) ?? this.retryAfterMs(headers);
    return new RetryableFailure({ code: 'HTTP_STATUS', status, reason: String(status), message, waitMs, rateLimited });
  }

  private noteRateLimit(headers: Headers): void {
    if (headers.get('x-ratelimit-remaining')?.trim() !== '0') return;
    const reset = Number(headers.get('x-ratelimit-reset')?.trim() ?? '');
    if (Number.isFinite(reset) && reset > 0) this.rateLimitUntilMs = reset * 1000;
  }

  private resetWaitMs(headers: Headers): number | undefined {
    const reset = Number(headers.get('x-ratelimit-reset')?.trim() ?? '');
    if (!Number.isFinite(reset) || reset <= 0) return undefined;
    return clamp(reset * 1000 - this.now().getTime(), this.maxRetryAfterMs);
  }

  /** Retry-After as delta-seconds or an HTTP date (read against the injected clock). */
  private retryAfterMs(headers: Headers): number | undefined {
    const value = headers.get('retry-after')?.trim();
    if (value === undefined || value === '') return undefined;
    if (/^\d+$/.test(value)) return clamp(Number(value) * 1000, this.maxRetryAfterMs);
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : clamp(date - this.now().getTime(), this.maxRetryAfterMs);
  }
}

/** One attempt's abort plumbing: the caller's signal and the idle (no-progress) timer. */
class AttemptGuard {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private timedOut = false;
  private readonly onAbort = (): void => this.controller.abort();

  constructor(private readonly timeoutMs: number, private readonly callerSignal: AbortSignal | undefined, private readonly url: string) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, timeoutMs);
    callerSignal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    this.timer.refresh();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onAbort);
  }

  /** A rejection from fetch or the body stream, as ABORTED (final), TIMEOUT or `code` (retryable). */
  failure(error: unknown, code: 'NETWORK' | 'TRUNCATED', what: string): Error {
    if (this.callerSignal?.aborted === true) return new FeedError('ABORTED', `GET ${this.url}: aborted`, { cause: error });
    if (this.timedOut) {
      const reason = `no progress for ${this.timeoutMs} ms`;
      return new RetryableFailure({ code: 'TIMEOUT', reason, message: `GET ${this.url}: ${reason}`, cause: error });
    }
    return new RetryableFailure({ code, reason: what, message: `GET ${this.url}: ${what}`, cause: error });
  }
}

/** Streams the body into `sink`, enforcing `limit` and Content-Length; the sink is discarded on failure. */
async function readBody<T>(response: Response, limit: number, guard: AttemptGuard, url: string, makeSink: () => Promise<BodySink<T>>): Promise<T> {
  const expected = declaredLength(response.headers);
  if (expected !== undefined && expected > limit) {
    await discardBody(response);
    throw new FeedError('TOO_LARGE', `GET ${url}: Content-Length ${expected} exceeds the limit of ${limit} bytes`);
  }
  const sink = await makeSink();
  try {
    const bytes = await pump(response, { limit, expected }, guard, url, sink);
    if (expected !== undefined && bytes !== expected) {
      const reason = `body ended after ${bytes} of ${expected} bytes`;
      throw new RetryableFailure({ code: 'TRUNCATED', reason, message: `GET ${url}: ${reason}` });
    }
    return await sink.finish(bytes);
  } catch (error) {
    await sink.discard();
    throw error;
  }
}

interface BodyLimits {
  readonly limit: number;
  readonly expected: number | undefined;
}

async function pump(response: Response, { limit, expected }: BodyLimits, guard: AttemptGuard, url: string, sink: BodySink<unknown>): Promise<number> {
  if (response.body === null) return 0;
  const reader = response.body.getReader();
  let bytes = 0;
  for (;;) {
    const step = await reader.read().catch((error: unknown) => {
      const of = expected === undefined ? '' : ` of ${expected}`;
      throw guard.failure(error, 'TRUNCATED', `connection closed after ${bytes}${of} bytes of the body`);
    });
    if (step.done) return bytes;
    guard.touch();
    bytes += step.value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined);
      throw new FeedError('TOO_LARGE', `GET ${url}: body exceeds the limit of ${limit} bytes`);
    }
    await sink.write(step.value);
  }
}

/** Content-Length, when it counts the bytes we read (fetch decodes a Content-Encoding). */
function declaredLength(headers: Headers): number | undefined {
  const encoding = headers.get('content-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') return undefined;
  const value = headers.get('content-length')?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function memorySink(): BodySink<Uint8Array> {
  const chunks: Uint8Array[] = [];
  return {
    write: async (chunk) => void chunks.push(chunk),
    finish: async (bytes) => {
      const body = new Uint8Array(bytes);
      let offset = 0;
      for (const chunk of chunks) {
        body.set(chunk, offset);
        offset += chunk.byteLength;
      }
      return body;
    },
    discard: async () => void chunks.splice(0),
  };
}

/** Writes to a temporary sibling, fsyncs and renames into place only once the body is complete. */
async function fileSink(destination: string): Promise<BodySink<Written>> {
  const temp = `${destination}.partial-${randomBytes(6).toString('hex')}`;
  const handle = await open(temp, 'wx');
  const hash = createHash('sha256');
  let isOpen = true;
  const close = async (): Promise<void> => {
    if (!isOpen) return;
    isOpen = false;
    await handle.close();
  };
  return {
    write: async (chunk) => {
      hash.update(chunk);
      for (let offset = 0; offset < chunk.byteLength;) {
        offset += (await handle.write(chunk, offset, chunk.byteLength - offset)).bytesWritten;
      }
    },
    finish: async (bytes) => {
      await handle.sync();
      await close();
      await rename(temp, destination);
      await syncDirectory(path.dirname(destination));
      return { bytes, sha256: hash.digest('hex') };
    },
    discard: async () => {
      await close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}

/** Makes the rename durable; best effort, as not every platform can fsync a directory. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The file itself is synced; only the directory entry's durability is at stake.
  }
}

function checkUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch (error) {
    throw new FeedError('BAD_OPTION', `not a valid URL: ${url}`, { cause: error });
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new FeedError('BAD_OPTION', `GET ${url}: only http and https URLs are supported`);
}

function throwIfAborted(signal: AbortSignal | undefined, url: string): void {
  if (signal?.aborted === true) throw new FeedError('ABORTED', `GET ${url}: aborted`, { cause: signal.reason });
}

/** fetch rejects with TypeError('fetch failed'); the useful part (ECONNREFUSED…) is its cause. */
function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? code : cause.message;
  }
  return String(cause);
}

function clamp(ms: number, max: number): number {
  return Math.min(Math.max(0, ms), max);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
