import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChallenges } from './registry-auth.js';
import { retryAfter } from './registry-http.js';

describe('parseChallenges', () => {
  it("reads Docker Hub's bearer challenge", () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } },
    ]);
  });

  it('reads several challenges, unquoted values, escapes and commas inside quotes', () => {
    assert.deepEqual(parseChallenges('Basic realm="a, \\"b\\"", Bearer realm=https://x/token, scope="repository:a:pull,push"'), [
      { scheme: 'basic', params: { realm: 'a, "b"' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', scope: 'repository:a:pull,push' } },
    ]);
  });

  it('reads a bare scheme and nothing', () => {
    assert.deepEqual(parseChallenges('Basic'), [{ scheme: 'basic', params: {} }]);
    assert.deepEqual(parseChallenges(''), []);
  });
});

describe('retryAfter', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  it('reads seconds and HTTP dates', () => {
    assert.equal(retryAfter('2', now), 2000);
    assert.equal(retryAfter('Mon, 01 Jan 2024 00:00:30 GMT', now), 30_000);
    assert.equal(retryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now), 0);
  });
  it('ignores what it cannot read', () => {
    assert.equal(retryAfter(undefined, now), undefined);
    assert.equal(retryAfter('soon', now), undefined);
    assert.equal(retryAfter('', now), undefined);
  });
});
