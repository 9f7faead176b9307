import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { buildImage, buildLayerTar, type TestImage } from '../../test/support/image-builder.js';
import { TestRegistry, type RegistryServerOptions } from '../../test/support/registry-server.js';
import { requireTool } from '../../test/support/tools.js';
import { ImageError, type ImageErrorCode } from './errors.js';
import { openImage } from './open.js';
import { RegistryError, type RegistryErrorCode } from './registry-errors.js';
import { HttpClient } from './registry-http.js';
import type { RegistryOptions } from './registry.js';
import type { ImageSource } from './source.js';
import { walkLayer } from './walk.js';

const app: TestImage = {
  layers: [
    { entries: [{ path: 'usr/lib/os-release', content: 'ID=debian\n' }, { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' }], compression: 'gzip' },
    { entries: [{ path: 'var/lib/dpkg/status', content: 'Package: zlib1g\n' }], compression: 'none' },
  ],
};
const armApp: TestImage = { architecture: 'arm64', variant: 'v8', layers: [{ entries: [{ path: 'etc/arch', content: 'arm64' }], compression: 'gzip' }] };
const expectedApp = [['/etc/os-release->../usr/lib/os-release', '/usr/lib/os-release=ID=debian\n'], ['/var/lib/dpkg/status=Package: zlib1g\n']];

let work: string;
let registry: TestRegistry | undefined;
let waits: number[] = [];
before(async () => { work = await mkdtemp(join(tmpdir(), 'stella-registry-test-')); });
after(async () => { await rm(work, { recursive: true, force: true }); });
afterEach(async () => {
  await registry?.close();
  registry = undefined;
  waits = [];
});

/** Tests never read the developer's ~/.docker: an empty config folder unless told otherwise. */
const base = (extra: RegistryOptions = {}): RegistryOptions => ({ dockerConfig: join(work, 'none'), sleep: async (ms) => { waits.push(ms); }, ...extra });

async function serve(options: RegistryServerOptions = {}, images: readonly TestImage[] = [app], repository = 'team/app', tag = '1.0'): Promise<{ reg: TestRegistry; digest: string; manifests: string[] }> {
  registry = await TestRegistry.start(options);
  return { reg: registry, ...(await registry.push(repository, tag, images)) };
}

async function contents(source: ImageSource): Promise<string[][]> {
  const out: string[][] = [];
  for (const [i, layer] of source.info.layers.entries()) {
    const raw = await walkLayer(await source.openLayer(i), { layerId: layer.diffId, wants: () => true });
    out.push([...[...raw.files].map(([p, c]) => `${p}=${c.toString()}`), ...[...raw.symlinks].map(([p, t]) => `${p}->${t}`)].sort());
  }
  return out;
}

async function pull(target: string, registryOptions: RegistryOptions = base(), platform?: string): Promise<{ source: ImageSource; files: string[][] }> {
  const source = await openImage(target, { registry: registryOptions, ...(platform === undefined ? {} : { platform }) });
  try {
    return { source, files: await contents(source) };
  } finally {
    await source.close();
  }
}

function fails(expected: ImageErrorCode | RegistryErrorCode, ...fragments: string[]) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ImageError || error instanceof RegistryError, `expected a typed error, got ${String(error)}`);
    assert.equal(error.code, expected, error.message);
    for (const f of fragments) assert.ok(error.message.includes(f), `"${error.message}" should mention ${f}`);
    return true;
  };
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

async function dockerConfig(name: string, doc: unknown): Promise<string> {
  const dir = join(work, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(doc));
  return dir;
}

describe('registry: anonymous pulls', () => {
  it('pulls a tagged image over loopback HTTP and describes it', async () => {
    const { reg, digest } = await serve();
    const built = await buildImage(app);
    const { source, files } = await pull(`registry:${reg.host}/team/app:1.0`);
    assert.deepEqual(files, expectedApp);
    assert.equal(source.kind, 'layers');
    assert.deepEqual(source.info, {
      reference: `registry:${reg.host}/team/app:1.0`,
      manifestDigest: digest,
      configDigest: built.configDigest,
      tags: [`${reg.host}/team/app:1.0`],
      os: 'linux',
      architecture: 'amd64',
      layers: built.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, size: l.blob.length, mediaType: l.mediaType })),
    });
    const manifestRequest = reg.requests.find((r) => r.path === '/v2/team/app/manifests/1.0');
    for (const type of ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']) {
      assert.ok(manifestRequest?.accept?.includes(type), `Accept should list ${type}`);
    }
    assert.ok(reg.requests.every((r) => r.authorization === undefined));
  });

  it('pulls by digest, and with the docker: prefix', async () => {
    const { reg, digest } = await serve();
    const { source, files } = await pull(`registry:${reg.host}/team/app@${digest}`);
    assert.deepEqual(files, expectedApp);
    assert.deepEqual(source.info.tags, []);
    assert.equal(source.info.manifestDigest, digest);
    assert.ok(reg.requests.some((r) => r.path === `/v2/team/app/manifests/${digest}`));
    assert.deepEqual((await pull(`docker:${reg.host}/team/app:1.0`)).files, expectedApp);
  });

  it('says which tag or repository is missing', async () => {
    const { reg } = await serve();
    await assert.rejects(openImage(`registry:${reg.host}/team/app:2.0`, { registry: base() }), fails('NOT_FOUND', 'team/app: manifest 2.0 not found', 'MANIFEST_UNKNOWN'));
  });

  it('rejects a malformed reference before any request', async () => {
    const { reg } = await serve();
    await assert.rejects(openImage(`registry:${reg.host}/Team/app:1.0`, { registry: base() }), fails('BAD_REFERENCE', 'lower-case'));
    assert.equal(reg.requests.length, 0);
  });
});

