import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { parseTrustProxy, startStellaServer, type StellaServer, type TrustProxy } from '../../src/server/index.js';
import { stella } from '../cli/harness.js';

/*
 * `--trust-proxy`: by default X-Forwarded-For is ignored (the socket peer is the client); with the
 * proxy named, the forwarded client is the IP the access log records and the anonymous quota keys
 * on. Over real HTTP on loopback, with the whole `stella serve` runtime.
 */

let home: string;
before(() => {
  home = mkdtempSync(join(tmpdir(), 'stella-trust-proxy-'));
});
after(() => rmSync(home, { recursive: true, force: true }));

const SBOM = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] });

async function start(name: string, trustProxy?: TrustProxy, more: { registryScans?: boolean } = {}): Promise<StellaServer> {
  const dir = join(home, name);
  return startStellaServer({
    stellaHome: dir, port: 0, insecureHttp: true, handleSignals: false, offline: true,
    databaseUrl: `sqlite:${join(dir, 'stella.db')}`, stderr: new PassThrough(), logger: pino({ level: 'silent' }),
    ...(trustProxy === undefined ? {} : { trustProxy }),
    ...more,
  });
}

/** Posts an SBOM scan as a client forwarded from `forwardedFor`; returns the quota left. */
async function scanFrom(server: StellaServer, forwardedFor: string): Promise<string | null> {
  const res = await fetch(`${server.url}/api/v1/scans`, {
    method: 'POST', body: SBOM, headers: { 'content-type': 'application/vnd.cyclonedx+json', 'x-forwarded-for': forwardedFor },
  });
  assert.equal(res.status, 202, await res.clone().text());
  await res.arrayBuffer();
  return res.headers.get('x-stella-quota-remaining');
}

async function loggedIps(server: StellaServer): Promise<string[]> {
  const rows = await server.context.store.authority.listAccessLog(0, 1000);
  return rows.filter((r) => r.route === '/api/v1/scans').map((r) => r.ip ?? '');
}

describe('serve network options: --trust-proxy, --registry-allow, --no-registry-scans', () => {
  it('parses addresses, CIDRs, named ranges and hop counts; refuses "everyone" and garbage', () => {
    assert.deepEqual(parseTrustProxy('127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback'), ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
    assert.equal(parseTrustProxy('2'), 2);
    for (const everyone of ['true', '*', 'ALL', '0.0.0.0/0', '::/0']) {
      assert.throws(() => parseTrustProxy(everyone), (e: Error & { code?: string }) => e.code === 'BAD_TRUST_PROXY' && /any client/.test(e.message), everyone);
    }
    for (const bad of ['', '0', '11', 'proxy.example', '10.0.0.0/33', '::1/129', '10.0.0.1/x', '127.0.0.1,,']) {
      assert.throws(() => parseTrustProxy(bad), { code: 'BAD_TRUST_PROXY' }, bad);
    }
  });

  it('stella serve refuses --trust-proxy "*", true, 0 hops and garbage (exit 2) before opening anything', async () => {
    const result = await stella(['serve', '--insecure-http', '--port', '0', '--trust-proxy', '*']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--trust-proxy \* would let any client set its own IP/);
    const everyone = await stella(['serve', '--insecure-http', '--port', '0', '--trust-proxy', 'true']);
    assert.equal(everyone.status, 2);
    assert.match(everyone.stderr, /--trust-proxy true would let any client set its own IP/);
    const hops = await stella(['serve', '--insecure-http', '--port', '0', '--trust-proxy', '0']);
    assert.equal(hops.status, 2);
    assert.match(hops.stderr, /hop count must be 1 to 10/);
    const garbage = await stella(['serve', '--insecure-http', '--port', '0', '--trust-proxy', 'proxy.example']);
    assert.equal(garbage.status, 2);
    assert.match(garbage.stderr, /"proxy\.example" is not an IP address/);
    const allow = await stella(['serve', '--insecure-http', '--port', '0', '--registry-allow', '127.0.0.1,registry.local']);
    assert.equal(allow.status, 2);
    assert.match(allow.stderr, /--registry-allow: "registry\.local" is not an IP address or CIDR range/);
    const worker = await stella(['worker', '--registry-allow', '10.0.0.0/99']);
    assert.equal(worker.status, 2);
    assert.match(worker.stderr, /stella worker: --registry-allow: "10\.0\.0\.0\/99"/);
  });

  it('default: X-Forwarded-For is ignored; the peer is the client for the quota and the access log', async () => {
    const server = await start('none');
    try {
      assert.equal(await scanFrom(server, '203.0.113.7'), '32');
      assert.equal(await scanFrom(server, '198.51.100.9'), '31', 'one client, whatever it claims');
      assert.deepEqual(await loggedIps(server), ['127.0.0.1', '127.0.0.1']);
    } finally {
      await server.close();
    }
  });

  it('--no-registry-scans: a registry reference is refused (403), uploads still scan', async () => {
    const server = await start('no-registry', undefined, { registryScans: false });
    try {
      const refused = await fetch(`${server.url}/api/v1/scans`, { method: 'POST', body: JSON.stringify({ image: 'registry.example.com/app:1' }), headers: { 'content-type': 'application/json' } });
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
      // The quota counts submissions, decided before the body is read: the refused one counted.
      assert.equal(await scanFrom(server, '203.0.113.7'), '31');
    } finally {
      await server.close();
    }
  });

  for (const [label, trust] of [['the proxy by address', ['127.0.0.1']], ['one hop', 1]] as const) {
    it(`trusting ${label}: the forwarded client keys the quota and is what the access log records`, async () => {
      const server = await start(typeof trust === 'number' ? 'hops' : 'address', trust);
      try {
        assert.equal(await scanFrom(server, '203.0.113.7'), '32');
        assert.equal(await scanFrom(server, '198.51.100.9'), '32', 'another client: its own quota');
        assert.equal(await scanFrom(server, '203.0.113.7'), '31');
        // A client cannot skip the trusted proxy's own entry: only the nearest untrusted hop counts.
        assert.equal(await scanFrom(server, '192.0.2.1, 203.0.113.7'), '30');
        assert.deepEqual(await loggedIps(server), ['203.0.113.7', '198.51.100.9', '203.0.113.7', '203.0.113.7']);
      } finally {
        await server.close();
      }
    });
  }
});
