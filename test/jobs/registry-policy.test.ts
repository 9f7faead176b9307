import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { internalAddressPolicy } from '../../src/image/index.js';
import { createJobQueue, jobHandlers, runWorker, type HandlerDeps } from '../../src/jobs/index.js';
import { openStore } from '../../src/store/index.js';
import type { LayerEntry, TestImage } from '../support/image-builder.js';
import { TestRegistry } from '../support/registry-server.js';

/*
 * Scan jobs come from API callers, who name the registry: a server must not become their way to
 * this host's services or the cloud metadata endpoint (SSRF). By default a scan job refuses a
 * registry on a loopback or link-local address — named by IP or by a host name that resolves to
 * one — before any byte is sent; `--registry-allow` lets an operator's own local registry through.
 */

const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
const status: LayerEntry = { path: 'var/lib/dpkg/status', content: 'Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n' };
const image: TestImage = { layers: [{ entries: [{ path: 'etc/os-release', content: OS_RELEASE }, status], compression: 'gzip' }] };

describe('internalAddressPolicy', () => {
  it('refuses loopback, link-local (metadata), unspecified and multicast; private ranges and the internet pass; allow ranges override', () => {
    const policy = internalAddressPolicy();
    for (const refused of ['127.0.0.1', '127.8.9.10', '::1', '169.254.169.254', 'fe80::1', '0.0.0.0', '::', '224.0.0.1', '::ffff:127.0.0.1', '::ffff:169.254.169.254']) {
      assert.match(policy(refused) ?? '', /refused for scans requested over the API/, refused);
    }
    for (const allowed of ['10.1.2.3', '172.16.0.5', '192.168.1.1', 'fd00::5', '8.8.8.8', '2001:db8::1']) assert.equal(policy(allowed), undefined, allowed);
    const local = internalAddressPolicy(['127.0.0.1', '::1/128']);
    assert.equal(local('127.0.0.1'), undefined);
    assert.equal(local('::1'), undefined);
    assert.match(local('127.0.0.2') ?? '', /loopback/);
    assert.match(local('169.254.169.254') ?? '', /link-local/);
    assert.throws(() => internalAddressPolicy(['registry.local']), { code: 'BAD_OPTION' });
    assert.throws(() => internalAddressPolicy(['10.0.0.0/40']), { code: 'BAD_OPTION' });
  });
});

describe('scan jobs and registry addresses', () => {
  let dir: string;
  let registry: TestRegistry;
  let savedConfig: string | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stella-registry-policy-'));
    savedConfig = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = join(dir, 'docker');
    registry = await TestRegistry.start({ auth: 'bearer', redirectBlobs: true });
    await registry.push('example/app', '1', [image]);
  });
  after(async () => {
    await registry.close();
    if (savedConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedConfig;
    await rm(dir, { recursive: true, force: true });
  });

  async function scanJob(name: string, reference: string, deps: Partial<HandlerDeps> = {}) {
    const store = await openStore({ url: `sqlite:${join(dir, `${name}.db`)}` });
    try {
      const scan = await store.scans.createScan({ target: `registry:${reference}`, inputKind: 'registry', input: { kind: 'registry', reference } });
      await createJobQueue({ store }).enqueue('scan', { scanId: scan.id }, { maxAttempts: 1 });
      const handlers = jobHandlers({ stellaHome: join(dir, `home-${name}`), ...deps });
      await runWorker({ store, handlers, pollMs: 1, stopWhenIdle: true });
      return await store.scans.getScan(scan.id);
    } finally {
      await store.close();
    }
  }

  it('a registry on a loopback IP is refused before any request', async () => {
    const before0 = registry.requests.length;
    const scan = await scanJob('ip', `${registry.host}/example/app:1`);
    assert.equal(scan?.status, 'failed');
    assert.match(scan?.error ?? '', /FORBIDDEN_ADDRESS: 127\.0\.0\.1:\d+: loopback addresses are refused/);
    assert.equal(registry.requests.length, before0, 'not one request reached the registry');
  });

  it('a host name that resolves to loopback is refused too (checked on the resolved address)', async () => {
    const before0 = registry.requests.length;
    const port = registry.host.split(':')[1];
    const scan = await scanJob('name', `localhost:${port}/example/app:1`);
    assert.equal(scan?.status, 'failed');
    assert.match(scan?.error ?? '', /FORBIDDEN_ADDRESS: localhost resolves to (127\.0\.0\.1|::1): loopback/);
    assert.equal(registry.requests.length, before0);
  });

  it('--registry-allow lets the operator\'s own local registry through', async () => {
    const scan = await scanJob('allowed', `${registry.host}/example/app:1`, { registryAllow: ['127.0.0.1'] });
    assert.equal(scan?.status, 'done', scan?.error ?? '');
    assert.equal((scan?.summary as { packages?: number } | null)?.packages, 1);
  });
});
