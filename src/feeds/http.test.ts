import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { FeedError, type FeedErrorCode } from './errors.js';
import { createHttpClient, httpStatusOf, HttpStatusError, type HttpClientOptions } from './http.js';

/** Handles the n-th request (0-based) a test server receives. */
type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

interface TestServer {
  readonly url: string;
  readonly requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];
let work: string;
before(async () => { work = await mkdtemp(join(tmpdir(), 'stella-http-test-')); });
after(async () => { await rm(work, { recursive: true, force: true }); });
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

async function serve(handler: Handler): Promise<TestServer> {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res, requests.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const result = { url: `http://127.0.0.1:${port}/feed.json`, requests, close };
  servers.push(result);
  return result;
}

/** An injected clock that only moves when the client sleeps (or the test advances it). */
function fakeTime(start = Date.UTC(2024, 4, 1, 12, 0, 0)) {
  let t = start;
  const sleeps: number[] = [];
  const logs: string[] = [];
  return {
    sleeps,
    logs,
    advance: (ms: number) => { t += ms; },
    nowMs: () => t,
    options: {
      now: () => new Date(t),
      sleep: async (ms: number) => { sleeps.push(ms); t += ms; },
      log: (message: string) => { logs.push(message); },
    } satisfies HttpClientOptions,
  };
}

