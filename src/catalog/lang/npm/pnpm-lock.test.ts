import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { PackageDraft } from '../../../inventory/index.js';
import { CatalogError } from '../../analyzer.js';
import { analyzePnpmLock, parsePnpmKey, wantsPnpmLock } from './pnpm-lock.js';

const fixture = (scenario: string): Buffer => readFileSync(fileURLToPath(new URL(`../testdata/npm/${scenario}/pnpm-lock.yaml`, import.meta.url)));
const analyze = (content: Buffer | string, path = '/app/pnpm-lock.yaml') => analyzePnpmLock({ path, content: Buffer.from(content) });
const rows = (packages: readonly PackageDraft[] = []): string[] =>
  packages.map((p) => `${p.namespace === undefined ? '' : `@${p.namespace}/`}${p.name}@${p.version} dev=${p.properties?.['stella:dev']}`).sort();

const BASE = ['@sindresorhus/is@4.6.0 dev=false', 'debug@2.6.9 dev=false', 'ms@2.0.0 dev=false', 'ms@2.1.2 dev=false', 'ms@2.1.3 dev=true'];
// react is a production dependency; react-dom (dev) brings scheduler (dev only) and shares loose-envify/js-tokens with react.
const PEERS = ['js-tokens@4.0.0 dev=false', 'loose-envify@1.4.0 dev=false', 'react-dom@18.3.1 dev=true', 'react@18.3.1 dev=false', 'scheduler@0.23.2 dev=true'];

describe('pnpm-lock wants()', () => {
  it('wants pnpm-lock.yaml and the copy pnpm keeps in node_modules/.pnpm', () => {
    assert.equal(wantsPnpmLock('/app/pnpm-lock.yaml'), true);
    assert.equal(wantsPnpmLock('/app/node_modules/.pnpm/lock.yaml'), true);
    assert.equal(wantsPnpmLock('/app/node_modules/x/pnpm-lock.yaml'), false);
    assert.equal(wantsPnpmLock('/app/node_modules/x/node_modules/.pnpm/lock.yaml'), false);
  });
});

describe('pnpm-lock analyze() on lock files written by pnpm 7, 8 and 9', () => {
  for (const [scenario, version] of [['pnpm-v5', '5.4'], ['pnpm-v6', '6.0'], ['pnpm-v9', '9.0']] as const) {
    it(`lockfile ${version}: every package with its dev flag and integrity`, () => {
      const result = analyze(fixture(scenario));
      assert.equal(result.issues, undefined);
      assert.deepEqual(rows(result.packages), BASE);
      for (const p of result.packages ?? []) {
        assert.match(p.properties?.['stella:integrity'] ?? '', /^sha512-/);
        assert.equal(p.properties?.['stella:project'], '/app');
        assert.equal(p.properties?.['stella:evidence'], 'declared');
      }
    });

    it(`lockfile ${version}: peer-dependency suffixes dropped, dev computed or read`, () => {
      assert.deepEqual(rows(analyze(fixture(`${scenario}-peers`)).packages), PEERS);
    });
  }

  it('parses package keys of every lockfile generation', () => {
    assert.deepEqual(parsePnpmKey('/react-dom/18.3.1_react@18.3.1', 5), { name: 'react-dom', version: '18.3.1' });
    assert.deepEqual(parsePnpmKey('/@babel/core/7.1.0_@types+x@1.0.0', 5), { name: '@babel/core', version: '7.1.0' });
    assert.deepEqual(parsePnpmKey('/react-dom@18.3.1(react@18.3.1)', 6), { name: 'react-dom', version: '18.3.1' });
    assert.deepEqual(parsePnpmKey('@babel/core@7.1.0(supports-color@8.1.1)', 9), { name: '@babel/core', version: '7.1.0' });
    assert.equal(parsePnpmKey('registry.example.com/foo/1.0.0', 5), undefined);
  });

  it('local directories and links are skipped; tarball packages use their own name and version', () => {
    const text = [
      "lockfileVersion: '9.0'", 'packages:',
      '  local@file:packages/local:', '    resolution: {directory: packages/local, type: directory}', '    version: 1.0.0',
      '  tar@https://example.invalid/tar-1.0.0.tgz:', '    resolution: {tarball: https://example.invalid/tar-1.0.0.tgz}', '    version: 1.0.0',
    ].join('\n');
    const result = analyze(text);
    assert.deepEqual(rows(result.packages), ['tar@1.0.0 dev=undefined']);
    assert.equal(result.packages?.[0]?.properties?.['stella:resolved'], 'https://example.invalid/tar-1.0.0.tgz');
  });

  it('a bad entry is an issue; a file without lockfileVersion or not YAML is MALFORMED_FILE', () => {
    const result = analyze("lockfileVersion: '6.0'\npackages:\n  /ok@1.0.0:\n    dev: true\n  /broken: 7\n");
    assert.deepEqual(rows(result.packages), ['ok@1.0.0 dev=true']);
    assert.equal(result.issues?.length, 1);
    for (const text of ['packages: {}', 'a: [', '- 1']) {
      assert.throws(() => analyze(text), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE', text);
    }
  });
});
