import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { openStore } from '../../store/index.js';
import { dumpStore, findInDump } from '../../../test/support/dump-store.js';
import { forEachDialect, withStore } from '../../../test/support/store-targets.js';
import { Authority, AuthorityError, parseDuration, parseScopes } from './index.js';

function clock(iso: string): { now: () => Date; advance: (ms: number) => void } {
  let t = Date.parse(iso);
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof AuthorityError && error.code === code);
}

function flip(text: string, index: number): string {
  const c = text[index];
  return `${text.slice(0, index)}${c === 'A' ? 'B' : 'A'}${text.slice(index + 1)}`;
}

describe('token parsing helpers', () => {
  test('durations and scope lists', () => {
    assert.equal(parseDuration('30d'), 30 * 86_400);
    assert.equal(parseDuration('12h'), 43_200);
    assert.equal(parseDuration('1y'), 365 * 86_400);
    for (const bad of ['', '30', 'd', '-1d', '0d', '1.5d', '30 days', '11y']) assert.throws(() => parseDuration(bad), AuthorityError, bad);
    assert.deepEqual(parseScopes('read,scan,read'), ['scan', 'read']);
    assert.deepEqual(parseScopes(' admin , feeds '), ['feeds', 'admin']);
    assert.throws(() => parseScopes('scan,root'), /unknown scope "root"/);
    assert.throws(() => parseScopes(''), /at least one scope/);
  });
});

