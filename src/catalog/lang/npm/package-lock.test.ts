import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { PackageDraft } from '../../../inventory/index.js';
import { CatalogError } from '../../analyzer.js';
import { analyzePackageLock, wantsPackageLock } from './package-lock.js';

const fixture = (path: string): Buffer => readFileSync(fileURLToPath(new URL(`../testdata/npm/${path}`, import.meta.url)));
const analyze = (path: string, content: Buffer | string) => analyzePackageLock({ path, content: Buffer.from(content) });

/** "namespace/name@version dev" rows, sorted: the facts every lock version must agree on. */
const rows = (packages: readonly PackageDraft[] = []): string[] =>
  packages.map((p) => `${p.namespace === undefined ? '' : `@${p.namespace}/`}${p.name}@${p.version} dev=${p.properties?.['stella:dev']}`).sort();

// What npm resolved for manifest-base.json: the alias ms-alias installs ms 2.1.2.
const BASE = ['@sindresorhus/is@4.6.0 dev=false', 'debug@2.6.9 dev=false', 'ms@2.0.0 dev=false', 'ms@2.1.2 dev=false', 'ms@2.1.3 dev=true'];

describe('npm-package-lock wants()', () => {
  it('wants project lock files and the hidden lockfile of the top-most node_modules', () => {
    assert.equal(wantsPackageLock('/app/package-lock.json'), true);
    assert.equal(wantsPackageLock('/app/npm-shrinkwrap.json'), true);
    assert.equal(wantsPackageLock('/app/node_modules/.package-lock.json'), true);
  });

  it('does not want lock files shipped inside installed packages', () => {
    assert.equal(wantsPackageLock('/app/node_modules/x/npm-shrinkwrap.json'), false);
    assert.equal(wantsPackageLock('/app/node_modules/x/package-lock.json'), false);
    assert.equal(wantsPackageLock('/app/node_modules/x/node_modules/.package-lock.json'), false);
    assert.equal(wantsPackageLock('/app/package-lock.json.orig'), false);
  });
});

describe('npm-package-lock analyze() on lock files written by npm', () => {
  for (const scenario of ['package-lock-v1', 'package-lock-v2', 'package-lock-v3']) {
    it(`${scenario}: every resolved package with its dev flag, aliases resolved to the real package`, () => {
      const result = analyze('/app/package-lock.json', fixture(`${scenario}/package-lock.json`));
      assert.equal(result.issues, undefined);
      assert.deepEqual(rows(result.packages), BASE);
      for (const p of result.packages ?? []) {
        assert.equal(p.properties?.['stella:evidence'], 'declared');
        assert.equal(p.properties?.['stella:project'], '/app');
        assert.match(p.properties?.['stella:integrity'] ?? '', /^sha512-/);
        assert.match(p.properties?.['stella:resolved'] ?? '', /^https:\/\/registry\.npmjs\.org\//);
      }
    });
  }

  it('v3 carries the licence npm recorded; the scope is the namespace', () => {
    const result = analyze('/app/package-lock.json', fixture('package-lock-v3/package-lock.json'));
    const is = result.packages?.find((p) => p.name === 'is');
    assert.equal(is?.namespace, 'sindresorhus');
    assert.deepEqual(is?.licenses, ['MIT']);
    assert.equal(is?.foundBy, 'npm-package-lock');
    assert.equal(is?.location, '/app/package-lock.json');
  });

  it('reads npm-shrinkwrap.json like package-lock.json', () => {
    assert.deepEqual(rows(analyze('/srv/npm-shrinkwrap.json', fixture('npm-shrinkwrap/npm-shrinkwrap.json')).packages), BASE);
  });

  it('the hidden lockfile belongs to the project holding node_modules', () => {
    const result = analyze('/app/node_modules/.package-lock.json', fixture('hidden-lockfile/.package-lock.json'));
    assert.deepEqual(rows(result.packages), BASE);
    assert.equal(result.packages?.[0]?.properties?.['stella:project'], '/app');
  });

  it('skips workspace links and workspace sources, keeps packages installed inside a workspace', () => {
    const result = analyze('/repo/package-lock.json', fixture('package-lock-workspace/package-lock.json'));
    assert.deepEqual(rows(result.packages), ['ms@2.0.0 dev=false', 'ms@2.1.3 dev=false']);
  });
});

describe('npm-package-lock analyze() on broken input', () => {
  it('one bad entry is an issue, the rest is kept', () => {
    const lock = { lockfileVersion: 3, packages: { '': {}, 'node_modules/a': { version: '1.0.0' }, 'node_modules/b': {}, 'node_modules/c': 'x', 'node_modules/d': { version: 'file:../d' } } };
    const result = analyze('/app/package-lock.json', JSON.stringify(lock));
    assert.deepEqual(rows(result.packages), ['a@1.0.0 dev=false']);
    assert.equal(result.issues?.length, 3);
    assert.ok(result.issues?.every((i) => i.code === 'MALFORMED_RECORD' && i.path === '/app/package-lock.json'));
  });

  it('v1 local file: dependencies are skipped silently, git versions are issues', () => {
    const lock = { lockfileVersion: 1, dependencies: { local: { version: 'file:../local' }, g: { version: 'github:user/g#abc' }, ok: { version: '1.0.0', dev: true } } };
    const result = analyze('/app/package-lock.json', JSON.stringify(lock));
    assert.deepEqual(rows(result.packages), ['ok@1.0.0 dev=true']);
    assert.equal(result.issues?.length, 1);
  });

  it('an empty project lock has no packages; something else is MALFORMED_FILE', () => {
    assert.deepEqual(analyze('/app/package-lock.json', '{"name":"x","lockfileVersion":3,"requires":true}'), { packages: [] });
    for (const text of ['{"name":"x"}', 'not json', '[]']) {
      assert.throws(() => analyze('/app/package-lock.json', text), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE', text);
    }
  });
});
