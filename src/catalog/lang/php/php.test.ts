import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogError } from '../../analyzer.js';
import { composerInstalledAnalyzer, composerLockAnalyzer } from './index.js';

const fixture = (scenario: string, name: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`../testdata/php/${scenario}/${name}`, import.meta.url)));
const INSTALLED = '/srv/app/vendor/composer/installed.json';
const installed = (content: Buffer | string) => composerInstalledAnalyzer.analyze({ path: INSTALLED, content: typeof content === 'string' ? Buffer.from(content) : content });
const locked = (content: Buffer | string) => composerLockAnalyzer.analyze({ path: '/srv/app/composer.lock', content: typeof content === 'string' ? Buffer.from(content) : content });
const malformed = (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE';

describe('vendor/composer/installed.json (installed)', () => {
  it('reads Composer 2 form with dev packages marked, vendor as namespace, the project above vendor/', () => {
    const result = installed(fixture('composer-2-dev', 'installed.json'));
    assert.equal(result.issues, undefined);
    assert.deepEqual(result.packages?.map((p) => [p.namespace, p.name, p.version, p.properties?.['stella:dev']]), [
      ['asm89', 'stack-cors', '1.3.0', 'false'],
      ['behat', 'mink', 'v1.8.1', 'true'],
    ]);
    const mink = result.packages?.[1];
    assert.deepEqual(mink?.licenses, ['MIT']);
    assert.equal(mink?.properties?.['stella:project'], '/srv/app');
    assert.equal(mink?.properties?.['stella:evidence'], 'installed');
    assert.equal(mink?.properties?.['stella:version-normalized'], '1.8.1.0');
    assert.match(mink?.properties?.['stella:resolved'] ?? '', /^https:\/\/api\.github\.com\/repos\/minkphp\/Mink\/zipball\//);
  });

  it('reads Composer 1\'s array form without inventing dev flags', () => {
    const packages = installed(fixture('composer-1-array', 'installed.json')).packages ?? [];
    assert.deepEqual(packages.map((p) => `${p.namespace}/${p.name}@${p.version} dev=${p.properties?.['stella:dev']}`), [
      'asm89/stack-cors@1.3.0 dev=undefined',
      'behat/mink@v1.8.1 dev=undefined',
    ]);
  });

  it('reads path-repository installs (Composer\'s own functional fixture)', () => {
    const packages = installed(fixture('path-repository', 'installed.json')).packages ?? [];
    assert.deepEqual(packages.map((p) => `${p.namespace}/${p.name}@${p.version}`), [
      'plugin/a@1.1.1', 'plugin/b@2.2.2', 'symfony/console@99999.1.2', 'symfony/filesystem@v2.8.2', 'symfony/polyfill-ctype@v1.22.0', 'symfony/process@12345.1.2',
    ]);
    assert.equal(packages[0]?.properties?.['stella:resolved'], 'path:plugin-a');
  });

  it('keeps an entry without a name as an issue; rejects what is not installed.json', () => {
    const result = installed('{"packages": [{"version": "1.0"}, {"name": "a/b", "version": "1.0", "license": ["GPL-2.0+"]}, {"name": "solo", "version": "1"}], "dev": true, "dev-package-names": []}');
    assert.deepEqual(result.packages?.map((p) => [p.name, p.licenses, p.properties?.['stella:license-raw']]), [['b', ['GPL-2.0+'], undefined]]);
    assert.equal(result.issues?.length, 2);
    assert.throws(() => installed('{"packages": {}}'), malformed);
    assert.throws(() => installed('{"packages": ['), malformed);
  });

  it('wants installed.json inside a composer directory only', () => {
    assert.ok(composerInstalledAnalyzer.wants('/app/vendor/composer/installed.json'));
    assert.ok(!composerInstalledAnalyzer.wants('/app/vendor/installed.json'));
  });
});

describe('composer.lock (declared)', () => {
  it('reads packages as production and packages-dev as dev (Composer\'s own lock)', () => {
    const result = locked(fixture('composer-project-lock', 'composer.lock'));
    assert.equal(result.issues, undefined);
    const packages = result.packages ?? [];
    assert.equal(packages.length, 36);
    assert.equal(packages.filter((p) => p.properties?.['stella:dev'] === 'true').length, 6);
    const semver = packages.find((p) => p.namespace === 'composer' && p.name === 'semver');
    assert.deepEqual([semver?.properties?.['stella:dev'], semver?.properties?.['stella:evidence'], semver?.properties?.['stella:project'], semver?.licenses], ['false', 'declared', '/srv/app', ['MIT']]);
  });

  it('rejects a lock without a packages array; reads one without packages-dev', () => {
    assert.throws(() => locked('{"content-hash": "x"}'), malformed);
    assert.deepEqual(locked('{"packages": [{"name": "A/B", "version": "1.0.0"}]}').packages?.map((p) => [p.namespace, p.name, p.properties?.['stella:dev']]), [['a', 'b', 'false']]);
  });
});