await forEachDialect('authority', (dialect, factory) => {
  describe(`authority on ${dialect}`, () => {
    test('create → verify offline → revoke → refused', () =>
      withStore(factory, async (store) => {
        const c = clock('2024-05-01T10:00:00Z');
        const authority = new Authority(store, { now: c.now });
        const issued = await authority.issue({ scopes: ['read', 'scan'], expiresInSeconds: parseDuration('30d'), label: 'ci runner' });
        const header = decodeProtectedHeader(issued.token);
        const claims = decodeJwt(issued.token);
        assert.equal(header.alg, 'EdDSA');
        assert.match(String(claims.iss), /^urn:stella-ops:[0-9a-f]{32}$/);
        assert.equal(claims.sub, 'ci runner');
        assert.deepEqual(claims.scopes, ['scan', 'read']);
        assert.equal(Buffer.from(String(claims.jti), 'base64url').length, 16, 'jti is 128 random bits');
        assert.equal(claims.iat, Date.parse('2024-05-01T10:00:00Z') / 1000);
        assert.equal(claims.exp, Number(claims.iat) + 30 * 86_400);
        assert.equal(issued.expiresAt, '2024-05-31T10:00:00.000Z');
        assert.match(issued.hash, /^[0-9a-f]{64}$/);

        // Offline: once the key is loaded, no table is read (a closed token table would not matter).
        const verified = await authority.verifyOffline(issued.token);
        assert.deepEqual(verified, { hash: issued.hash, label: 'ci runner', scopes: ['scan', 'read'], expiresAt: issued.expiresAt });
        assert.deepEqual(await authority.verify(issued.token), verified);

        c.advance(60_000);
        const revoked = await authority.revoke(issued.hash.slice(0, 8));
        assert.equal(revoked.revokedAt, '2024-05-01T10:01:00.000Z');
        await rejectsWith(authority.verify(issued.token), 'TOKEN_REVOKED');
        // The signature is still fine offline: revocation is the table's word.
        assert.equal((await authority.verifyOffline(issued.token)).hash, issued.hash);
        c.advance(60_000);
        assert.equal((await authority.revoke(issued.token)).revokedAt, '2024-05-01T10:01:00.000Z', 'first revocation time kept');
        const [listed] = await authority.list();
        assert.deepEqual(listed, { hash: issued.hash, label: 'ci runner', scopes: ['scan', 'read'], issuedAt: '2024-05-01T10:00:00.000Z', expiresAt: issued.expiresAt, revokedAt: '2024-05-01T10:01:00.000Z' });
        await rejectsWith(authority.revoke('abcdef0123'), 'TOKEN_NOT_FOUND');
        await rejectsWith(authority.revoke('abc'), 'INVALID_INPUT');
      }));

    test('an expired token is refused (injected clock)', () =>
      withStore(factory, async (store) => {
        const c = clock('2024-05-01T23:00:00Z');
        const authority = new Authority(store, { now: c.now });
        const { token } = await authority.issue({ scopes: ['scan'], expiresInSeconds: 3600 });
        c.advance(3600_000 - 1000);
        await authority.verify(token);
        c.advance(1000);
        await rejectsWith(authority.verify(token), 'TOKEN_EXPIRED');
        await rejectsWith(authority.verifyOffline(token), 'TOKEN_EXPIRED');
      }));

    test('tampered signatures, payloads, foreign and unsigned tokens are refused', () =>
      withStore(factory, async (store) => {
        const authority = new Authority(store, { now: clock('2024-05-01T10:00:00Z').now });
        const { token } = await authority.issue({ scopes: ['scan'], expiresInSeconds: 3600 });
        const [h, p, s] = token.split('.') as [string, string, string];
        await rejectsWith(authority.verify(`${h}.${p}.${flip(s, 10)}`), 'INVALID_TOKEN');
        // Scope escalation in the payload, signature kept.
        const payload = { ...decodeJwt(token), scopes: ['scan', 'admin'] };
        await rejectsWith(authority.verify(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`), 'INVALID_TOKEN');
        // alg "none".
        const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        await rejectsWith(authority.verify(`${none}.${p}.`), 'INVALID_TOKEN');
        await rejectsWith(authority.verify('not-a-jwt'), 'INVALID_TOKEN');
        // Another instance's token: another key and another issuer.
        await withStore(factory, async (other) => {
          const foreign = await new Authority(other, { now: clock('2024-05-01T10:00:00Z').now }).issue({ scopes: ['admin'], expiresInSeconds: 3600 });
          await rejectsWith(authority.verify(foreign.token), 'INVALID_TOKEN');
        });
      }));

    test('the store holds neither the token nor its id', () =>
      withStore(factory, async (store, target) => {
        const authority = new Authority(store, { now: clock('2024-05-01T10:00:00Z').now });
        const issued = await Promise.all([1, 2, 3].map((i) => authority.issue({ scopes: ['scan', 'admin'], expiresInSeconds: 3600 * i, label: `t${i}` })));
        await authority.revoke(issued[0]!.token);
        const dump = await dumpStore(target.options());
        assert.ok(dump.tables.has('authority_tokens'));
        assert.equal(dump.tables.get('authority_tokens')?.length, 3);
        for (const { token, hash } of issued) {
          const { jti } = decodeJwt(token);
          const [, payload, signature] = token.split('.') as [string, string, string];
          for (const secret of [token, String(jti), Buffer.from(String(jti), 'base64url').toString('hex'), payload, signature]) {
            assert.deepEqual(findInDump(dump, secret), [], `found ${secret.slice(0, 12)}… in the store`);
          }
          assert.equal(findInDump(dump, hash).filter((hit) => hit.startsWith('authority_tokens:')).length, 1, 'the hash is stored, once');
        }
      }));

    test('the instance key is generated once, even by nodes starting together', () =>
      withStore(factory, async (store, target) => {
        const others = await Promise.all([1, 2, 3].map(() => openStore({ ...target.options(), now: () => new Date('2024-05-01T10:00:00Z') })));
        try {
          const authorities = [store, ...others].map((s) => new Authority(s, { now: clock('2024-05-01T10:00:00Z').now }));
          const secrets = await Promise.all(authorities.map((a) => a.loadSecrets()));
          assert.equal(new Set(secrets.map((s) => s.kid)).size, 1);
          assert.equal(new Set(secrets.map((s) => s.issuer)).size, 1);
          assert.equal(new Set(secrets.map((s) => s.tokenSalt)).size, 1);
          // Issued on one node, verified and revoked on the others.
          const { token, hash } = await authorities[1]!.issue({ scopes: ['read'], expiresInSeconds: 60 });
          for (const a of authorities) assert.equal((await a.verify(token)).hash, hash);
          await authorities[3]!.revoke(hash);
          for (const a of authorities) await rejectsWith(a.verify(token), 'TOKEN_REVOKED');
          const names = (await dumpStore(target.options())).tables.get('authority_secrets');
          assert.equal(names?.length, 4, 'one row per secret');
        } finally {
          await Promise.all(others.map((s) => s.close()));
        }
      }));
  });
});
