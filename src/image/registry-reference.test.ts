import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from './registry-errors.js';
import { credentialHost, formatReference, isLoopbackHost, manifestReference, parseRegistryReference, plainHttpAllowed } from './registry-reference.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('parseRegistryReference', () => {
  const cases: [string, string, string, string][] = [
    // input, connect-to host, repository, canonical form
    ['alpine', 'registry-1.docker.io', 'library/alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.19', 'registry-1.docker.io', 'library/alpine', 'docker.io/library/alpine:3.19'],
    ['docker.io/alpine:3.19', 'registry-1.docker.io', 'library/alpine', 'docker.io/library/alpine:3.19'],
    ['index.docker.io/library/alpine', 'registry-1.docker.io', 'library/alpine', 'docker.io/library/alpine:latest'],
    ['bitnami/redis:7.2', 'registry-1.docker.io', 'bitnami/redis', 'docker.io/bitnami/redis:7.2'],
    ['ghcr.io/owner/app:v1.2.3', 'ghcr.io', 'owner/app', 'ghcr.io/owner/app:v1.2.3'],
    ['localhost/app', 'localhost', 'app', 'localhost/app:latest'],
    ['localhost:5000/a/b/c:tag', 'localhost:5000', 'a/b/c', 'localhost:5000/a/b/c:tag'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000', 'app', '127.0.0.1:5000/app:latest'],
    ['Registry/app', 'Registry', 'app', 'Registry/app:latest'],
    ['[::1]:5000/app:1', '[::1]:5000', 'app', '[::1]:5000/app:1'],
    [`quay.io/org/app@${DIGEST}`, 'quay.io', 'org/app', `quay.io/org/app@${DIGEST}`],
    [`quay.io/org/app:1.0@${DIGEST}`, 'quay.io', 'org/app', `quay.io/org/app:1.0@${DIGEST}`],
    ['my-registry.example.com:8443/team/my_app__x:1', 'my-registry.example.com:8443', 'team/my_app__x', 'my-registry.example.com:8443/team/my_app__x:1'],
  ];
  for (const [input, host, repository, canonical] of cases) {
    it(`reads ${input}`, () => {
      const ref = parseRegistryReference(input);
      assert.equal(ref.host, host);
      assert.equal(ref.repository, repository);
      assert.equal(formatReference(ref), canonical);
    });
  }

  it('asks for the digest when pinned, else the tag', () => {
    assert.equal(manifestReference(parseRegistryReference(`a/b:1@${DIGEST}`)), DIGEST);
    assert.equal(manifestReference(parseRegistryReference('a/b:1')), '1');
    assert.equal(manifestReference(parseRegistryReference('a/b')), 'latest');
  });

  const invalid: [string, string][] = [
    ['', 'empty'],
    ['Alpine', 'lower-case'],
    ['alpine:', 'not a valid tag'],
    ['alpine:-x', 'not a valid tag'],
    ['alpine@sha256:abc', 'not a digest'],
    [`alpine@md5:${'a'.repeat(32)}`, 'not sha256 or sha512'],
    ['ghcr.io//app', 'not a valid repository path component'],
    ['ghcr.io/app-/x', 'not a valid repository path component'],
    ['-bad.io/app', 'not a valid registry host'],
    [`a/${'b'.repeat(300)}`, 'longer than 255'],
  ];
  for (const [input, why] of invalid) {
    it(`rejects "${input.slice(0, 40)}" (${why})`, () => {
      assert.throws(() => parseRegistryReference(input), (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.code, 'BAD_REFERENCE');
        assert.match(error.message, new RegExp(why));
        return true;
      });
    });
  }
});

describe('hosts', () => {
  it('treats Docker Hub aliases as one registry for credentials', () => {
    for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'Registry.Hub.Docker.com']) assert.equal(credentialHost(host), 'docker.io');
    assert.equal(credentialHost('ghcr.io'), 'ghcr.io');
  });

  it('recognizes loopback hosts, with or without a port', () => {
    for (const host of ['localhost', 'localhost:5000', '127.0.0.1', '127.0.0.1:5000', '127.1.2.3:80', '[::1]:5000', '[::1]']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['localhost.example.com', '10.0.0.1:5000', '128.0.0.1', 'ghcr.io', '[::2]:5000']) assert.ok(!isLoopbackHost(host), host);
  });

  it('allows plain HTTP to loopback and to listed insecure registries only', () => {
    const allowed = plainHttpAllowed(['Registry.Internal:5000']);
    assert.ok(allowed('registry.internal:5000'));
    assert.ok(allowed('localhost:8080'));
    assert.ok(!allowed('registry.internal'), 'the port is part of the entry');
    assert.ok(!allowed('ghcr.io'));
  });
});