describe('registry: --offline', () => {
  it('never connects: the server sees no request at all', async () => {
    const { reg } = await serve();
    let connections = 0;
    reg.onConnection(() => connections++);
    await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { offline: true, registry: base() }), fails('OFFLINE', '--offline'));
    assert.equal(reg.requests.length, 0);
    assert.equal(connections, 0);
  });
});

describe('registry: authentication', () => {
  it('follows the bearer-token flow with the repository scope', async () => {
    const { reg } = await serve({ auth: 'bearer' });
    assert.deepEqual((await pull(`registry:${reg.host}/team/app:1.0`)).files, expectedApp);
    assert.deepEqual(reg.tokensIssued, [{ scope: ['repository:team/app:pull'], service: 'test-registry' }]);
    const after = reg.requests.filter((r) => r.path.startsWith('/v2/team/app/')).slice(1);
    assert.ok(after.every((r) => r.authorization === 'Bearer token-1'), 'every request after the challenge carries the token');
  });

  it('accepts access_token answers', async () => {
    const { reg } = await serve({ auth: 'bearer', tokenField: 'access_token' });
    assert.deepEqual((await pull(`registry:${reg.host}/team/app:1.0`)).files, expectedApp);
  });

  it('sends basic credentials from $DOCKER_CONFIG to the token endpoint', async (t) => {
    const { reg } = await serve({ auth: 'bearer', users: { alice: 's3cret:x' } });
    const dir = await dockerConfig('bearer-config', { auths: { [reg.host]: { auth: b64('alice:s3cret:x') } } });
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = dir;
    t.after(() => { if (saved === undefined) delete process.env.DOCKER_CONFIG; else process.env.DOCKER_CONFIG = saved; });
    const { dockerConfig: _ignored, ...noFolder } = base();
    assert.deepEqual((await pull(`registry:${reg.host}/team/app:1.0`, noFolder)).files, expectedApp);
    assert.equal(reg.tokensIssued[0]?.user, 'alice');
  });

  it('fails UNAUTHORIZED when the token endpoint wants credentials we lack', async () => {
    const { reg } = await serve({ auth: 'bearer', users: { alice: 'pw' } });
    await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { registry: base() }), fails('UNAUTHORIZED', 'token endpoint', 'no credentials'));
  });

  it('answers a Basic challenge with username/password from the config (URL-shaped key)', async () => {
    const { reg } = await serve({ auth: 'basic', users: { bob: 'pw' } });
    const dir = await dockerConfig('basic-config', { auths: { [`http://${reg.host}/v2/`]: { username: 'bob', password: 'pw' } } });
    assert.deepEqual((await pull(`registry:${reg.host}/team/app:1.0`, base({ dockerConfig: dir }))).files, expectedApp);
    assert.ok(reg.requests.slice(1).every((r) => r.authorization === `Basic ${b64('bob:pw')}`));
  });

  it('explains a Basic refusal: wrong credentials, or credentials in a helper it will not run', async () => {
    const { reg } = await serve({ auth: 'basic', users: { bob: 'pw' } });
    const wrong = await dockerConfig('wrong-config', { auths: { [reg.host]: { auth: b64('bob:nope') } } });
    await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { registry: base({ dockerConfig: wrong }) }), fails('UNAUTHORIZED', 'HTTP 401', 'wrong-config/config.json'));
    const helper = await dockerConfig('helper-config', { credsStore: 'desktop', auths: {} });
    await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { registry: base({ dockerConfig: helper }) }), fails('UNAUTHORIZED', 'docker-credential-desktop', 'does not run credential helpers'));
  });
});

