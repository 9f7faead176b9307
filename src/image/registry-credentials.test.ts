import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockerConfigFile, lookupCredentials } from './registry-credentials.js';
import { RegistryError } from './registry-errors.js';

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'stella-docker-config-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

async function config(name: string, doc: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('dockerConfigFile', () => {
  it('honours an explicit folder, then DOCKER_CONFIG, then ~/.docker', () => {
    assert.equal(dockerConfigFile('/x', { DOCKER_CONFIG: '/y' }), '/x/config.json');
    assert.equal(dockerConfigFile(undefined, { DOCKER_CONFIG: '/y' }), '/y/config.json');
    assert.match(dockerConfigFile(undefined, {}), /\.docker\/config\.json$/);
  });
});

describe('lookupCredentials', () => {
  it('decodes auths[host].auth, keeping colons in the password', async () => {
    const file = await config('auth.json', { auths: { 'ghcr.io': { auth: b64('me:pa:ss') } } });
    assert.deepEqual(await lookupCredentials('ghcr.io', file), { file, credentials: { username: 'me', password: 'pa:ss' } });
  });

  it('reads username/password entries and URL-shaped keys', async () => {
    const file = await config('url.json', { auths: { 'https://registry.example.com:5000/v2/': { username: 'u', password: 'p' } } });
    assert.deepEqual((await lookupCredentials('registry.example.com:5000', file)).credentials, { username: 'u', password: 'p' });
    assert.equal((await lookupCredentials('registry.example.com', file)).credentials, undefined);
  });

  it("finds Docker Hub's legacy key for registry-1.docker.io", async () => {
    const file = await config('hub.json', { auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:secret') } } });
    assert.deepEqual((await lookupCredentials('registry-1.docker.io', file)).credentials, { username: 'hubuser', password: 'secret' });
  });

  it('names credential helpers it will not run, and identity tokens it cannot use', async () => {
    const file = await config('helpers.json', {
      credsStore: 'desktop',
      credHelpers: { 'gcr.io': 'gcloud' },
      auths: { 'quay.io': { identitytoken: 'x' } },
    });
    assert.deepEqual(await lookupCredentials('gcr.io', file), { file, helper: 'docker-credential-gcloud' });
    assert.deepEqual(await lookupCredentials('quay.io', file), { file, helper: 'docker-credential-desktop', identityToken: true });
  });

  it('is anonymous without a config file', async () => {
    assert.deepEqual(await lookupCredentials('ghcr.io', join(dir, 'absent.json')), {});
  });

  it('rejects a malformed file or auth value', async () => {
    const isCredentials = (fragment: string) => (error: unknown): boolean => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.code, 'CREDENTIALS');
      assert.match(error.message, new RegExp(fragment));
      return true;
    };
    await assert.rejects(lookupCredentials('ghcr.io', await config('bad.json', '{not json')), isCredentials('is not JSON'));
    await assert.rejects(lookupCredentials('ghcr.io', await config('array.json', [])), isCredentials('not a JSON object'));
    await assert.rejects(lookupCredentials('ghcr.io', await config('nocolon.json', { auths: { 'ghcr.io': { auth: b64('nocolon') } } })), isCredentials('user:password'));
  });
});
