import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { scanImage, scanJobHandler, type FragmentCache, type LayerFragment } from '../../src/scan/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { VERSION as CLI_VERSION } from '../../src/cli/main.js';
import { stella } from '../cli/harness.js';
import { forEachDialect, type TargetFactory } from '../support/store-targets.js';
import { buildApp } from '../../src/server/app.js';
import { SCOPES, type Principal, type ServerContext, type ServerPart } from '../../src/server/context.js';
import { createQuotaLedger } from '../../src/server/quota/index.js';
import { layerRoutes } from '../../src/server/routes/layers.js';
import { scanRoutes, waitForScan } from '../../src/server/routes/scans.js';

/*
 * The scan API end to end on the real app (buildApp): uploads of the shipped sample image
 * (samples/sample-image.tar, built by scripts from samples/image) and of an SBOM, the `scan` job run
 * as a worker runs it, and findings compared byte for byte with what `stella scan` prints for the
 * same input against the same advisory snapshot (samples/advisories).
 */

const ROOT = join(import.meta.dirname, '..', '..');
const IMAGE_TAR = join(ROOT, 'samples', 'sample-image.tar');
const SNAPSHOT = join(ROOT, 'samples', 'advisories');
const NOW = new Date('2024-01-01T00:00:00.000Z');
const VERSION = CLI_VERSION;
const CLI_IMAGE = `docker-archive:${IMAGE_TAR}`;

const key = (name: string): string => createHash('sha256').update(name).digest('hex');

/** Principals by an X-Test-User header (the auth part is tested on its own). */
const testPrincipals: ServerPart = (app) => {
  app.addHook('onRequest', async (request) => {
    const who = typeof request.headers['x-test-user'] === 'string' ? request.headers['x-test-user'] : 'alice';
    const principal: Principal = {
      anonymous: false,
      tokenHash: key(who),
      scopes: new Set(who === 'admin' ? SCOPES : ['scan', 'read']),
      quotaKey: key(who),
    };
    request.principal = principal;
  });
};

interface Harness {
  app: FastifyInstance;
  store: Store;
  queued: string[];
  sleeps: number[];
  /** Called by the injected sleep after recording it (a worker acting while a request waits). */
  onSleep?: () => Promise<unknown>;
  /** Runs every queued scan job, as a worker would. */
  runJobs(): Promise<unknown[]>;
  close(): Promise<void>;
}

async function harness(factory: TargetFactory, home: string, maxUploadBytes = 64 * 1024 * 1024): Promise<Harness> {
  const target = await factory();
  const store = await openStore({ ...target.options(), now: () => NOW });
  const queued: string[] = [];
  const sleeps: number[] = [];
  const ctx: ServerContext = {
    store,
    stellaHome: home,
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
      await result.onSleep?.();
    },
    logger: pino({ level: 'silent' }),
    runJobsInProcess: true,
    quota: createQuotaLedger(store, { now: () => NOW }),
    maxUploadBytes,
  };
  const enqueue = (kind: string, payload: { scanId: string }) => {
    assert.equal(kind, 'scan');
    queued.push(payload.scanId);
    return Promise.resolve({ id: queued.length });
  };
  const app = await buildApp(ctx, [testPrincipals, scanRoutes({ enqueue, toolVersion: VERSION, uploadChunkSize: 4096 }), layerRoutes()]);
  await app.ready();
  const handler = scanJobHandler(store, { stellaHome: home, now: () => NOW, advisoriesDir: SNAPSHOT });
  const result: Harness = {
    app,
    store,
    queued,
    sleeps,
    async runJobs() {
      const out: unknown[] = [];
      while (queued.length > 0) out.push(await handler({ scanId: queued.shift() }, { attempt: 1, maxAttempts: 5 }));
      return out;
    },
    async close() {
      await app.close();
      await store.close();
      await target.dispose();
    },
  };
  return result;
}

/** `stella scan` output with the CLI's target spelled as the server's. */
function asServer(cliText: string, cliTarget: string, serverTarget: string): string {
  return cliText.split(JSON.stringify(cliTarget)).join(JSON.stringify(serverTarget));
}