function send(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

async function rejectsWith(promise: Promise<unknown>, code: FeedErrorCode): Promise<FeedError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof FeedError, `expected FeedError ${code}, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

describe('get: statuses and retries', () => {
  it('returns a 200 body with the final URL and sends the user agent', async () => {
    const server = await serve((_req, res) => send(res, 200, '{"ok":true}', { 'content-type': 'application/json' }));
    const response = await createHttpClient(fakeTime().options).get(server.url);
    assert.equal(response.status, 200);
    assert.equal(response.url, server.url);
    assert.equal(response.notModified, false);
    assert.equal(Buffer.from(response.body).toString(), '{"ok":true}');
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.match(server.requests[0]?.['user-agent'] ?? '', /^stella-ops\/\d+\.\d+\.\d+ /);
  });

  it('honours Retry-After in seconds on a 429, exactly', async () => {
    const server = await serve((_req, res, n) => (n === 0 ? send(res, 429, 'slow down', { 'retry-after': '3' }) : send(res, 200, 'done')));
    const time = fakeTime();
    const response = await createHttpClient(time.options).get(server.url);
    assert.equal(Buffer.from(response.body).toString(), 'done');
    assert.deepEqual(time.sleeps, [3000]);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(time.logs, [`GET ${server.url}: 429, retrying in 3 s (attempt 2/6)`]);
  });

  it('honours Retry-After as an HTTP date against the injected clock', async () => {
    const time = fakeTime();
    const retryAt = new Date(time.nowMs() + 7000).toUTCString();
    const server = await serve((_req, res, n) => (n === 0 ? send(res, 503, '', { 'retry-after': retryAt }) : send(res, 200, 'ok')));
    await createHttpClient(time.options).get(server.url);
    assert.deepEqual(time.sleeps, [7000]);
  });

  it('caps Retry-After at maxRetryAfterMs', async () => {
    const server = await serve((_req, res, n) => (n === 0 ? send(res, 429, '', { 'retry-after': '86400' }) : send(res, 200, 'ok')));
    const time = fakeTime();
    await createHttpClient({ ...time.options, maxRetryAfterMs: 90_000 }).get(server.url);
    assert.deepEqual(time.sleeps, [90_000]);
  });

  it('backs off exponentially on 5xx without Retry-After', async () => {
    const server = await serve((_req, res, n) => (n < 2 ? send(res, 500, 'boom') : send(res, 200, 'ok')));
    const time = fakeTime();
    const response = await createHttpClient({ ...time.options, baseDelayMs: 1000 }).get(server.url);
    assert.equal(response.status, 200);
    assert.deepEqual(time.sleeps, [1000, 2000]);
    assert.equal(server.requests.length, 3);
  });

  it('caps the back-off at maxDelayMs and retries 408', async () => {
    const server = await serve((_req, res, n) => (n < 4 ? send(res, n === 0 ? 408 : 502) : send(res, 200, 'ok')));
    const time = fakeTime();
    await createHttpClient({ ...time.options, baseDelayMs: 1000, maxDelayMs: 3000 }).get(server.url);
    assert.deepEqual(time.sleeps, [1000, 2000, 3000, 3000]);
  });

  it('gives up with HTTP_STATUS after maxRetries of a permanent 500', async () => {
    const server = await serve((_req, res) => send(res, 500, 'boom'));
    const time = fakeTime();
    const error = await rejectsWith(createHttpClient({ ...time.options, maxRetries: 3 }).get(server.url), 'HTTP_STATUS');
    assert.equal(server.requests.length, 4);
    assert.deepEqual(time.sleeps, [1000, 2000, 4000]);
    assert.equal(httpStatusOf(error), 500);
    assert.ok(error.message.includes('500') && error.message.includes(server.url), error.message);
    assert.match(error.message, /after 4 attempts/);
  });

  it('does not retry a 404 and reports status and URL', async () => {
    const server = await serve((_req, res) => send(res, 404, 'nope'));
    const time = fakeTime();
    const error = await rejectsWith(createHttpClient(time.options).get(server.url), 'HTTP_STATUS');
    assert.ok(error instanceof HttpStatusError);
    assert.equal(error.status, 404);
    assert.equal(error.url, server.url);
    assert.equal(error.message, `GET ${server.url}: HTTP 404 Not Found`);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(time.sleeps, []);
  });

  it('does not retry a 403 that is not a rate limit', async () => {
    const server = await serve((_req, res) => send(res, 403, 'forbidden', { 'x-ratelimit-remaining': '12' }));
    const error = await rejectsWith(createHttpClient(fakeTime().options).get(server.url), 'HTTP_STATUS');
    assert.equal(httpStatusOf(error), 403);
    assert.equal(server.requests.length, 1);
  });

  it('retries a refused connection and then fails with NETWORK', async () => {
    const server = await serve((_req, res) => send(res, 200));
    const url = server.url;
    await server.close();
    const time = fakeTime();
    const error = await rejectsWith(createHttpClient({ ...time.options, maxRetries: 1 }).get(url), 'NETWORK');
    assert.match(error.message, /ECONNREFUSED/);
    assert.deepEqual(time.sleeps, [1000]);
  });

  it('rejects a URL that is not http(s) without a request', async () => {
    await rejectsWith(createHttpClient(fakeTime().options).get('file:///etc/passwd'), 'BAD_OPTION');
    await rejectsWith(createHttpClient(fakeTime().options).get('not a url'), 'BAD_OPTION');
  });
});

describe('get: bodies', () => {
  /** Promises 1000 bytes, sends 10 and drops the connection. */
  const truncating: Handler = (_req, res) => {
    res.writeHead(200, { 'content-length': '1000' });
    res.write(Buffer.alloc(10, 0x61), () => res.socket?.destroy());
  };

  it('retries a body cut short and then fails with TRUNCATED', async () => {
    const server = await serve(truncating);
    const time = fakeTime();
    const error = await rejectsWith(createHttpClient({ ...time.options, maxRetries: 2 }).get(server.url), 'TRUNCATED');
    assert.equal(server.requests.length, 3);
    assert.deepEqual(time.sleeps, [1000, 2000]);
    assert.match(error.message, /after 3 attempts/);
  });

  it('refuses a Content-Length over maxBytes without retrying', async () => {
    const server = await serve((_req, res) => send(res, 200, 'x'.repeat(1000)));
    const error = await rejectsWith(createHttpClient({ ...fakeTime().options, maxBytes: 100 }).get(server.url), 'TOO_LARGE');
    assert.match(error.message, /Content-Length 1000/);
    assert.equal(server.requests.length, 1);
  });

  it('stops a chunked body as soon as it passes maxBytes', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200); // no Content-Length: chunked
      for (let i = 0; i < 10; i++) res.write('y'.repeat(100));
      res.end();
    });
    await rejectsWith(createHttpClient(fakeTime().options).get(server.url, { maxBytes: 250 }), 'TOO_LARGE');
    assert.equal(server.requests.length, 1);
  });

  it('times out a server that never answers', async () => {
    const server = await serve(() => undefined);
    const time = fakeTime();
    const error = await rejectsWith(createHttpClient({ ...time.options, timeoutMs: 200, maxRetries: 1 }).get(server.url), 'TIMEOUT');
    assert.match(error.message, /no progress for 200 ms/);
    assert.equal(server.requests.length, 2);
  });

  it('times out a body that stalls after its first bytes', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    await rejectsWith(createHttpClient({ ...fakeTime().options, maxRetries: 0 }).get(server.url, { timeoutMs: 200 }), 'TIMEOUT');
  });

  it('maps the caller aborting a request to ABORTED, without retrying', async () => {
    const controller = new AbortController();
    const server = await serve(() => controller.abort());
    const time = fakeTime();
    await rejectsWith(createHttpClient(time.options).get(server.url, { signal: controller.signal }), 'ABORTED');
    assert.equal(server.requests.length, 1);
    assert.deepEqual(time.sleeps, []);
    await rejectsWith(createHttpClient(time.options).get(server.url, { signal: controller.signal }), 'ABORTED');
    assert.equal(server.requests.length, 1);
  });
});

describe('conditional requests and offline', () => {
  const conditional: Handler = (req, res) => {
    if (req.headers['if-none-match'] === '"v1"' || req.headers['if-modified-since'] === 'Wed, 01 May 2024 10:00:00 GMT') {
      res.writeHead(304, { etag: '"v1"' });
      res.end();
    } else {
      send(res, 200, 'fresh', { etag: '"v1"' });
    }
  };

  it('sends If-None-Match and returns 304 as notModified with an empty body', async () => {
    const server = await serve(conditional);
    const client = createHttpClient(fakeTime().options);
    const fresh = await client.get(server.url);
    assert.equal(fresh.headers.get('etag'), '"v1"');
    const again = await client.get(server.url, { etag: '"v1"' });
    assert.equal(again.status, 304);
    assert.equal(again.notModified, true);
    assert.equal(again.body.byteLength, 0);
    assert.equal(server.requests[1]?.['if-none-match'], '"v1"');
  });

  it('sends If-Modified-Since from lastModified', async () => {
    const server = await serve(conditional);
    const response = await createHttpClient(fakeTime().options).get(server.url, { lastModified: 'Wed, 01 May 2024 10:00:00 GMT' });
    assert.equal(response.notModified, true);
    assert.equal(server.requests[0]?.['if-modified-since'], 'Wed, 01 May 2024 10:00:00 GMT');
  });

  it('leaves the destination untouched on a 304 download', async () => {
    const server = await serve(conditional);
    const destination = join(work, 'conditional.json');
    await writeFile(destination, 'previous');
    const result = await createHttpClient(fakeTime().options).download(server.url, destination, { etag: '"v1"' });
    assert.deepEqual([result.status, result.notModified, result.bytes, result.sha256], [304, true, 0, '']);
    assert.equal(await readFile(destination, 'utf8'), 'previous');
  });

  it('fails offline requests with OFFLINE and never connects', async () => {
    const server = await serve((_req, res) => send(res, 200, 'ok'));
    const client = createHttpClient({ ...fakeTime().options, offline: true });
    await rejectsWith(client.get(server.url), 'OFFLINE');
    await rejectsWith(client.download(server.url, join(work, 'offline.json')), 'OFFLINE');
    assert.equal(server.requests.length, 0);
  });
});

describe('request spacing and rate limits', () => {
  it('waits for x-ratelimit-reset after a response with no requests remaining', async () => {
    const time = fakeTime();
    const reset = String(time.nowMs() / 1000 + 30);
    const server = await serve((_req, res, n) => send(res, 200, 'ok', n === 0 ? { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset } : {}));
    const client = createHttpClient(time.options);
    await client.get(server.url);
    assert.deepEqual(time.sleeps, []);
    await client.get(server.url);
    assert.deepEqual(time.sleeps, [30_000]);
    await client.get(server.url);
    assert.deepEqual(time.sleeps, [30_000]);
  });

  it('retries a rate-limited 403 after the reset, once', async () => {
    const time = fakeTime();
    const reset = String(time.nowMs() / 1000 + 60);
    const server = await serve((_req, res, n) => (n === 0
      ? send(res, 403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset })
      : send(res, 200, 'ok')));
    const response = await createHttpClient(time.options).get(server.url);
    assert.equal(response.status, 200);
    assert.deepEqual(time.sleeps, [60_000]);
  });

  it('caps the wait for a distant reset at maxRetryAfterMs', async () => {
    const time = fakeTime();
    const reset = String(time.nowMs() / 1000 + 86_400);
    const server = await serve((_req, res, n) => (n === 0
      ? send(res, 429, '', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset })
      : send(res, 200, 'ok')));
    await createHttpClient({ ...time.options, maxRetryAfterMs: 120_000 }).get(server.url);
    assert.deepEqual(time.sleeps, [120_000]);
  });

  it('spaces consecutive requests by minIntervalMs on the injected clock', async () => {
    const server = await serve((_req, res) => send(res, 200, 'ok'));
    const time = fakeTime();
    const client = createHttpClient({ ...time.options, minIntervalMs: 6000 });
    await client.get(server.url);
    await client.get(server.url);
    await client.get(server.url);
    assert.deepEqual(time.sleeps, [6000, 6000]);
    time.advance(2500);
    await client.get(server.url);
    assert.deepEqual(time.sleeps, [6000, 6000, 3500]);
    time.advance(10_000);
    await client.get(server.url);
    assert.deepEqual(time.sleeps, [6000, 6000, 3500]);
  });
});

describe('download', () => {
  /** Synthetic: 20 MiB of a deterministic byte stream (a SHA-256 counter chain), sent in 64 KiB chunks. */
  function syntheticChunk(i: number): Buffer {
    const block = createHash('sha256').update(`chunk-${i}`).digest();
    return Buffer.concat(Array.from({ length: 2048 }, () => block));
  }
  const CHUNKS = 320;

  it('streams a 20 MiB body to the destination with its sha256', async () => {
    const expected = createHash('sha256');
    for (let i = 0; i < CHUNKS; i++) expected.update(syntheticChunk(i));
    const expectedSha = expected.digest('hex');
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(CHUNKS * 65536) });
      let i = 0;
      const next = (): void => {
        while (i < CHUNKS) {
          if (!res.write(syntheticChunk(i++))) return void res.once('drain', next);
        }
        res.end();
      };
      next();
    });
    const destination = join(work, 'big.bin');
    const result = await createHttpClient(fakeTime().options).download(server.url, destination);
    assert.equal(result.bytes, CHUNKS * 65536);
    assert.equal(result.sha256, expectedSha);
    const onDisk = createHash('sha256');
    for await (const chunk of createReadStream(destination)) onDisk.update(chunk as Buffer);
    assert.equal(onDisk.digest('hex'), expectedSha);
    assert.deepEqual((await readdir(work)).filter((name) => name.includes('.partial-')), []);
  });

  it('never creates or replaces the destination when the body is truncated', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10, 0x62), () => res.socket?.destroy());
    });
    const client = createHttpClient({ ...fakeTime().options, maxRetries: 1 });
    const fresh = join(work, 'truncated-new.bin');
    await rejectsWith(client.download(server.url, fresh), 'TRUNCATED');
    await assert.rejects(readFile(fresh), { code: 'ENOENT' });
    const existing = join(work, 'truncated-existing.bin');
    await writeFile(existing, 'good old copy');
    await rejectsWith(client.download(server.url, existing), 'TRUNCATED');
    assert.equal(await readFile(existing, 'utf8'), 'good old copy');
    assert.equal(server.requests.length, 4);
    assert.deepEqual((await readdir(work)).filter((name) => name.includes('.partial-')), []);
  });

  it('removes the partial file when the body exceeds maxBytes', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 10; i++) res.write('z'.repeat(1000));
      res.end();
    });
    const destination = join(work, 'too-large.bin');
    await rejectsWith(createHttpClient(fakeTime().options).download(server.url, destination, { maxBytes: 4000 }), 'TOO_LARGE');
    await assert.rejects(readFile(destination), { code: 'ENOENT' });
    assert.deepEqual((await readdir(work)).filter((name) => name.includes('.partial-')), []);
  });
});
