import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogError, type Analyzer } from '../../analyzer.js';
import { dotnetDepsAnalyzer, nugetLockAnalyzer, nugetPackagesConfigAnalyzer, nugetProjectAnalyzer } from './index.js';

const fixture = (scenario: string, name: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`../testdata/dotnet/${scenario}/${name}`, import.meta.url)));
const run = (analyzer: Analyzer, path: string, content: Buffer | string) =>
  analyzer.analyze({ path, content: typeof content === 'string' ? Buffer.from(content) : content });
const malformed = (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE';

describe('deps.json (installed)', () => {
  it('reports the packages of a framework-dependent app, lower-cased, skipping the app and its project references', () => {
    const result = run(dotnetDepsAnalyzer, '/app/TestLibrary.deps.json', fixture('framework-dependent', 'TestLibrary.deps.json'));
    assert.equal(result.issues, undefined);
    const packages = result.packages ?? [];
    assert.equal(packages.length, 12);
    assert.ok(!packages.some((p) => p.name === 'testlibrary' || p.name === 'testcommon'));
    assert.deepEqual(packages.find((p) => p.name === 'newtonsoft.json'), {
      type: 'nuget', name: 'newtonsoft.json', version: '13.0.1', location: '/app/TestLibrary.deps.json', foundBy: 'dotnet-deps',
      properties: {
        'stella:evidence': 'installed', 'stella:project': '/app', 'stella:nuget-id': 'Newtonsoft.Json',
        'stella:integrity': 'sha512-ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A==',
        'stella:serviceable': 'true', 'stella:nuget-library-type': 'package',
      },
    });
  });

  it('reports the runtime pack of a self-contained app as its NuGet package', () => {
    const packages = run(dotnetDepsAnalyzer, '/app/selfcontained.deps.json', fixture('self-contained', 'selfcontained.deps.json')).packages ?? [];
    assert.deepEqual(packages.map((p) => [p.name, p.version, p.properties?.['stella:nuget-library-type'], p.properties?.['stella:integrity'] !== undefined]), [
      ['newtonsoft.json', '13.0.1', 'package', true],
      ['microsoft.netcore.app.runtime.linux-x64', '8.0.0', 'runtimepack', false],
      ['microsoft.aspnetcore.app.runtime.linux-x64', '8.0.0', 'runtimepack', false],
    ]);
  });

  it('turns a bad library entry into an issue and keeps the rest', () => {
    const result = run(dotnetDepsAnalyzer, '/a/x.deps.json', JSON.stringify({ targets: {}, libraries: { 'NoVersion': { type: 'package' }, 'A/1.0.0': { type: 'package' }, 'B/2.0.0': 7 } }));
    assert.deepEqual(result.packages?.map((p) => p.name), ['a']);
    assert.equal(result.issues?.length, 2);
  });

  it('rejects truncated JSON and JSON that is not a deps.json; reads one without libraries as empty', () => {
    assert.throws(() => run(dotnetDepsAnalyzer, '/a/broken.deps.json', fixture('malformed', 'broken.deps.json')), malformed);
    assert.throws(() => run(dotnetDepsAnalyzer, '/a/x.deps.json', '{"name": "not deps"}'), malformed);
    assert.throws(() => run(dotnetDepsAnalyzer, '/a/x.deps.json', '[]'), malformed);
    assert.deepEqual(run(dotnetDepsAnalyzer, '/a/x.deps.json', '{"targets": {}}').packages, []);
  });

  it('wants *.deps.json only', () => {
    assert.ok(dotnetDepsAnalyzer.wants('/app/My.App.deps.json'));
    assert.ok(!dotnetDepsAnalyzer.wants('/app/My.App.runtimeconfig.json'));
    assert.ok(!dotnetDepsAnalyzer.wants('/app/deps.json.bak'));
  });
});

describe('packages.lock.json (declared)', () => {
  it('reports each package once across target frameworks, with the content hash as integrity', () => {
    const result = run(nugetLockAnalyzer, '/src/app/packages.lock.json', fixture('lock-multi-target', 'packages.lock.json'));
    assert.equal(result.issues, undefined);
    const summary = (result.packages ?? []).map((p) => `${p.name}@${p.version} direct=${p.properties?.['stella:direct']} ${p.properties?.['stella:target-frameworks']}`);
    assert.deepEqual(summary, [
      'automapper@13.0.1 direct=true net8.0',
      'bootstrap@5.0.0 direct=true .netcore2.0,net8.0',
      'log4net@2.0.5 direct=true net8.0',
      'microsoft.extensions.dependencyinjection.abstractions@9.0.0 direct=false net8.0',
      'microsoft.extensions.logging@9.0.0 direct=true net8.0',
      'microsoft.extensions.options@9.0.0 direct=false net8.0',
      'microsoft.extensions.primitives@9.0.0 direct=false net8.0',
      'system.runtime.compilerservices.unsafe@9.0.0 direct=false net8.0',
      'log4net@1.2.15 direct=true .netcore2.0',
    ]);
    const unsafe = result.packages?.find((p) => p.name === 'system.runtime.compilerservices.unsafe');
    assert.equal(unsafe?.properties?.['stella:evidence'], 'declared');
    assert.equal(unsafe?.properties?.['stella:project'], '/src/app');
    // deps.json writes the same SHA-512 as "sha512-<base64>": reconciliation copies it over.
    const lock = JSON.parse(fixture('lock-multi-target', 'packages.lock.json').toString()) as { dependencies: Record<string, Record<string, { contentHash: string }>> };
    assert.equal(unsafe?.properties?.['stella:integrity'], `sha512-${lock.dependencies['net8.0']?.['System.Runtime.CompilerServices.Unsafe']?.contentHash}`);
    assert.equal(unsafe?.properties?.['stella:dev'], undefined);
  });

  it('skips project references and reports entries without a version as issues', () => {
    const lock = { version: 1, dependencies: { 'net8.0': { Lib: { type: 'Project' }, Bad: { type: 'Direct' }, Ok: { type: 'CentralTransitive', resolved: '1.0.0' } } } };
    const result = run(nugetLockAnalyzer, '/s/packages.lock.json', JSON.stringify(lock));
    assert.deepEqual(result.packages?.map((p) => p.name), ['ok']);
    assert.match(result.issues?.[0]?.message ?? '', /"Bad" has no resolved version/);
  });

  it('rejects a file without a dependencies object', () => {
    assert.throws(() => run(nugetLockAnalyzer, '/s/packages.lock.json', '{"version": 1}'), malformed);
    assert.throws(() => run(nugetLockAnalyzer, '/s/packages.lock.json', '{"version": 1, '), malformed);
  });
});

describe('packages.config (declared)', () => {
  it('reads ids, versions and developmentDependency', () => {
    const packages = run(nugetPackagesConfigAnalyzer, '/src/web/packages.config', fixture('packages-config-dev', 'packages.config')).packages ?? [];
    assert.deepEqual(packages.map((p) => [p.name, p.version, p.properties?.['stella:dev'], p.properties?.['stella:nuget-id']]), [
      ['microsoft.net.compilers', '1.0.0', 'true', 'Microsoft.Net.Compilers'],
      ['newtonsoft.json', '8.0.3', 'false', 'Newtonsoft.Json'],
    ]);
  });

  it('reads a file with a UTF-8 byte-order mark', () => {
    const packages = run(nugetPackagesConfigAnalyzer, '/src/packages.config', fixture('packages-config-bom', 'packages.config')).packages ?? [];
    assert.deepEqual(packages.map((p) => `${p.name}@${p.version}`), ['microsoft.aspnet.webapi@5.2.2', 'newtonsoft.json@6.0.4']);
  });

  it('rejects malformed XML and other roots; an entry without a version is an issue', () => {
    assert.throws(() => run(nugetPackagesConfigAnalyzer, '/packages.config', '<packages><package id="a"'), malformed);
    assert.throws(() => run(nugetPackagesConfigAnalyzer, '/packages.config', '<configuration/>'), malformed);
    const result = run(nugetPackagesConfigAnalyzer, '/packages.config', '<packages><package id="a"/><package id="b" version="1.0"/></packages>');
    assert.deepEqual(result.packages?.map((p) => p.name), ['b']);
    assert.equal(result.issues?.length, 1);
  });
});

describe('*.csproj PackageReference (declared)', () => {
  it('marks PrivateAssets="all" (attribute or element) as dev', () => {
    const attr = run(nugetProjectAnalyzer, '/src/dotnetapp.csproj', fixture('csproj-private-assets', 'dotnetapp.csproj')).packages ?? [];
    assert.deepEqual(attr.map((p) => [p.name, p.version, p.properties?.['stella:dev']]), [['newtonsoft.json', '13.0.3', 'true'], ['humanizer', '2.14.1', 'true']]);
    const child = run(nugetProjectAnalyzer, '/src/helloworld.csproj', fixture('csproj-child-elements', 'helloworld.csproj')).packages ?? [];
    assert.deepEqual(child.map((p) => [p.name, p.version, p.properties?.['stella:dev']]), [
      ['serilog', '2.10.0', 'false'], ['serilog.sinks.console', '4.0.1', 'false'], ['stylecop.analyzers', '1.1.118', 'true'],
    ]);
    assert.equal(child[0]?.properties?.['stella:project'], '/src');
  });

  it('resolves properties of the file, keeps floating and range versions as written, and reports what it cannot resolve', () => {
    const result = run(nugetProjectAnalyzer, '/src/App.fsproj', fixture('csproj-properties-cpm', 'App.fsproj'));
    assert.deepEqual((result.packages ?? []).map((p) => [p.name, p.version, p.properties?.['stella:version-constraint'], p.properties?.['stella:version-written'], p.properties?.['stella:msbuild-update']]), [
      ['serilog', '3.1.1', undefined, '$(SerilogVersion)', undefined],
      ['serilog.sinks.file', '3.1.1', undefined, '$(SerilogSinkVersion)', undefined],
      ['fsharp.core', '8.*', 'floating', undefined, undefined],
      ['npgsql', '[7.0.0,8.0.0)', 'range', undefined, undefined],
      ['dapper', '2.1.28', undefined, undefined, undefined],
      ['system.text.json', '8.0.4', undefined, undefined, 'true'],
    ]);
    assert.deepEqual(result.issues?.map((i) => i.message), [
      'PackageReference "Polly" has no version (central package management: the version is in Directory.Packages.props)',
      'PackageReference "Azure.Identity" version "$(AzureIdentityVersion)" uses a property not defined in this file',
    ]);
  });

  it('rejects files that are not MSBuild projects; wants the three project kinds', () => {
    assert.throws(() => run(nugetProjectAnalyzer, '/a.csproj', '<Project><ItemGroup>'), malformed);
    assert.throws(() => run(nugetProjectAnalyzer, '/a.csproj', '<html/>'), malformed);
    const entity = run(nugetProjectAnalyzer, '/a.csproj', '<!DOCTYPE x [<!ENTITY a "b">]><Project><ItemGroup><PackageReference Include="&a;" Version="1"/></ItemGroup></Project>');
    assert.equal(entity.packages?.[0]?.properties?.['stella:nuget-id'], '&a;', 'entities are never expanded');
    for (const p of ['/a/b.csproj', '/a/b.fsproj', '/a/b.vbproj']) assert.ok(nugetProjectAnalyzer.wants(p));
    assert.ok(!nugetProjectAnalyzer.wants('/a/b.csproj.user'));
  });
});
