import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogError } from '../../analyzer.js';
import { normalizeNpmLicense, projectOf } from './common.js';
import { analyzeInstalledManifest, isInstallPath, npmInstalledAnalyzer, wantsInstalledManifest } from './installed.js';

const fixture = (scenario: string): Buffer => readFileSync(fileURLToPath(new URL(`../testdata/npm/${scenario}/package.json`, import.meta.url)));
const analyze = (path: string, content: Buffer | string) => analyzeInstalledManifest({ path, content: Buffer.from(content) });

describe('npm-installed wants()', () => {
  it('wants package.json directly under node_modules, scoped or not, nested or pnpm', () => {
    for (const path of [
      '/app/node_modules/express/package.json',
      '/app/node_modules/@types/node/package.json',
      '/app/node_modules/a/node_modules/b/package.json',
      '/node_modules/a/package.json',
      '/app/node_modules/.pnpm/debug@2.6.9/node_modules/debug/package.json',
      '/app/node_modules/.pnpm/@scope+x@1.0.0/node_modules/@scope/x/package.json',
    ]) assert.equal(wantsInstalledManifest(path), true, path);
  });

  it('does not want package.json files deeper inside a package, project manifests or other files', () => {
    for (const path of [
      '/app/package.json',
      '/app/node_modules/x/test/fixtures/package.json',
      '/app/node_modules/x/dist/esm/package.json',
      '/app/node_modules/@scope/package.json',
      '/app/node_modules/.bin/package.json',
      '/app/node_modules/x/package.json.bak',
      '/app/node_modules/x/index.js',
      '/app/my_node_modules/x/package.json',
      '/package.json',
    ]) assert.equal(wantsInstalledManifest(path), false, path);
  });

  it('accepts only install steps after the top-most node_modules in analyze()', () => {
    assert.equal(isInstallPath('/app/node_modules/a/node_modules/@s/b/package.json'), true);
    assert.equal(isInstallPath('/app/node_modules/.pnpm/a@1.0.0/node_modules/a/package.json'), true);
    assert.equal(isInstallPath('/app/node_modules/x/test/node_modules/fixture/package.json'), false);
    assert.equal(isInstallPath('/app/node_modules/.cache/node_modules/x/package.json'), false);
  });

  it('names the directory holding the top-most node_modules as the project', () => {
    assert.equal(projectOf('/app/node_modules/a/node_modules/b/package.json'), '/app');
    assert.equal(projectOf('/node_modules/a/package.json'), '/');
    assert.equal(projectOf('/srv/web/package-lock.json'), '/srv/web');
    assert.equal(projectOf('/yarn.lock'), '/');
  });
});

describe('npm-installed analyze()', () => {
  it('reads a real scoped package.json as namespace without "@" and name', () => {
    const path = '/app/node_modules/@sindresorhus/is/package.json';
    assert.deepEqual(analyze(path, fixture('installed-scoped')), {
      packages: [{
        type: 'npm', namespace: 'sindresorhus', name: 'is', version: '4.6.0', location: path, foundBy: 'npm-installed',
        licenses: ['MIT'], properties: { 'stella:evidence': 'installed', 'stella:project': '/app' },
      }],
    });
  });

  it('reads the legacy licenses array, keeping the raw text when one does not normalize', () => {
    const result = analyze('/app/node_modules/json-schema/package.json', fixture('installed-legacy-licenses'));
    const pkg = result.packages?.[0];
    assert.equal(pkg?.name, 'json-schema');
    assert.equal(pkg?.version, '0.2.3');
    assert.deepEqual(pkg?.licenses, ['AFL-2.1']);
    assert.equal(pkg?.properties?.['stella:license-raw'], 'AFLv2.1; BSD');
  });

  it('reads the {type} licence object and npm 6 _resolved/_integrity', () => {
    const manifest = { name: 'left-pad', version: '1.3.0', license: { type: 'WTFPL', url: 'http://example.invalid' }, _resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz', _integrity: 'sha512-abc' };
    const pkg = analyze('/app/node_modules/left-pad/package.json', JSON.stringify(manifest)).packages?.[0];
    assert.deepEqual(pkg?.licenses, ['WTFPL']);
    assert.equal(pkg?.properties?.['stella:resolved'], manifest._resolved);
    assert.equal(pkg?.properties?.['stella:integrity'], 'sha512-abc');
  });

  it('uses the package.json name of an aliased install (node_modules/ms-alias holds ms)', () => {
    const pkg = analyze('/app/node_modules/ms-alias/package.json', '{"name":"ms","version":"2.1.2"}').packages?.[0];
    assert.equal(pkg?.name, 'ms');
  });

  it('gives nothing for a manifest without name or version, or outside an install step', () => {
    assert.deepEqual(analyze('/app/node_modules/x/package.json', '{"private":true}'), {});
    assert.deepEqual(analyze('/app/node_modules/x/package.json', '{"name":"x"}'), {});
    assert.deepEqual(analyze('/app/node_modules/x/test/node_modules/f/package.json', '{"name":"f","version":"1.0.0"}'), {});
  });

  it('reports an invalid name as an issue, and unreadable JSON as MALFORMED_FILE', () => {
    const result = analyze('/app/node_modules/x/package.json', '{"name":"a/b","version":"1.0.0"}');
    assert.equal(result.packages, undefined);
    assert.equal(result.issues?.[0]?.code, 'MALFORMED_RECORD');
    assert.throws(() => analyze('/app/node_modules/x/package.json', '{"name":'), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE');
    assert.throws(() => analyze('/app/node_modules/x/package.json', '[1]'), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE');
  });

  it('is registered with a name and version', () => {
    assert.equal(npmInstalledAnalyzer.name, 'npm-installed');
    assert.equal(npmInstalledAnalyzer.version, 1);
  });
});

describe('npm licences', () => {
  it('normalizes SPDX expressions and common spellings, never inventing a version', () => {
    assert.equal(normalizeNpmLicense('MIT'), 'MIT');
    assert.equal(normalizeNpmLicense('(MIT OR Apache-2.0)'), 'MIT OR Apache-2.0');
    assert.equal(normalizeNpmLicense('Apache 2.0'), 'Apache-2.0');
    assert.equal(normalizeNpmLicense('BSD'), undefined);
    assert.equal(normalizeNpmLicense('UNLICENSED'), undefined);
    assert.equal(normalizeNpmLicense('SEE LICENSE IN LICENSE.md'), undefined);
  });
});
