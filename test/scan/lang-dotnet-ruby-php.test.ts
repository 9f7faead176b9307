/*
 * .NET, Ruby and PHP through the whole scan: layered images (installed files + lock files,
 * a later layer deleting installed packages with whiteouts) and dir: source trees holding only
 * lock files. The analyzers are passed explicitly (ScanOptions.analyzers) until they are in
 * ALL_ANALYZERS.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALL_ANALYZERS } from '../../src/catalog/index.js';
import { dotnetDepsAnalyzer, nugetLockAnalyzer, nugetPackagesConfigAnalyzer, nugetProjectAnalyzer } from '../../src/catalog/lang/dotnet/index.js';
import { composerInstalledAnalyzer, composerLockAnalyzer } from '../../src/catalog/lang/php/index.js';
import { gemfileLockAnalyzer, gemspecAnalyzer } from '../../src/catalog/lang/ruby/index.js';
import type { Inventory } from '../../src/inventory/index.js';
import { scanImage } from '../../src/scan/index.js';
import { writeOciLayout, type TestImage } from '../support/image-builder.js';

const MINE = [dotnetDepsAnalyzer, nugetLockAnalyzer, nugetPackagesConfigAnalyzer, nugetProjectAnalyzer, gemspecAnalyzer, gemfileLockAnalyzer, composerInstalledAnalyzer, composerLockAnalyzer];
const ANALYZERS = [...ALL_ANALYZERS, ...MINE.filter((a) => !ALL_ANALYZERS.some((b) => b.name === a.name))];

const json = (value: unknown): string => JSON.stringify(value, null, 2);
const depsJson = (libs: Record<string, string>): string => json({
  runtimeTarget: { name: '.NETCoreApp,Version=v8.0' },
  targets: { '.NETCoreApp,Version=v8.0': {} },
  libraries: Object.fromEntries([['App/1.0.0', { type: 'project', serviceable: false, sha512: '' }], ...Object.entries(libs).map(([key, sha]) => [key, { type: 'package', serviceable: true, sha512: sha }])]),
});
const nugetLock = (entries: Record<string, string>): string => json({
  version: 1,
  dependencies: { 'net8.0': Object.fromEntries(Object.entries(entries).map(([id, v]) => [id, { type: 'Direct', requested: `[${v}, )`, resolved: v, contentHash: `hash-of-${id}` }])) },
});
const gemspec = (name: string, version: string): string => `# stub: ${name} ${version} ruby lib\n\nGem::Specification.new do |s|\n  s.name = "${name}".freeze\n  s.version = "${version}"\n  s.licenses = ["MIT".freeze]\nend\n`;
const gemfileLock = (gems: Record<string, string>): string =>
  `GEM\n  remote: https://rubygems.org/\n  specs:\n${Object.entries(gems).map(([n, v]) => `    ${n} (${v})\n`).join('')}\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n${Object.keys(gems).map((n) => `  ${n}\n`).join('')}\nCHECKSUMS\n${Object.entries(gems).map(([n, v]) => `  ${n} (${v}) sha256=${'ab'.repeat(32)}\n`).join('')}\nBUNDLED WITH\n   2.5.6\n`;
const composerPackage = (name: string, version: string) => ({ name, version, version_normalized: `${version.replace(/^v/, '')}.0`, license: ['MIT'], dist: { type: 'zip', url: `https://example.invalid/${name}.zip`, shasum: '' } });
const installedJson = (names: [string, string][], dev: string[]): string => json({ packages: names.map(([n, v]) => composerPackage(n, v)), dev: true, 'dev-package-names': dev });
const composerLock = (prod: [string, string][], dev: [string, string][]): string => json({ packages: prod.map(([n, v]) => composerPackage(n, v)), 'packages-dev': dev.map(([n, v]) => composerPackage(n, v)) });

// Layer 1 installs each ecosystem's packages with their lock files; layer 2 deletes some
// installed packages (whiteouts / a rewritten installed.json) and leaves the locks as they were.
const image: TestImage = {
  layers: [
    { entries: [
      { path: 'app/App.deps.json', content: depsJson({ 'Newtonsoft.Json/13.0.3': 'sha512-aaa', 'Serilog/3.1.1': 'sha512-bbb' }) },
      { path: 'app/Plugin.deps.json', content: depsJson({ 'Dapper/2.1.28': 'sha512-ccc' }) },
      { path: 'app/packages.lock.json', content: nugetLock({ 'Newtonsoft.Json': '13.0.3', Serilog: '3.1.1', Dapper: '2.1.28', 'Gone.Package': '1.0.0' }) },
      { path: 'usr/local/bundle/specifications/rack-3.0.8.gemspec', content: gemspec('rack', '3.0.8') },
      { path: 'usr/local/bundle/specifications/puma-6.4.0.gemspec', content: gemspec('puma', '6.4.0') },
      { path: 'srv/rails/Gemfile.lock', content: gemfileLock({ rack: '3.0.8', puma: '6.4.0', 'not-installed': '1.0.0' }) },
      { path: 'var/www/vendor/composer/installed.json', content: installedJson([['monolog/monolog', '3.5.0'], ['guzzlehttp/guzzle', '7.8.1'], ['phpunit/phpunit', '10.5.0']], ['phpunit/phpunit']) },
      { path: 'var/www/vendor/guzzlehttp/guzzle/composer.json', content: '{}' },
      { path: 'var/www/composer.lock', content: composerLock([['monolog/monolog', '3.5.0'], ['guzzlehttp/guzzle', '7.8.1']], [['phpunit/phpunit', '10.5.0']]) },
    ] },
    { entries: [
      { path: 'app/.wh.Plugin.deps.json', content: '' },
      { path: 'usr/local/bundle/specifications/.wh.puma-6.4.0.gemspec', content: '' },
      { path: 'var/www/vendor/guzzlehttp/.wh.guzzle', content: '' },
      { path: 'var/www/vendor/composer/installed.json', content: installedJson([['monolog/monolog', '3.5.0'], ['phpunit/phpunit', '10.5.0']], ['phpunit/phpunit']) },
    ] },
  ],
};

const summary = (inventory: Inventory, type: string) => inventory.packages.filter((p) => p.type === type)
  .map((p) => `${p.namespace === undefined ? '' : `${p.namespace}/`}${p.name}@${p.version} ${p.properties?.['stella:evidence']} L${inventory.image?.layers.findIndex((l) => l.diffId === p.layer) ?? -1}`);

describe('.NET, Ruby and PHP through scanImage', () => {
  let dir: string;
  let inventory: Inventory;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stella-lang-'));
    await writeOciLayout(join(dir, 'oci'), [image]);
    inventory = await scanImage(`oci-dir:${join(dir, 'oci')}`, { cache: false, analyzers: ANALYZERS });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports installed NuGet packages enriched by the lock, not the lock\'s own entries nor a whited-out app\'s', () => {
    assert.deepEqual(summary(inventory, 'nuget'), ['newtonsoft.json@13.0.3 installed L0', 'serilog@3.1.1 installed L0']);
    const newtonsoft = inventory.packages.find((p) => p.name === 'newtonsoft.json');
    assert.equal(newtonsoft?.purl, 'pkg:nuget/newtonsoft.json@13.0.3');
    assert.equal(newtonsoft?.properties?.['stella:integrity'], 'sha512-aaa', 'the installed hash wins over the lock\'s');
  });

  it('reports installed gems image-wide, enriched by the Gemfile.lock, not a deleted or never-installed gem', () => {
    assert.deepEqual(summary(inventory, 'gem'), ['rack@3.0.8 installed L0']);
    const rack = inventory.packages.find((p) => p.name === 'rack');
    assert.equal(rack?.purl, 'pkg:gem/rack@3.0.8');
    assert.match(rack?.properties?.['stella:integrity'] ?? '', /^sha256-/);
    assert.deepEqual(rack?.licenses, ['MIT']);
  });

  it('reports what installed.json says after the last layer, dev flags kept', () => {
    assert.deepEqual(summary(inventory, 'composer'), ['monolog/monolog@3.5.0 installed L0', 'phpunit/phpunit@10.5.0 installed L0']);
    const phpunit = inventory.packages.find((p) => p.name === 'phpunit');
    assert.equal(phpunit?.purl, 'pkg:composer/phpunit/phpunit@10.5.0');
    assert.equal(phpunit?.properties?.['stella:dev'], 'true');
    assert.equal(phpunit?.properties?.['stella:project'], '/var/www');
  });

  it('a dir: source tree with only lock files reports them as declared', async () => {
    const src = join(dir, 'src');
    const files: Record<string, string> = {
      'dotnet/packages.lock.json': nugetLock({ 'Newtonsoft.Json': '13.0.3' }),
      'dotnet/App.csproj': '<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><PackageReference Include="Newtonsoft.Json" Version="13.0.3" /></ItemGroup></Project>',
      'ruby/Gemfile.lock': gemfileLock({ rack: '3.0.8' }),
      'php/composer.lock': composerLock([['monolog/monolog', '3.5.0']], [['phpunit/phpunit', '10.5.0']]),
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(src, path)), { recursive: true });
      writeFileSync(join(src, path), content);
    }
    const declared = await scanImage(`dir:${src}`, { cache: false, analyzers: ANALYZERS });
    assert.deepEqual(declared.packages.map((p) => `${p.type} ${p.name}@${p.version} ${p.properties?.['stella:evidence']} ${p.location}`), [
      'composer monolog@3.5.0 declared /php/composer.lock',
      'composer phpunit@10.5.0 declared /php/composer.lock',
      'gem rack@3.0.8 declared /ruby/Gemfile.lock',
      'nuget newtonsoft.json@13.0.3 declared /dotnet/App.csproj',
      'nuget newtonsoft.json@13.0.3 declared /dotnet/packages.lock.json',
    ]);
    assert.equal(declared.packages.find((p) => p.name === 'phpunit')?.properties?.['stella:dev'], 'true');
  });
});