describe('registry: manifest lists', () => {
  for (const docker of [false, true]) {
    const kind = docker ? 'a Docker manifest list' : 'an OCI index';
    it(`picks linux/amd64 from ${kind} by default and arm64 when asked`, async () => {
      const images = [app, armApp].map((i) => ({ ...i, dockerMediaTypes: docker }));
      const { reg, manifests } = await serve({}, images);
      const amd = await pull(`registry:${reg.host}/team/app:1.0`);
      assert.deepEqual(amd.files, expectedApp);
      assert.equal(amd.source.info.manifestDigest, manifests[0]);
      const arm = await pull(`registry:${reg.host}/team/app:1.0`, base(), 'linux/arm64');
      assert.deepEqual(arm.files, [['/etc/arch=arm64']]);
      assert.equal(arm.source.info.architecture, 'arm64');
      assert.equal(arm.source.info.variant, 'v8');
      assert.equal(arm.source.info.manifestDigest, manifests[1]);
      await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { platform: 'linux/s390x', registry: base() }), fails('PLATFORM_NOT_FOUND', 'linux/amd64, linux/arm64/v8'));
    });
  }
});

describe('registry: digests are verified', () => {
  it('rejects a layer whose bytes do not match its digest, while streaming', async () => {
    const built = await buildImage(app);
    const layer = built.layers[1]!;
    const tampered = await buildLayerTar([{ path: 'var/lib/dpkg/status', content: 'Package: zlib1X\n' }]);
    const { reg } = await serve({ tamper: new Map([[layer.digest, tampered]]) });
    const source = await openImage(`registry:${reg.host}/team/app:1.0`, { registry: base() });
    try {
      await assert.rejects(walkLayer(await source.openLayer(1), { layerId: layer.diffId, wants: () => true }), fails('DIGEST_MISMATCH', layer.digest.slice(7)));
    } finally {
      await source.close();
    }
  });

  it('rejects a tampered config, child manifest, or a lying Docker-Content-Digest', async () => {
    const built = await buildImage(app);
    const evil = Buffer.from(built.config.toString().replace('amd64', 'arm64'));
    let { reg } = await serve({ tamper: new Map([[built.configDigest, evil]]) });
    await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { registry: base() }), fails('DIGEST_MISMATCH', built.configDigest));
    await reg.close();
    const evilManifest = Buffer.from(built.manifest.toString().replace('"schemaVersion":2', '"schemaVersion":2 '));
    ({ reg } = await serve({ tamper: new Map([[built.manifestDigest, evilManifest]]) }, [app, armApp]));
    await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { registry: base() }), fails('DIGEST_MISMATCH', built.manifestDigest));
    await reg.close();
    ({ reg } = await serve({ claimedDigest: `sha256:${'0'.repeat(64)}` }));
    await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { registry: base() }), fails('DIGEST_MISMATCH', '0000'));
  });

  it('rejects a manifest pulled by digest whose bytes differ', async () => {
    const built = await buildImage(app);
    const { reg, digest } = await serve({ tamper: new Map([[built.manifestDigest, Buffer.from(`${built.manifest.toString()} `)]]) });
    await assert.rejects(openImage(`registry:${reg.host}/team/app@${digest}`, { registry: base() }), fails('DIGEST_MISMATCH', digest));
  });
});

