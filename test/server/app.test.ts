import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { RouteOptions } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import { advisoryRoutes, defaultParts, exportRoutes, feedRoutes, type ServerPart } from '../../src/server/index.js';
import { assertSecurityHeaders, principalPart, send, startTestServer, type TestServer } from './support.js';

/*
 * The core over real HTTPS: the security headers on every response (routes, 404, bad JSON, 413,
 * 415, 500, bad URL, malformed HTTP, the docs), one error shape without stacks, an application log
 * without client IPs or credentials, OpenAPI 3.1 valid against the official schema and listing
 * every route, the docs served offline, /readyz following the store.
 */

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const TOKEN = 'eyJhbGciOiJFZERTQSJ9.c2VjcmV0LXRva2VuLXZhbHVl.c2lnbmF0dXJl';

const testRoutes: ServerPart = (app) => {
  app.post('/api/v1/echo', {
    config: { scope: 'read' },
    schema: { body: Type.Object({ n: Type.Integer() }, { additionalProperties: false }) },
  }, async (request) => request.body);
  app.get('/api/v1/boom', { config: { scope: 'read' } }, async (request) => {
    request.log.info({ headers: request.headers }, 'about to fail');
    throw new Error('secret internal detail');
  });
};

describe('server core over HTTPS', () => {
  let server: TestServer;
  let ca: string;
  const get = (path: string, headers?: Record<string, string>) => send(server.server.url, { path, ca, ...(headers === undefined ? {} : { headers }) });
  const post = (path: string, body: string, contentType = 'application/json') =>
    send(server.server.url, { method: 'POST', path, ca, body, headers: { 'content-type': contentType } });

  before(async () => {
    server = await startTestServer({
      bodyLimit: 1024,
      parts: () => [principalPart(['read', 'scan']), testRoutes, advisoryRoutes(), feedRoutes(), exportRoutes()],
    });
    ca = readFileSync(join(server.home, 'tls', 'server.crt'), 'utf8');
  });
  after(() => server.dispose());

  test('headers and the error shape on 200, 404, 400 (bad JSON, schema), 413, 415 and a bad URL', async () => {
    const cases: [string, Promise<Awaited<ReturnType<typeof get>>>, number, string | undefined][] = [
      ['200', get('/healthz'), 200, undefined],
      ['404', get('/no/such/route'), 404, 'NOT_FOUND'],
      ['400 bad JSON', post('/api/v1/echo', '{"n": '), 400, 'BAD_REQUEST'],
      ['400 schema', post('/api/v1/echo', '{"n": 1, "extra": true}'), 400, 'VALIDATION'],
      ['413', post('/api/v1/echo', JSON.stringify({ n: 1, pad: 'x'.repeat(4096) })), 413, 'PAYLOAD_TOO_LARGE'],
      ['415', post('/api/v1/echo', 'n=1', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['bad URL', get('/api/v1/advisories/%zz'), 400, 'BAD_REQUEST'],
    ];
    for (const [what, pending, status, code] of cases) {
      const res = await pending;
      assert.equal(res.status, status, `${what}: ${res.text}`);
      assertSecurityHeaders(assert, res.headers, what);
      assert.equal(res.headers['content-security-policy'], "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'");
      if (code !== undefined) {
        assert.match(String(res.headers['content-type']), /^application\/json/);
        const body = res.json<{ error: { code: string; message: string } }>();
        assert.equal(body.error.code, code, what);
        assert.equal(typeof body.error.message, 'string');
      }
    }
    assert.deepEqual((await post('/api/v1/echo', '{"n": 7}')).json(), { n: 7 });
  });

  test('a route that throws: 500 with headers, "internal error" and nothing of the error itself', async () => {
    const res = await get('/api/v1/boom', {
      // The Host header names the server (127.0.0.1 here, like the client): call it localhost so any
      // 127.0.0.1 in the log can only be the client's address.
      host: 'localhost', authorization: `Bearer ${TOKEN}`, cookie: 'session=cookie-secret', 'x-forwarded-for': '203.0.113.7',
    });
    assert.equal(res.status, 500);
    assertSecurityHeaders(assert, res.headers, '500');
    assert.deepEqual(res.json(), { error: { code: 'INTERNAL', message: 'internal error' } });
    assert.doesNotMatch(res.text, /secret internal detail|at .*\.ts/);
  });

  test('the application log has the failure but no client IP, token or cookie', async () => {
    const lines = server.log.text.trim().split('\n');
    const failure = lines.find((l) => l.includes('"msg":"request failed"'));
    assert.ok(failure !== undefined, server.log.text);
    assert.match(failure, /secret internal detail/);
    assert.match(failure, /"path":"\/api\/v1\/boom"/);
    assert.match(server.log.text, /"authorization":"\[redacted\]"/);
    assert.match(server.log.text, /"cookie":"\[redacted\]"/);
    for (const line of lines.filter((l) => !l.includes('Server listening at'))) {
      assert.doesNotMatch(line, /127\.0\.0\.1|203\.0\.113\.7|remoteAddress|c2VjcmV0LXRva2VuLXZhbHVl|cookie-secret/, line);
    }
  });

  test('malformed HTTP gets the error shape and the headers too', async () => {
    const { hostname, port } = new URL(server.server.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), ca }, () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (c: Buffer) => {
        text += c.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(raw, /\r\nstrict-transport-security: max-age=31536000; includeSubDomains\r\n/);
    assert.match(raw, /\r\ncontent-security-policy: default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'\r\n/);
    assert.match(raw, /\r\nx-content-type-options: nosniff\r\n/);
    assert.match(raw, /\{"error":\{"code":"BAD_REQUEST","message":"Bad Request"\}\}$/);
  });

  test('/api/docs is served from the package (no CDN), with the headers and a CSP relaxed only for data: images', async () => {
    const page = await get('/api/docs/');
    assert.equal(page.status, 200);
    assertSecurityHeaders(assert, page.headers, '/api/docs');
    assert.equal(page.headers['content-security-policy'], "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; img-src 'self' data:");
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(assets.length >= 5, page.text);
    assert.doesNotMatch(page.text, /<script>(?!\s*<\/script>)/, 'no inline script');
    for (const asset of assets) {
      assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} is same-origin`);
      const res = await get(new URL(asset, `${server.server.url}/api/docs/`).pathname);
      assert.equal(res.status, 200, asset);
      assertSecurityHeaders(assert, res.headers, asset);
    }
    const init = await get('/api/docs/static/swagger-initializer.js');
    assert.match(init.text, /validatorUrl: null/, 'no online validator');
    const json = await get('/api/docs/json');
    assert.equal(json.status, 200);
    assertSecurityHeaders(assert, json.headers, '/api/docs/json');
  });
});

describe('OpenAPI of the composed server', () => {
  let server: TestServer;
  let ca: string;
  const routes: RouteOptions[] = [];
  const collector: ServerPart = (app) => {
    app.addHook('onRoute', (route) => {
      routes.push(route);
    });
  };

  before(async () => {
    server = await startTestServer({ parts: (ctx) => [collector, ...defaultParts()(ctx)] });
    ca = readFileSync(join(server.home, 'tls', 'server.crt'), 'utf8');
  });
  after(() => server.dispose());

  test('/api/docs/json is a valid OpenAPI 3.1 document (official schema) listing every route', async () => {
    const doc = (await send(server.server.url, { path: '/api/docs/json', ca })).json<{ openapi: string; paths: Record<string, Record<string, { security?: unknown }>> }>();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('media-range', true);
    // Ajv supports $dynamicRef only at a schema's root; without a dialect override, "#meta" in this
    // document resolves to its own $defs/schema, so the static $ref is the same check.
    const text = readFileSync(join(import.meta.dirname, 'testdata', 'openapi-3.1-schema.json'), 'utf8');
    const schema = JSON.parse(text.replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"')) as object;
    const validate = ajv.compile(schema);
    assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
    const broken = { ...doc, paths: { '/x': { get: { responses: { 200: { content: {} } } } } } };
    assert.equal(validate(broken), false, 'the schema does check: a response needs a description');
    assert.equal(doc.openapi, '3.1.0');

    const listed = new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)));
    const expected = new Set(['GET /healthz', 'GET /readyz']);
    for (const route of routes) {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method === 'HEAD' || (route.schema as { hide?: boolean } | undefined)?.hide === true) continue;
        expected.add(`${method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{*}')}`);
      }
    }
    assert.ok(expected.size >= 8, [...expected].join(', '));
    assert.deepEqual([...listed].sort(), [...expected].sort());
    assert.ok(expected.has('GET /api/v1/advisories/{id}') && expected.has('POST /api/v1/feeds/{source}/run') && expected.has('GET /api/v1/exports/{name}/{*}'));
    assert.deepEqual(doc.paths['/api/v1/feeds/{source}/run']?.post?.security, [{ bearer: ['feeds'] }]);
    assert.deepEqual(doc.paths['/api/v1/advisories']?.get?.security, [{}, { bearer: ['read'] }]);
  });
});

describe('/readyz', () => {
  test('ready while the store answers, 503 with the error shape once it does not', async () => {
    const server = await startTestServer({ parts: () => [] });
    try {
      const ca = readFileSync(join(server.home, 'tls', 'server.crt'), 'utf8');
      assert.deepEqual((await send(server.server.url, { path: '/readyz', ca })).json(), { status: 'ready' });
      await server.store.close();
      const res = await send(server.server.url, { path: '/readyz', ca });
      assert.equal(res.status, 503);
      assertSecurityHeaders(assert, res.headers, '503');
      assert.deepEqual(res.json(), { error: { code: 'UNAVAILABLE', message: 'the store is not reachable' } });
      assert.equal((await send(server.server.url, { path: '/healthz', ca })).status, 200, 'alive all the same');
    } finally {
      await server.dispose();
    }
  });
});
