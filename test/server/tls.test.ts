import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { ensureSelfSignedCertificate, fingerprintOf, TlsError } from '../../src/server/index.js';
import { requireTool } from '../support/tools.js';
import { send, startTestServer, type TestServer } from './support.js';

/*
 * Transport security on real HTTPS servers (127.0.0.1, port 0): TLS 1.3 out of the box with the
 * generated certificate, TLS 1.2 refused unless a provider module allows it, given files, and
 * plain HTTP only on request (with a warning).
 */

interface Handshake {
  protocol: string | null;
  peer: PeerCertificate;
}

/** A TLS handshake limited to [minVersion, maxVersion]; rejects when the server refuses it. */
function handshake(url: string, versions: { minVersion?: 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }, ca?: string): Promise<Handshake> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: hostname, port: Number(port), ...versions, ...(ca === undefined ? { rejectUnauthorized: false } : { ca }) }, () => {
      const result = { protocol: socket.getProtocol(), peer: socket.getPeerCertificate() };
      socket.end();
      resolve(result);
    });
    socket.on('error', reject);
  });
}

function printedFingerprint(banner: string): string | undefined {
  return /TLS certificate SHA-256 fingerprint ([0-9A-F:]+)/.exec(banner)?.[1];
}

describe('TLS', () => {
  let server: TestServer;
  let ca: string;

  before(async () => {
    server = await startTestServer();
    ca = readFileSync(join(server.home, 'tls', 'server.crt'), 'utf8');
  });
  after(() => server.dispose());

  test('TLS 1.3 works out of the box with the generated certificate, whose fingerprint is the one printed', async () => {
    assert.match(server.server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const printed = printedFingerprint(server.banner.text);
    assert.ok(printed !== undefined, server.banner.text);
    assert.match(server.banner.text, /TLS certificate \(generated /);
    const hs = await handshake(server.server.url, {}, ca);
    assert.equal(hs.protocol, 'TLSv1.3');
    assert.equal(hs.peer.fingerprint256, printed);
    assert.equal(server.server.fingerprint, printed);
    const res = await send(server.server.url, { path: '/healthz', ca });
    assert.equal(res.status, 200);
  });

  test('the printed fingerprint is what openssl x509 -fingerprint -sha256 says', (t) => {
    if (!requireTool(t, 'openssl', ['version'])) return;
    const out = spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(server.home, 'tls', 'server.crt')], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout.trim().replace(/^sha256 Fingerprint=/i, ''), printedFingerprint(server.banner.text));
  });

  test('the certificate is ECDSA P-256 for localhost and the loopback addresses, the key file mode 0600', (t) => {
    const pem = join(server.home, 'tls', 'server.pem');
    assert.equal(statSync(pem).mode & 0o777, 0o600);
    if (!requireTool(t, 'openssl', ['version'])) return;
    const text = spawnSync('openssl', ['x509', '-noout', '-text', '-in', join(server.home, 'tls', 'server.crt')], { encoding: 'utf8' }).stdout;
    assert.match(text, /NIST CURVE: P-256/);
    assert.match(text, /ecdsa-with-SHA256/);
    assert.match(text, /DNS:localhost/);
    assert.match(text, /IP Address:127\.0\.0\.1/);
    assert.match(text, /IP Address:0:0:0:0:0:0:0:1/);
  });

  test('a TLS 1.2-only client is refused', async () => {
    await assert.rejects(handshake(server.server.url, { maxVersion: 'TLSv1.2' }), (error: NodeJS.ErrnoException) => {
      assert.match(String(error.code), /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION/);
      return true;
    });
  });

  test('a second start reuses the certificate', async () => {
    const again = await startTestServer({ home: server.home });
    try {
      assert.equal(printedFingerprint(again.banner.text), printedFingerprint(server.banner.text));
      assert.doesNotMatch(again.banner.text, /generated/);
    } finally {
      await again.server.close();
    }
  });
});

