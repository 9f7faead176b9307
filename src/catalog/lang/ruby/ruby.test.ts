import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogError } from '../../analyzer.js';
import { gemfileLockAnalyzer, gemspecAnalyzer, splitFullName } from './index.js';

const fixture = (scenario: string, name: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`../testdata/ruby/${scenario}/${name}`, import.meta.url)));
const SPECS = '/usr/local/bundle/specifications';
const spec = (scenario: string, name: string, dir = SPECS) => gemspecAnalyzer.analyze({ path: `${dir}/${name}`, content: fixture(scenario, name) }).packages?.[0];
const lock = (content: Buffer | string, path = '/app/Gemfile.lock') =>
  gemfileLockAnalyzer.analyze({ path, content: typeof content === 'string' ? Buffer.from(content) : content });
const malformed = (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE';

describe('installed gemspecs', () => {
  it('reads name, version and license of a Debian rubygems-integration gemspec', () => {
    assert.deepEqual(spec('debian-rack', 'rack-2.2.22.gemspec', '/usr/share/rubygems-integration/all/specifications'), {
      type: 'gem', name: 'rack', version: '2.2.22', location: '/usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec',
      foundBy: 'gemspec', licenses: ['MIT'], properties: { 'stella:evidence': 'installed', 'stella:project': '' },
    });
  });

  it('normalizes each license and keeps the raw list when one is not SPDX', () => {
    const gem = spec('multiple-licenses', 'test-unit-3.3.7.gemspec');
    assert.deepEqual(gem?.licenses, ['Ruby']);
    assert.equal(gem?.properties?.['stella:license-raw'], 'Ruby, BSDL, PSFL');
  });

  it('marks default gems and reads files with non-ASCII text', () => {
    const gem = spec('default-gem', 'json-2.6.1.gemspec', '/usr/lib/ruby/gems/3.1.0/specifications/default');
    assert.deepEqual([gem?.name, gem?.version, gem?.licenses, gem?.properties?.['stella:default-gem']], ['json', '2.6.1', ['Ruby'], 'true']);
  });

  it('follows the block variable and a single-string licenses', () => {
    const gem = spec('spec-variable', 'async-1.25.0.gemspec');
    assert.deepEqual([gem?.name, gem?.version, gem?.licenses, gem?.properties?.['stella:identity-source']], ['async', '1.25.0', ['MIT'], undefined]);
  });

  it('falls back to the file name when the spec cannot be read, and says so', () => {
    const gem = spec('wrong-variable', 'async-1.25.0.gemspec');
    assert.deepEqual([gem?.name, gem?.version, gem?.properties?.['stella:identity-source']], ['async', '1.25.0', 'filename']);
    const stub = gemspecAnalyzer.analyze({ path: `${SPECS}/x.gemspec`, content: Buffer.from('# stub: nokogiri 1.16.0 x86_64-linux lib\n') }).packages?.[0];
    assert.deepEqual([stub?.name, stub?.version, stub?.properties?.['stella:platform'], stub?.properties?.['stella:identity-source']], ['nokogiri', '1.16.0', 'x86_64-linux', 'stub']);
    assert.throws(() => gemspecAnalyzer.analyze({ path: `${SPECS}/garbage.gemspec`, content: Buffer.from('puts 1') }), malformed);
  });

  it('reads the string forms rubygems has written over the years', () => {
    const text = 'Gem::Specification.new do |s|\n  s.name = %q{old-gem}\n  s.version = Gem::Version.new("0.9.1")\n  s.platform = %q<java>.freeze\n  s.license = \'Apache 2.0\'\nend\n';
    const gem = gemspecAnalyzer.analyze({ path: `${SPECS}/old-gem-0.9.1-java.gemspec`, content: Buffer.from(text) }).packages?.[0];
    assert.deepEqual([gem?.name, gem?.version, gem?.licenses, gem?.properties?.['stella:platform'], gem?.properties?.['stella:license-raw']],
      ['old-gem', '0.9.1', ['Apache-2.0'], 'java', 'Apache 2.0']);
  });

  it('splits full names the way gem file names are built', () => {
    assert.deepEqual(splitFullName('concurrent-ruby-edge-0.6.0'), { name: 'concurrent-ruby-edge', version: '0.6.0' });
    assert.deepEqual(splitFullName('nokogiri-1.16.0-x86_64-linux'), { name: 'nokogiri', version: '1.16.0', platform: 'x86_64-linux' });
    assert.equal(splitFullName('noversion'), undefined);
  });

  it('wants gemspecs under a specifications directory only', () => {
    assert.ok(gemspecAnalyzer.wants('/var/lib/gems/3.1.0/specifications/rack-2.2.4.gemspec'));
    assert.ok(gemspecAnalyzer.wants('/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec'));
    assert.ok(!gemspecAnalyzer.wants('/src/rack/rack.gemspec'));
  });
});

describe('Gemfile.lock', () => {
  it('reads GIT, PATH and GEM specs of Rails\' lock, one package per version across platforms', () => {
    const result = lock(fixture('rails-git-sources', 'Gemfile.lock'));
    assert.equal(result.issues, undefined);
    const by = new Map((result.packages ?? []).map((p) => [p.name, p]));
    assert.equal(by.get('rails')?.properties?.['stella:resolved'], 'path:.');
    assert.match(by.get('websocket-client-simple')?.properties?.['stella:resolved'] ?? '', /^git\+https:\/\/github\.com\/.+#[0-9a-f]{40}$/);
    const nokogiri = (result.packages ?? []).filter((p) => p.name === 'nokogiri');
    assert.equal(nokogiri.length, 1);
    assert.match(nokogiri[0]?.properties?.['stella:platform'] ?? '', /^(?:.+,)?ruby(?:,.+)?$/);
    assert.equal(by.get('rack')?.properties?.['stella:direct'], 'true');
  });

  it('reads CHECKSUMS as sha256 integrity and a bundler 4 lock', () => {
    const result = lock(fixture('rails-main', 'Gemfile.lock'));
    assert.equal(result.issues, undefined);
    const by = new Map((result.packages ?? []).map((p) => [p.name, p]));
    assert.equal(by.get('actioncable')?.properties?.['stella:integrity'], undefined);
    assert.match(by.get('action_text-trix')?.properties?.['stella:integrity'] ?? '', /^sha256-[A-Za-z0-9+/]{43}=$/);
    assert.equal(by.get('rack')?.properties?.['stella:evidence'], 'declared');
    assert.equal(by.get('rack')?.properties?.['stella:project'], '');
    assert.equal(by.get('rack')?.properties?.['stella:dev'], undefined);
  });

  it('reads an old bundler 1 lock', () => {
    assert.deepEqual((lock(fixture('trivy-app', 'Gemfile.lock')).packages ?? []).map((p) => `${p.name}@${p.version} ${p.properties?.['stella:direct']}`),
      ['actioncable@5.2.3 true', 'actionpack@5.2.3 false']);
  });

  it('turns one bad spec line into an issue, rejects what is not a lock, reads CRLF', () => {
    const result = lock('GEM\n  remote: https://rubygems.org/\n  specs:\n    good (1.0)\n    bad line\n\nBUNDLED WITH\n   2.4.1\n');
    assert.deepEqual(result.packages?.map((p) => p.name), ['good']);
    assert.equal(result.issues?.[0]?.code, 'MALFORMED_RECORD');
    assert.throws(() => lock('hello world\n'), malformed);
    assert.throws(() => lock('<<<<<<< HEAD\nGEM\n'), malformed);
    assert.deepEqual(lock('').packages, []);
    const crlf = fixture('trivy-app', 'Gemfile.lock').toString().replace(/\n/g, '\r\n');
    assert.equal(lock(crlf).packages?.length, 2);
  });

  it('wants Gemfile.lock and gems.locked', () => {
    assert.ok(gemfileLockAnalyzer.wants('/app/Gemfile.lock'));
    assert.ok(gemfileLockAnalyzer.wants('/app/gems.locked'));
    assert.ok(!gemfileLockAnalyzer.wants('/app/Gemfile'));
  });
});