interface Expected {
  imageJson: string;
  imageCritical: string;
  imageSarif: string;
  imageSpdx: string;
  sbomText: string;
  sbomPath: string;
  sbomJson: string;
}

let expected: Expected;
let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'stella-scan-api-'));
  const saved = { home: process.env.STELLA_HOME, epoch: process.env.SOURCE_DATE_EPOCH, db: process.env.STELLA_DATABASE_URL };
  process.env.STELLA_HOME = join(work, 'cli-home');
  process.env.SOURCE_DATE_EPOCH = String(NOW.getTime() / 1000);
  delete process.env.STELLA_DATABASE_URL;
  try {
    const cli = async (...args: string[]) => {
      const result = await stella(['scan', ...args, '--advisories', SNAPSHOT, '--quiet', '--no-cache']);
      assert.ok(result.status === 0, result.stderr);
      return result.stdout;
    };
    const sbomPath = join(work, 'sample.cdx.json');
    const sbomText = (await stella(['scan', CLI_IMAGE, '--format', 'cyclonedx', '--advisories', SNAPSHOT, '--quiet', '--no-cache'])).stdout;
    writeFileSync(sbomPath, sbomText);
    expected = {
      imageJson: await cli(CLI_IMAGE, '--format', 'json'),
      imageCritical: await cli(CLI_IMAGE, '--format', 'json', '--severity', 'CRITICAL'),
      imageSarif: await cli(CLI_IMAGE, '--format', 'sarif'),
      imageSpdx: (await stella(['scan', CLI_IMAGE, '--format', 'spdx-json', '--quiet', '--no-cache'])).stdout,
      sbomText,
      sbomPath,
      sbomJson: await cli(`sbom:${sbomPath}`, '--format', 'json'),
    };
  } finally {
    for (const [name, value] of [['STELLA_HOME', saved.home], ['SOURCE_DATE_EPOCH', saved.epoch], ['STELLA_DATABASE_URL', saved.db]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

after(() => rmSync(work, { recursive: true, force: true }));

function multipart(field: string, filename: string, content: Buffer, boundary = 'stella-test-boundary'): { body: Buffer; type: string } {
  const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="${filename}"\r\ncontent-type: application/octet-stream\r\n\r\n`);
  return { body: Buffer.concat([head, content, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

/** The sample image's fragments as a CI builder computes them (the scanner, cache writes captured). */
async function builderFragments(): Promise<LayerFragment[]> {
  const captured: LayerFragment[] = [];
  const cache: FragmentCache = { get: () => undefined, put: (f) => void captured.push(f) };
  await scanImage(CLI_IMAGE, { fragments: cache });
  return captured;
}

function suite(dialect: string, factory: TargetFactory): void {
  describe(`scan API on ${dialect}`, () => {
    test('an uploaded image archive: 202, the job, then findings equal `stella scan --format json` byte for byte', async () => {
      const h = await harness(factory, join(work, `home-${dialect}-1`));
      try {
        const posted = await h.app.inject({
          method: 'POST',
          url: '/api/v1/scans',
          headers: { 'content-type': 'application/x-tar', 'content-disposition': 'attachment; filename="sample-image.tar"' },
          payload: createReadStream(IMAGE_TAR),
        });
        assert.equal(posted.statusCode, 202, posted.body);
        const { scan } = posted.json<{ scan: { id: string; status: string; target: string; links: { findings: string } } }>();
        assert.equal(posted.headers.location, `/api/v1/scans/${scan.id}`);
        assert.deepEqual([scan.status, scan.target], ['queued', 'upload:sample-image.tar']);
        assert.equal(posted.headers['x-stella-quota-remaining'], '332');
        assert.equal(posted.headers['x-stella-quota-reset'], '2024-01-02T00:00:00Z');
        assert.deepEqual(h.queued, [scan.id]);
        assert.deepEqual(await h.store.scans.countBlobs(), { blobs: 1, chunks: 3 }, '10 KiB in 4 KiB chunks');

        const early = await h.app.inject({ url: scan.links.findings });
        assert.equal(early.statusCode, 409);
        assert.deepEqual(early.json<{ error: { code: string; details: unknown } }>().error.details, { status: 'queued' });

        assert.deepEqual(await h.runJobs(), [{ scanId: scan.id, status: 'done' }]);
        assert.deepEqual(await h.store.scans.countBlobs(), { blobs: 0, chunks: 0 }, 'the upload is removed with the results');
        const one = (await h.app.inject({ url: `/api/v1/scans/${scan.id}` })).json<{ scan: { status: string; finishedAt: string; summary: Record<string, unknown> } }>().scan;
        assert.equal(one.status, 'done');
        assert.equal(one.finishedAt, NOW.toISOString());
        assert.deepEqual(one.summary, {
          packages: 9, findings: 7, advisories: 12, issues: 0,
          bySeverity: { CRITICAL: 1, HIGH: 3, MEDIUM: 1, LOW: 0, NONE: 0, UNKNOWN: 2 },
        });

        const findings = await h.app.inject({ url: `${scan.links.findings}?format=json` });
        assert.equal(findings.statusCode, 200);
        assert.match(String(findings.headers['content-type']), /^application\/json/);
        assert.equal(findings.body, asServer(expected.imageJson, CLI_IMAGE, scan.target));
        const etag = String(findings.headers.etag);
        assert.match(etag, /^"[0-9a-f]{32}"$/);
        const cached = await h.app.inject({ url: `${scan.links.findings}?format=json` });
        assert.deepEqual([cached.body, cached.headers.etag], [findings.body, etag], 'a repeated GET (render cache) gives the same bytes');
        const unchanged = await h.app.inject({ url: `${scan.links.findings}?format=json`, headers: { 'if-none-match': etag } });
        assert.deepEqual([unchanged.statusCode, unchanged.body], [304, '']);
        const critical = await h.app.inject({ url: `${scan.links.findings}?severity=critical` });
        assert.notEqual(critical.headers.etag, etag);
        assert.equal(critical.body, asServer(expected.imageCritical, CLI_IMAGE, scan.target));
        const sarif = await h.app.inject({ url: `${scan.links.findings}?format=sarif` });
        assert.equal(sarif.body, asServer(expected.imageSarif, CLI_IMAGE, scan.target));
        assert.match(String(sarif.headers['content-type']), /^application\/sarif\+json/);
        const unfixed = await h.app.inject({ url: `${scan.links.findings}?ignoreUnfixed=true` });
        assert.equal(JSON.parse(unfixed.body).findings.length, 7);
        const bad = await h.app.inject({ url: `${scan.links.findings}?severity=SEVERE` });
        assert.equal(bad.statusCode, 400);
        assert.equal(bad.json<{ error: { code: string } }>().error.code, 'VALIDATION');
        const sbom = await h.app.inject({ url: `/api/v1/scans/${scan.id}/sbom?format=spdx-json` });
        assert.equal(sbom.statusCode, 200);
        const spdx = JSON.parse(sbom.body) as { packages: unknown[]; documentNamespace: string };
        const cliSpdx = JSON.parse(expected.imageSpdx) as { packages: unknown[] };
        assert.deepEqual(spdx.packages.length, cliSpdx.packages.length);

        // Idempotent: the job again (a redelivery) changes nothing.
        h.queued.push(scan.id);
        assert.deepEqual(await h.runJobs(), [{ scanId: scan.id, status: 'done', skipped: true }]);
        assert.equal((await h.app.inject({ url: `${scan.links.findings}?format=json` })).body, findings.body);
      } finally {
        await h.close();
      }
    });

    test('an SBOM (detected, or named by X-Stella-Sbom-Type; raw or multipart): findings equal `stella scan sbom:`', async () => {
      const h = await harness(factory, join(work, `home-${dialect}-2`));
      try {
        const raw = await h.app.inject({
          method: 'POST', url: '/api/v1/scans', payload: expected.sbomText,
          headers: { 'content-type': 'application/json', 'content-disposition': 'attachment; filename="sample.cdx.json"' },
        });
        assert.equal(raw.statusCode, 202, raw.body);
        const typed = await h.app.inject({
          method: 'POST', url: '/api/v1/scans', payload: expected.sbomText,
          headers: { 'content-type': 'application/octet-stream', 'x-stella-sbom-type': 'cyclonedx' },
        });
        assert.equal(typed.statusCode, 202, typed.body);
        const form = multipart('sbom', 'sample.cdx.json', Buffer.from(expected.sbomText));
        const parted = await h.app.inject({ method: 'POST', url: '/api/v1/scans', payload: form.body, headers: { 'content-type': form.type } });
        assert.equal(parted.statusCode, 202, parted.body);
        const wrongType = await h.app.inject({
          method: 'POST', url: '/api/v1/scans', payload: expected.sbomText,
          headers: { 'content-type': 'application/json', 'x-stella-sbom-type': 'spdx' },
        });
        assert.equal(wrongType.statusCode, 202);
        const ids = [raw, typed, parted, wrongType].map((r) => r.json<{ scan: { id: string } }>().scan.id);
        const results = await h.runJobs();
        assert.deepEqual(results.map((r) => (r as { status: string }).status), ['done', 'done', 'done', 'failed']);
        const failed = (await h.app.inject({ url: `/api/v1/scans/${ids[3]}` })).json<{ scan: { error: string } }>().scan;
        assert.match(failed.error, /MALFORMED: .*cyclonedx-json, expected spdx-json/);
        assert.equal((await h.app.inject({ url: `/api/v1/scans/${ids[3]}/findings` })).statusCode, 409);

        for (const [id, target] of [[ids[0], 'sbom:sample.cdx.json'], [ids[1], 'sbom:upload'], [ids[2], 'sbom:sample.cdx.json']] as const) {
          const body = (await h.app.inject({ url: `/api/v1/scans/${id}/findings` })).body;
          assert.equal(body, asServer(expected.sbomJson, `sbom:${expected.sbomPath}`, target));
        }
        assert.deepEqual(await h.store.scans.countBlobs(), { blobs: 0, chunks: 0 });
      } finally {
        await h.close();
      }
    });

    test('a registry reference is queued; bad bodies are refused with the error shape', async () => {
      const h = await harness(factory, join(work, `home-${dialect}-3`));
      try {
        const ref = await h.app.inject({ method: 'POST', url: '/api/v1/scans', payload: { image: 'registry.example.com/app:1.2', platform: 'linux/arm64' } });
        assert.equal(ref.statusCode, 202, ref.body);
        const scan = ref.json<{ scan: { id: string; target: string; inputKind: string } }>().scan;
        assert.deepEqual([scan.target, scan.inputKind], ['registry:registry.example.com/app:1.2', 'registry']);
        assert.deepEqual((await h.store.scans.getScan(scan.id))?.input, { kind: 'registry', reference: 'registry.example.com/app:1.2', platform: 'linux/arm64' });

        const cases: [Record<string, string>, string | Buffer, number, string][] = [
          [{ 'content-type': 'application/json' }, '{"image": "bad ref with spaces"}', 400, 'VALIDATION'],
          [{ 'content-type': 'application/json' }, '{"image": "a:1", "extra": 1}', 400, 'VALIDATION'],
          [{ 'content-type': 'image/png' }, 'x', 415, 'UNSUPPORTED_MEDIA_TYPE'],
          [{ 'content-type': 'application/json', 'x-stella-sbom-type': 'pdf' }, '{}', 400, 'VALIDATION'],
          [{ 'content-type': 'application/x-tar' }, '', 400, 'BAD_REQUEST'],
        ];
        for (const [headers, payload, status, code] of cases) {
          const res = await h.app.inject({ method: 'POST', url: '/api/v1/scans', headers, payload });
          assert.equal(res.statusCode, status, `${JSON.stringify(headers)} ${String(payload)}: ${res.body}`);
          assert.equal(res.json<{ error: { code: string } }>().error.code, code);
          assert.equal(res.headers['x-content-type-options'], 'nosniff');
        }
        const form = multipart('file', 'x.tar', Buffer.from('x'));
        const badPart = await h.app.inject({ method: 'POST', url: '/api/v1/scans', payload: form.body, headers: { 'content-type': form.type } });
        assert.equal(badPart.statusCode, 400);
        assert.equal((await h.app.inject({ url: '/api/v1/scans/00000000-0000-4000-8000-000000000000' })).statusCode, 404);
        assert.equal((await h.app.inject({ url: '/api/v1/scans/not-a-uuid' })).statusCode, 400);
        assert.deepEqual(await h.store.scans.countBlobs(), { blobs: 0, chunks: 0 });
      } finally {
        await h.close();
      }
    });

    test('list: the caller\'s scans newest first, paged by cursor; an admin sees everyone\'s', async () => {
      const h = await harness(factory, join(work, `home-${dialect}-4`));
      try {
        const post = (user: string, image: string) => h.app.inject({ method: 'POST', url: '/api/v1/scans', headers: { 'x-test-user': user }, payload: { image } });
        for (let i = 0; i < 5; i++) assert.equal((await post('alice', `app:${i}`)).statusCode, 202);
        assert.equal((await post('bob', 'bob:1')).statusCode, 202);
        const seen: string[] = [];
        let url = '/api/v1/scans?limit=2';
        for (let pages = 0; pages < 5; pages++) {
          const page = (await h.app.inject({ url })).json<{ scans: { id: string; target: string }[]; next: string | null }>();
          seen.push(...page.scans.map((s) => s.target));
          if (page.next === null) break;
          url = `/api/v1/scans?limit=2&cursor=${page.next}`;
        }
        assert.deepEqual(seen.sort(), ['registry:app:0', 'registry:app:1', 'registry:app:2', 'registry:app:3', 'registry:app:4']);
        const all = (await h.app.inject({ url: '/api/v1/scans', headers: { 'x-test-user': 'admin' } })).json<{ scans: unknown[] }>();
        assert.equal(all.scans.length, 6);
        assert.equal((await h.app.inject({ url: '/api/v1/scans?cursor=bm9wZQ' })).statusCode, 400);
      } finally {
        await h.close();
      }
    });

    test('413 past the upload limit (streamed, chunked and multipart) with nothing left in the blob tables', async () => {
      const h = await harness(factory, join(work, `home-${dialect}-5`), 4096);
      try {
        const declared = await h.app.inject({ method: 'POST', url: '/api/v1/scans', headers: { 'content-type': 'application/x-tar' }, payload: readFileSync(IMAGE_TAR) });
        assert.equal(declared.statusCode, 413);
        assert.equal(declared.json<{ error: { code: string } }>().error.code, 'PAYLOAD_TOO_LARGE');
        const form = multipart('image', 'sample-image.tar', readFileSync(IMAGE_TAR));
        const parted = await h.app.inject({ method: 'POST', url: '/api/v1/scans', payload: createReadStreamOf(form.body), headers: { 'content-type': form.type } });
        assert.equal(parted.statusCode, 413, parted.body);
        const sbom = await h.app.inject({ method: 'POST', url: '/api/v1/scans', payload: createReadStreamOf(Buffer.from(expected.sbomText)), headers: { 'content-type': 'application/json' } });
        assert.equal(sbom.statusCode, 413, sbom.body);

        // Real HTTP on loopback, no Content-Length (chunked): the limit is enforced while streaming.
        await h.app.listen({ host: '127.0.0.1', port: 0 });
        const { port } = h.app.server.address() as AddressInfo;
        const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/scans', headers: { 'content-type': 'application/x-tar' } }, (response) => {
            const parts: Buffer[] = [];
            response.on('data', (c: Buffer) => parts.push(c));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
          });
          req.on('error', reject);
          const data = readFileSync(IMAGE_TAR);
          for (let at = 0; at < data.length; at += 1000) req.write(data.subarray(at, at + 1000));
          req.end();
        });
        assert.equal(res.status, 413, res.body);
        assert.equal(JSON.parse(res.body).error.code, 'PAYLOAD_TOO_LARGE');
        assert.deepEqual(await h.store.scans.countBlobs(), { blobs: 0, chunks: 0 });
        assert.deepEqual(await h.store.scans.listScans(), []);
        assert.deepEqual(h.queued, []);
      } finally {
        await h.close();
      }
    });

    test('layers: missing before and after PUT; a scan on uploaded fragments reads no layer and finds the same', async () => {
      const h = await harness(factory, join(work, `home-${dialect}-6`));
      try {
        const fragments = await builderFragments();
        const digests = fragments.map((f) => f.layer);
        assert.equal(digests.length, 3);
        const missing = async (list: string[]) => h.app.inject({ method: 'POST', url: '/api/v1/layers/missing', payload: { digests: list } });
        const before0 = (await missing(digests)).json<{ missing: string[]; analyzers: string }>();
        assert.deepEqual(before0.missing, digests);
        assert.equal(before0.analyzers, fragments[0]!.analyzers);

        const put = (digest: string, body: unknown) => h.app.inject({ method: 'PUT', url: `/api/v1/layers/${digest}`, payload: body as object });
        const first = await put(digests[0]!, fragments[0]);
        assert.equal(first.statusCode, 201, first.body);
        assert.deepEqual((await missing(digests)).json<{ missing: string[] }>().missing, digests.slice(1));
        assert.equal((await put(digests[0]!, fragments[0])).statusCode, 200, 'kept, not replaced');
        for (const f of fragments.slice(1)) assert.equal((await put(f.layer, f)).statusCode, 201);
        assert.deepEqual((await missing(digests)).json<{ missing: string[] }>().missing, []);

        // Validation: shape, digest, analyzers, list size.
        const wrongLayer = await put(digests[1]!, fragments[0]);
        assert.equal(wrongLayer.statusCode, 400);
        assert.match(wrongLayer.json<{ error: { message: string } }>().error.message, /fragment\.layer/);
        const oldAnalyzers = await put(digests[0]!, { ...fragments[0], analyzers: 'dpkg@0' });
        assert.equal(oldAnalyzers.statusCode, 409);
        const relative = await put(digests[0]!, { ...fragments[0], whiteouts: ['srv/legacy'] });
        assert.equal(relative.statusCode, 400);
        assert.equal((await put('sha256:abc', fragments[0])).statusCode, 400);
        assert.equal((await missing(['sha256:xyz'])).statusCode, 400);
        assert.equal((await missing(Array.from({ length: 1001 }, () => digests[0]!))).statusCode, 400);

        const posted = await h.app.inject({
          method: 'POST', url: '/api/v1/scans', payload: createReadStream(IMAGE_TAR),
          headers: { 'content-type': 'application/x-tar', 'content-disposition': 'attachment; filename="sample-image.tar"' },
        });
        const id = posted.json<{ scan: { id: string } }>().scan.id;
        await h.runJobs();
        for (const d of digests) assert.equal((await h.store.scans.getFragment(d, before0.analyzers, { owner: key('alice') }))?.origin, 'upload', `${d} came from the upload, not a layer read`);
        const findings = (await h.app.inject({ url: `/api/v1/scans/${id}/findings` })).body;
        assert.equal(findings, asServer(expected.imageJson, CLI_IMAGE, 'upload:sample-image.tar'));
      } finally {
        await h.close();
      }
    });

    test('?wait=: 202 once the wait is spent when no worker finishes the scan; above the maximum 400', async () => {
      const h = await harness(factory, join(work, `home-${dialect}-8`));
      try {
        const sbom = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] });
        const post = (wait: number) => h.app.inject({ method: 'POST', url: `/api/v1/scans?wait=${wait}`, payload: sbom, headers: { 'content-type': 'application/vnd.cyclonedx+json' } });
        const waited = await post(5);
        assert.equal(waited.statusCode, 202, waited.body);
        const { scan } = waited.json<{ scan: { id: string; status: string } }>();
        assert.equal(scan.status, 'queued');
        assert.equal(waited.headers.location, `/api/v1/scans/${scan.id}`);
        // The polls slept through the injected wait: short first, never more than 500 ms at a time, 5 s in all.
        assert.equal(h.sleeps.reduce((a, b) => a + b, 0), 5000);
        assert.deepEqual(h.sleeps.slice(0, 5), [50, 100, 200, 400, 500]);
        assert.ok(h.sleeps.every((ms) => ms <= 500));
        const tooLong = await post(301);
        assert.equal(tooLong.statusCode, 400);
        assert.equal(tooLong.json<{ error: { code: string } }>().error.code, 'VALIDATION');
        // A scan that a worker finishes while the request waits: 200 with its final state. (The
        // worker here runs inside the first poll's sleep.)
        await h.runJobs();
        h.sleeps.length = 0;
        h.onSleep = () => h.runJobs();
        const done = await post(30);
        assert.equal(done.statusCode, 200, done.body);
        const finished = done.json<{ scan: { id: string; status: string; summary: { packages: number } } }>().scan;
        assert.deepEqual([finished.status, finished.summary.packages], ['done', 0]);
        assert.equal(done.headers.location, `/api/v1/scans/${finished.id}`);
        assert.deepEqual(h.sleeps, [50], 'one poll interval, then the finished scan');
        // A client that leaves ends the polling at the next poll (the route's gone() is its socket closing).
        const left = (await post(0)).json<{ scan: { id: string } }>().scan.id;
        const slept: number[] = [];
        let polls = 0;
        const gone = () => (polls += 1) > 3;
        const sleep = (ms: number) => { slept.push(ms); return Promise.resolve(); };
        assert.equal(await waitForScan({ store: h.store, now: () => NOW, sleep }, left, 300, gone), undefined);
        assert.deepEqual(slept, [50, 100, 200]);
      } finally {
        await h.close();
      }
    });

    test('layers: one caller\'s uploaded fragments never change what another caller\'s scan finds', async () => {
      const h = await harness(factory, join(work, `home-${dialect}-7`));
      try {
        const fragments = await builderFragments();
        const digests = fragments.map((f) => f.layer);
        const as = (user: string) => ({ 'x-test-user': user });
        // Mallory claims every layer of the shared image holds nothing.
        for (const f of fragments) {
          const empty = { ...f, files: [], symlinks: [], whiteouts: [], opaqueDirs: [], issues: [] };
          const put = await h.app.inject({ method: 'PUT', url: `/api/v1/layers/${f.layer}`, payload: empty, headers: as('mallory') });
          assert.equal(put.statusCode, 201, put.body);
        }
        const missingFor = async (user: string) => (await h.app.inject({
          method: 'POST', url: '/api/v1/layers/missing', payload: { digests }, headers: as(user),
        })).json<{ missing: string[] }>().missing;
        assert.deepEqual(await missingFor('mallory'), []);
        assert.deepEqual(await missingFor('bob'), digests, 'another caller is not told the layers are known');

        const scanAs = async (user: string): Promise<string> => {
          const posted = await h.app.inject({
            method: 'POST', url: '/api/v1/scans', payload: createReadStream(IMAGE_TAR),
            headers: { ...as(user), 'content-type': 'application/x-tar', 'content-disposition': 'attachment; filename="sample-image.tar"' },
          });
          assert.equal(posted.statusCode, 202, posted.body);
          await h.runJobs();
          return posted.json<{ scan: { id: string } }>().scan.id;
        };
        const mallorys = await scanAs('mallory');
        const bobs = await scanAs('bob');
        const findingsOf = async (id: string) => (await h.app.inject({ url: `/api/v1/scans/${id}/findings` })).json<{ findings: unknown[] }>().findings;
        assert.equal((await findingsOf(mallorys)).length, 0, 'her own scan used her own claim');
        const bobText = (await h.app.inject({ url: `/api/v1/scans/${bobs}/findings` })).body;
        assert.equal(bobText, asServer(expected.imageJson, CLI_IMAGE, 'upload:sample-image.tar'), 'bob\'s scan read the layers');
        assert.ok(JSON.parse(bobText).findings.length > 0);
        // Bob's scan read the layers: its fragments replace mallory's claims for everyone.
        for (const d of digests) {
          assert.equal((await h.store.scans.getFragment(d, fragments[0]!.analyzers, { owner: key('mallory') }))?.origin, 'scan');
        }
        assert.equal((await findingsOf(await scanAs('mallory'))).length, JSON.parse(bobText).findings.length);
      } finally {
        await h.close();
      }
    });
  });
}

function createReadStreamOf(data: Buffer): NodeJS.ReadableStream {
  const path = join(work, `body-${createHash('sha256').update(data).digest('hex').slice(0, 12)}`);
  writeFileSync(path, data);
  return createReadStream(path);
}

await forEachDialect('scan API', suite);