describe('TLS provider module', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stella-tls-provider-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a provider allowing TLS 1.2 lets a 1.2 client in (and is named at start)', async () => {
    const provider = join(dir, 'allow-tls12.mjs');
    writeFileSync(provider, "export default async function provider(ctx) {\n  if (typeof ctx.defaultCertificate !== 'function') throw new Error('no context');\n  return { minVersion: 'TLSv1.2' };\n}\n");
    const server = await startTestServer({ tlsProvider: provider });
    try {
      assert.match(server.banner.text, new RegExp(`TLS provider ${provider.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(minimum TLSv1\\.2\\)`));
      assert.match(server.log.text, /"msg":"TLS provider in use"/);
      const ca = readFileSync(join(server.home, 'tls', 'server.crt'), 'utf8');
      const tls12 = await handshake(server.server.url, { maxVersion: 'TLSv1.2' }, ca);
      assert.equal(tls12.protocol, 'TLSv1.2');
      assert.equal(tls12.peer.fingerprint256, printedFingerprint(server.banner.text));
      assert.equal((await handshake(server.server.url, {}, ca)).protocol, 'TLSv1.3');
    } finally {
      await server.dispose();
    }
  });

  test('a provider asking for less than TLS 1.2, or with no default function, stops the start', async () => {
    const old = join(dir, 'tls10.mjs');
    writeFileSync(old, "export default () => ({ minVersion: 'TLSv1' });\n");
    await assert.rejects(startTestServer({ tlsProvider: old }), (e: unknown) => e instanceof TlsError && e.code === 'INSECURE_VERSION');
    const none = join(dir, 'none.mjs');
    writeFileSync(none, 'export const x = 1;\n');
    await assert.rejects(startTestServer({ tlsProvider: none }), (e: unknown) => e instanceof TlsError && e.code === 'BAD_PROVIDER');
    await assert.rejects(startTestServer({ tlsProvider: join(dir, 'missing.mjs') }), (e: unknown) => e instanceof TlsError && e.code === 'BAD_PROVIDER');
  });
});

describe('TLS from files, and plain HTTP', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stella-tls-files-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--tls-cert/--tls-key serve the given certificate; a mismatched or half pair is refused', async () => {
    const now = () => new Date();
    const a = await ensureSelfSignedCertificate(join(dir, 'a'), { hostname: 'a.test', now });
    const b = await ensureSelfSignedCertificate(join(dir, 'b'), { hostname: 'b.test', now });
    writeFileSync(join(dir, 'a.key'), a.key, { mode: 0o600 });
    writeFileSync(join(dir, 'b.key'), b.key, { mode: 0o600 });
    const server = await startTestServer({ tlsCert: a.certPath, tlsKey: join(dir, 'a.key') });
    try {
      const hs = await handshake(server.server.url, {}, a.cert);
      assert.equal(hs.protocol, 'TLSv1.3');
      assert.equal(hs.peer.fingerprint256, fingerprintOf(a.cert));
      assert.equal(printedFingerprint(server.banner.text), fingerprintOf(a.cert));
    } finally {
      await server.dispose();
    }
    await assert.rejects(startTestServer({ tlsCert: a.certPath, tlsKey: join(dir, 'b.key') }), (e: unknown) => e instanceof TlsError && e.code === 'BAD_CERTIFICATE');
    await assert.rejects(startTestServer({ tlsCert: a.certPath }), (e: unknown) => e instanceof TlsError && e.code === 'MISSING_KEY');
  });

  test('an expired self-signed certificate is replaced at start', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const first = await ensureSelfSignedCertificate(join(dir, 'c'), { hostname: 'c.test', now: () => now });
    const sameYear = await ensureSelfSignedCertificate(join(dir, 'c'), { hostname: 'c.test', now: () => new Date('2030-06-01T00:00:00Z') });
    assert.equal(sameYear.created, false);
    assert.equal(sameYear.cert, first.cert);
    const later = await ensureSelfSignedCertificate(join(dir, 'c'), { hostname: 'c.test', now: () => new Date('2031-06-01T00:00:00Z') });
    assert.equal(later.created, true);
    assert.notEqual(fingerprintOf(later.cert), fingerprintOf(first.cert));
  });

  test('--insecure-http serves plain HTTP, warns at start, and still sends the headers', async () => {
    const server = await startTestServer({ insecureHttp: true });
    try {
      assert.match(server.server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(server.server.fingerprint, undefined);
      assert.match(server.banner.text, /WARNING: serving plain HTTP/);
      assert.match(server.log.text, /"level":40,.*WARNING: serving plain HTTP/);
      const res = await send(server.server.url, { path: '/healthz' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    } finally {
      await server.dispose();
    }
  });
});
