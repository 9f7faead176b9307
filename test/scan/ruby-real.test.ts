/*
 * Real Ruby data against Ruby's own tools: the gemspecs Debian's ruby-* packages install (and
 * Ruby's default gems), copied into a directory and scanned with `dir:`, must equal what
 * `Gem::Specification.load` reads from each file and what `gem list` lists; Gemfile.locks (one
 * written here by bundler from those installed gems, the real ones under testdata) must equal
 * `Bundler::LockfileParser`. Needs Debian's ruby, ruby-rack, ruby-concurrent, ruby-i18n,
 * ruby-minitest, ruby-json (.ci/run installs them); skips loudly locally, fails under CI=true.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gemfileLockAnalyzer, gemspecAnalyzer } from '../../src/catalog/lang/ruby/index.js';
import { normalizeLicense } from '../../src/catalog/license.js';
import { scanImage } from '../../src/scan/index.js';
import { missingPrerequisite, requireTool } from '../support/tools.js';

const ANALYZERS = [gemspecAnalyzer, gemfileLockAnalyzer];
const DEBIAN_GEMS = ['rack', 'concurrent-ruby', 'i18n', 'minitest', 'json'];
const TESTDATA = fileURLToPath(new URL('../../src/catalog/lang/testdata/ruby/', import.meta.url));

function ruby(script: string, cwd?: string): string {
  const run = spawnSync('ruby', ['-e', script], { encoding: 'utf8', cwd, env: { ...process.env, HOME: cwd ?? tmpdir() } });
  if (run.status !== 0) throw new Error(`ruby failed: ${run.stderr}`);
  return run.stdout;
}

interface TruthSpec { file: string; name: string; version: string; platform: string; licenses: string[] }

const LOAD_SPECS = `require "json"
out = Gem::Specification.dirs.flat_map { |d| Dir[File.join(d, "{,default/}*.gemspec")] }.map { |f|
  s = Gem::Specification.load(f)
  { file: f, name: s.name, version: s.version.to_s, platform: s.platform.to_s, licenses: s.licenses }
}
puts JSON.generate(out)`;

const LOCK_SPECS = `require "bundler"; require "json"
specs = Bundler::LockfileParser.new(File.read(ARGV[0] || "Gemfile.lock")).specs
puts JSON.generate(specs.map { |s| [s.name, s.version.to_s, s.platform.to_s] })`;

/** `gem list` lines: "json (2.6.3, default: 2.6.1)", "nokogiri (1.16.0 x86_64-linux)". */
function gemList(): Set<string> {
  const run = spawnSync('gem', ['list', '--local'], { encoding: 'utf8' });
  const out = new Set<string>();
  for (const line of run.stdout.split('\n')) {
    const match = /^(\S+) \((.*)\)$/.exec(line);
    if (match === null) continue;
    for (const entry of (match[2] ?? '').split(', ')) out.add(`${match[1]}@${entry.replace(/^default: /, '').split(' ')[0]}`);
  }
  return out;
}

function available(t: TestContext): boolean {
  if (!requireTool(t, 'ruby', ['-e', 'require "bundler"'])) return false;
  const names = new Set(JSON.parse(ruby(LOAD_SPECS)).map((s: TruthSpec) => s.name));
  const missing = DEBIAN_GEMS.filter((g) => !names.has(g));
  if (missing.length === 0) return true;
  const message = `Debian gems missing: ${missing.join(', ')} (apt-get install ruby-rack ruby-concurrent ruby-i18n ruby-minitest ruby-json)`;
  return missingPrerequisite(t, message);
}

describe('Ruby analyzers on real Debian gems and bundler locks', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'stella-ruby-real-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('catalogs the installed gemspecs exactly as Gem::Specification.load and gem list do', async (t) => {
    if (!available(t)) return;
    const truth = JSON.parse(ruby(LOAD_SPECS)) as TruthSpec[];
    const root = join(dir, 'installed');
    for (const spec of truth) {
      mkdirSync(join(root, spec.file, '..'), { recursive: true });
      cpSync(spec.file, join(root, spec.file));
    }
    const inventory = await scanImage(`dir:${root}`, { cache: false, analyzers: ANALYZERS });
    assert.deepEqual(inventory.issues, []);
    const got = inventory.packages.map((p) => ({
      file: p.location, name: p.name, version: p.version, platform: p.properties?.['stella:platform'] ?? 'ruby', licenses: p.licenses ?? [],
    })).sort((a, b) => a.file.localeCompare(b.file));
    const expected = truth.map((s) => ({
      file: s.file, name: s.name, version: s.version, platform: s.platform,
      licenses: [...new Set(s.licenses.map((l) => normalizeLicense(l) ?? l).filter((l) => normalizeLicense(l) !== undefined))],
    })).sort((a, b) => a.file.localeCompare(b.file));
    assert.deepEqual(got, expected);
    assert.ok(got.length >= 90, `only ${got.length} gemspecs`);
    assert.deepEqual(new Set(got.map((p) => `${p.name}@${p.version}`)), gemList());
    for (const p of inventory.packages) assert.equal(p.properties?.['stella:evidence'], 'installed');
  });

  it('reads Gemfile.locks exactly as Bundler::LockfileParser does', (t) => {
    if (!available(t)) return;
    const app = join(dir, 'app');
    mkdirSync(join(app, 'localgem'), { recursive: true });
    writeFileSync(join(app, 'localgem', 'localgem.gemspec'), 'Gem::Specification.new do |s|\n  s.name = "localgem"; s.version = "0.1.0"; s.summary = "x"; s.authors = ["x"]; s.files = []\n  s.add_dependency "i18n"\nend\n');
    writeFileSync(join(app, 'Gemfile'), 'source "https://rubygems.org"\ngem "rack"\ngem "concurrent-ruby"\ngem "minitest", group: :test\ngem "localgem", path: "localgem"\n');
    ruby('require "bundler"; require "bundler/cli"; Bundler::CLI.start(["lock", "--local"])', app);
    const locks = [join(app, 'Gemfile.lock'), ...readdirSync(TESTDATA).map((s) => join(TESTDATA, s, 'Gemfile.lock')).filter(existsSync)];
    assert.ok(locks.length >= 4);
    for (const lock of locks) {
      // PATH sources make bundler look for a Gemfile: the app's serves.
      const truth = JSON.parse(ruby(LOCK_SPECS.replace('ARGV[0]', JSON.stringify(lock)), app)) as [string, string, string][];
      const expected = new Map<string, Set<string>>();
      for (const [name, version, platform] of truth) expected.set(`${name}@${version}`, (expected.get(`${name}@${version}`) ?? new Set()).add(platform));
      const result = gemfileLockAnalyzer.analyze({ path: '/src/Gemfile.lock', content: readFileSync(lock) });
      assert.equal(result.issues, undefined, lock);
      // We keep platforms as written ("x86_64-linux-gnu"); this bundler's Gem::Platform may spell them otherwise.
      const written = (result.packages ?? []).map((p) => (p.properties?.['stella:platform'] ?? 'ruby').split(','));
      const asBundler = JSON.parse(ruby(`require "json"; puts JSON.generate(${JSON.stringify(written)}.map { |l| l.map { |p| Gem::Platform.new(p).to_s } })`)) as string[][];
      const got = new Map((result.packages ?? []).map((p, i) => [`${p.name}@${p.version}`, new Set(asBundler[i])]));
      assert.deepEqual(got, expected, lock);
    }
  });
});