describe('registry: redirects and retries', () => {
  it('follows blob redirects to another origin without the Authorization header', async () => {
    const { reg } = await serve({ auth: 'bearer', redirectBlobs: true });
    assert.deepEqual((await pull(`registry:${reg.host}/team/app:1.0`)).files, expectedApp);
    const storage = reg.requests.filter((r) => r.server === 'blobs');
    assert.equal(storage.length, 3, 'config and two layers come from blob storage');
    assert.ok(storage.every((r) => r.authorization === undefined), 'the token never leaves the registry');
    assert.ok(reg.registryRequests.filter((r) => r.path.includes('/blobs/')).every((r) => r.authorization === 'Bearer token-1'));
  });

  it('retries a 429 after the Retry-After the server asked for', async () => {
    const { reg } = await serve({ throttleOnce: { status: 429, retryAfter: '2' } });
    assert.deepEqual((await pull(`registry:${reg.host}/team/app:1.0`)).files, expectedApp);
    assert.deepEqual(waits, [2000, 2000, 2000, 2000], 'manifest, config and two layers each waited once');
    assert.equal(reg.registryRequests.length, 8);
  });

  it('backs off exponentially on 503 and gives up after maxRetries', async () => {
    let { reg } = await serve({ throttleOnce: { status: 503 } });
    assert.deepEqual((await pull(`registry:${reg.host}/team/app:1.0`)).files, expectedApp);
    assert.deepEqual(waits, [500, 500, 500, 500]);
    await reg.close();
    ({ reg } = await serve({ throttleOnce: { status: 503 } }));
    await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { registry: base({ maxRetries: 0 }) }), fails('UNREACHABLE', 'HTTP 503'));
  });
});

describe('registry: transport', () => {
  it('refuses plain HTTP to a host that is neither loopback nor listed as insecure', async () => {
    const { reg } = await serve();
    const client = new HttpClient({ allowHttp: () => false, timeoutMs: 1000, maxRetries: 0, sleep: async () => {}, now: () => 0 });
    try {
      await assert.rejects(client.get(new URL(`http://${reg.host}/v2/`), {}), fails('INSECURE', 'plain HTTP is refused'));
    } finally {
      client.close();
    }
    assert.equal(reg.requests.length, 0);
  });

  it('times out a server that accepts and never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      await assert.rejects(openImage(`registry:127.0.0.1:${port}/team/app:1.0`, { registry: base({ timeoutMs: 50 }) }), fails('UNREACHABLE', 'no data for 50 ms'));
      assert.deepEqual(waits, [], 'the HTTPS probe is not retried');
      const client = new HttpClient({ allowHttp: () => true, timeoutMs: 50, maxRetries: 1, sleep: async (ms) => { waits.push(ms); }, now: () => 0 });
      await assert.rejects(client.get(new URL(`http://127.0.0.1:${port}/v2/`), {}).finally(() => client.close()), fails('UNREACHABLE', 'no data for 50 ms'));
      assert.deepEqual(waits, [500], 'a timed-out request is retried');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('times out a blob that stops half-way: config at open, a layer while streaming', async () => {
    const built = await buildImage(app);
    let { reg } = await serve({ stallBlob: built.configDigest });
    await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { registry: base({ timeoutMs: 50 }) }), fails('UNREACHABLE', 'no data for 50 ms'));
    await reg.close();
    const layer = built.layers[0]!;
    ({ reg } = await serve({ stallBlob: layer.digest }));
    const source = await openImage(`registry:${reg.host}/team/app:1.0`, { registry: base({ timeoutMs: 50 }) });
    try {
      // The layer stream reports any failure of the bytes under it as CORRUPT_LAYER, naming the layer.
      await assert.rejects(walkLayer(await source.openLayer(0), { layerId: layer.diffId, wants: () => true }), fails('CORRUPT_LAYER', layer.diffId, 'no data for 50 ms'));
    } finally {
      await source.close();
    }
  });

  it('speaks HTTPS to a registry with a self-signed certificate given as caFile', async (t) => {
    if (!requireTool(t, 'openssl', ['version'])) return;
    const key = join(work, 'tls.key');
    const cert = join(work, 'tls.crt');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '36500', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
    assert.equal(made.status, 0, made.stderr.toString());
    const { reg } = await serve({ auth: 'bearer', tls: { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') } });
    await assert.rejects(openImage(`registry:${reg.host}/team/app:1.0`, { registry: base() }), fails('TLS', 'caFile'));
    assert.deepEqual((await pull(`registry:${reg.host}/team/app:1.0`, base({ caFile: cert }))).files, expectedApp);
    assert.equal(reg.tokensIssued.length, 1, 'the HTTPS token realm was used');
  });
});
