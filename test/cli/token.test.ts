import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { Authority, AuthorityError } from '../../src/server/index.js';
import { openStore, type OpenStoreOptions } from '../../src/store/index.js';
import { dumpStore, findInDump } from '../support/dump-store.js';
import { forEachDialect, PG_URL, type Target } from '../support/store-targets.js';
import { stella } from './harness.js';

/** The --database-url naming the test target (PostgreSQL: its schema through the `options` parameter). */
function databaseUrl(options: OpenStoreOptions): string {
  if (options.schema !== undefined) return `${PG_URL}?options=${encodeURIComponent(`-c search_path=${options.schema}`)}`;
  return `sqlite:${join(options.stellaHome ?? '', 'stella.db')}`;
}

async function withTarget(factory: () => Promise<Target>, fn: (url: string, target: Target) => Promise<void>): Promise<void> {
  const target = await factory();
  try {
    await fn(databaseUrl(target.options()), target);
  } finally {
    await target.dispose();
  }
}

await forEachDialect('stella token', (dialect, factory) => {
  describe(`stella token on ${dialect}`, () => {
    test('create prints only the token; list shows hashes; revoke by prefix refuses it afterwards', () =>
      withTarget(factory, async (url, target) => {
        const created = await stella(['token', 'create', '--scopes', 'scan,read', '--expires', '30d', '--label', 'ci', '--database-url', url]);
        assert.equal(created.status, 0, created.stderr);
        const token = created.stdout.trim();
        assert.match(created.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
        const claims = decodeJwt(token);
        assert.deepEqual(claims.scopes, ['scan', 'read']);
        assert.equal(claims.sub, 'ci');
        assert.equal(Number(claims.exp) - Number(claims.iat), 30 * 86_400);

        const listed = await stella(['token', 'list', '--json', '--database-url', url]);
        assert.equal(listed.status, 0, listed.stderr);
        const { tokens } = JSON.parse(listed.stdout) as { tokens: { hash: string; label: string; scopes: string[]; revokedAt: string | null }[] };
        assert.equal(tokens.length, 1);
        const [info] = tokens;
        assert.deepEqual({ label: info?.label, scopes: info?.scopes, revokedAt: info?.revokedAt }, { label: 'ci', scopes: ['scan', 'read'], revokedAt: null });
        assert.ok(!listed.stdout.includes(token) && !listed.stdout.includes(String(claims.jti)));
        const table = await stella(['token', 'list', '--database-url', url]);
        assert.match(table.stdout, /^HASH\s+LABEL\s+SCOPES\s+EXPIRES\s+REVOKED\n[0-9a-f]{16}\s+ci\s+scan,read\s+\S+Z\s+-\n$/);

        const store = await openStore(target.options());
        try {
          await new Authority(store).verify(token);
          const revoked = await stella(['token', 'revoke', info?.hash.slice(0, 10) ?? '', '--database-url', url]);
          assert.equal(revoked.status, 0, revoked.stderr);
          assert.notEqual((JSON.parse(revoked.stdout) as { revokedAt: string | null }).revokedAt, null);
          await assert.rejects(new Authority(store).verify(token), (e: unknown) => e instanceof AuthorityError && e.code === 'TOKEN_REVOKED');
        } finally {
          await store.close();
        }
        assert.deepEqual(findInDump(await dumpStore(target.options()), token), []);
      }));

    test('revoke accepts the token itself (also on stdin); bad input is a usage error', () =>
      withTarget(factory, async (url) => {
        const a = (await stella(['token', 'create', '--scopes', 'admin', '--database-url', url])).stdout.trim();
        const b = (await stella(['token', 'create', '--scopes', 'feeds', '--expires', '1h', '--database-url', url])).stdout.trim();
        assert.equal((await stella(['token', 'revoke', a, '--database-url', url])).status, 0);
        assert.equal((await stella(['token', 'revoke', '-', '--database-url', url], `${b}\n`)).status, 0);
        const { tokens } = JSON.parse((await stella(['token', 'list', '--json', '--database-url', url])).stdout) as { tokens: { revokedAt: string | null }[] };
        assert.equal(tokens.filter((t) => t.revokedAt !== null).length, 2);

        const badScope = await stella(['token', 'create', '--scopes', 'scan,root', '--database-url', url]);
        assert.equal(badScope.status, 2);
        assert.match(badScope.stderr, /unknown scope "root"/);
        assert.equal((await stella(['token', 'create', '--scopes', 'scan', '--expires', 'forever', '--database-url', url])).status, 2);
        assert.equal((await stella(['token', 'revoke', 'abc', '--database-url', url])).status, 2);
        const missing = await stella(['token', 'revoke', 'ffffffffffff', '--database-url', url]);
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /no token hash starts with ffffffffffff/);
      }));
  });
});
