/*
 * Real Composer data against Composer itself (Debian's `composer`, offline): a project whose
 * packages come from local path repositories is installed with `composer install`; the scan of
 * that tree must equal `composer show` (installed, dev via --no-dev) and `composer licenses`; the
 * same project without vendor/ must equal `composer show --locked`; so must Composer's own
 * composer.lock (testdata). Skips loudly locally without composer, fails under CI=true.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { composerInstalledAnalyzer, composerLockAnalyzer } from '../../src/catalog/lang/php/index.js';
import type { Package } from '../../src/inventory/index.js';
import { scanImage } from '../../src/scan/index.js';
import { requireTool } from '../support/tools.js';

const ANALYZERS = [composerInstalledAnalyzer, composerLockAnalyzer];
const OWN_LOCK = fileURLToPath(new URL('../../src/catalog/lang/testdata/php/composer-project-lock/composer.lock', import.meta.url));

const PACKAGES: Record<string, object> = {
  log: { name: 'acme/log', version: '1.4.2', license: 'MIT' },
  http: { name: 'acme/http', version: 'v2.0.1', license: ['Apache-2.0', 'MIT'], require: { 'acme/log': '^1.0' } },
  testkit: { name: 'acme/testkit', version: '0.3.0', license: 'proprietary' },
  unused: { name: 'acme/unused', version: '9.9.9', license: 'MIT' },
};
const ROOT = {
  name: 'acme/app',
  repositories: [{ 'packagist.org': false }, { type: 'path', url: '../pkgs/*', options: { symlink: false } }],
  require: { 'acme/http': '^2.0' },
  'require-dev': { 'acme/testkit': '*' },
};

function composer(cwd: string, home: string, ...args: string[]): string {
  const run = spawnSync('composer', [...args, '--no-interaction', '--no-plugins', '--no-scripts'], { cwd, encoding: 'utf8', env: { ...process.env, COMPOSER_HOME: home, COMPOSER_ALLOW_SUPERUSER: '1' } });
  if (run.status !== 0) throw new Error(`composer ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

const nameVersion = (packages: readonly Package[]) => packages.map((p) => `${p.namespace}/${p.name}@${p.version}`).sort();
const shown = (json: string, key: 'installed' | 'locked') => (JSON.parse(json)[key] as { name: string; version: string }[]).map((p) => `${p.name}@${p.version}`).sort();

describe('Composer analyzers against composer show', () => {
  let dir: string;
  let home: string;
  let app: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stella-php-real-'));
    home = join(dir, 'home');
    app = join(dir, 'app');
    for (const [folder, manifest] of Object.entries(PACKAGES)) {
      mkdirSync(join(dir, 'pkgs', folder), { recursive: true });
      writeFileSync(join(dir, 'pkgs', folder, 'composer.json'), JSON.stringify(manifest));
    }
    mkdirSync(app);
    writeFileSync(join(app, 'composer.json'), JSON.stringify(ROOT));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an installed project equals composer show, with dev packages and licences as composer reports them', async (t) => {
    if (!requireTool(t, 'composer', ['--version', '--no-interaction'])) return;
    composer(app, home, 'install');
    const inventory = await scanImage(`dir:${app}`, { cache: false, analyzers: ANALYZERS });
    assert.deepEqual(inventory.issues, []);
    // The lock only enriched: every package is installed evidence.
    assert.ok(inventory.packages.every((p) => p.properties?.['stella:evidence'] === 'installed' && p.properties['stella:project'] === '/'));
    assert.deepEqual(nameVersion(inventory.packages), shown(composer(app, home, 'show', '--format=json'), 'installed'));
    const prod = new Set(shown(composer(app, home, 'show', '--no-dev', '--format=json'), 'installed'));
    for (const p of inventory.packages) assert.equal(p.properties?.['stella:dev'], String(!prod.has(`${p.namespace}/${p.name}@${p.version}`)));
    const licenses = JSON.parse(composer(app, home, 'licenses', '--format=json')).dependencies as Record<string, { license: string[] }>;
    for (const p of inventory.packages) {
      const truth = licenses[`${p.namespace}/${p.name}`]?.license ?? [];
      assert.deepEqual([...(p.licenses ?? []), ...(p.properties?.['stella:license-raw'] === undefined ? [] : [p.properties['stella:license-raw']])], truth);
    }
  });

  it('the same project without vendor/ is its lock file, equal to composer show --locked', async (t) => {
    if (!requireTool(t, 'composer', ['--version', '--no-interaction'])) return;
    const source = join(dir, 'source');
    mkdirSync(source);
    cpSync(join(app, 'composer.json'), join(source, 'composer.json'));
    cpSync(join(app, 'composer.lock'), join(source, 'composer.lock'));
    const inventory = await scanImage(`dir:${source}`, { cache: false, analyzers: ANALYZERS });
    assert.ok(inventory.packages.every((p) => p.properties?.['stella:evidence'] === 'declared'));
    assert.deepEqual(nameVersion(inventory.packages), shown(composer(source, home, 'show', '--locked', '--format=json'), 'locked'));
  });

  it('Composer\'s own composer.lock equals composer show --locked, dev split as --no-dev says', (t) => {
    if (!requireTool(t, 'composer', ['--version', '--no-interaction'])) return;
    const own = join(dir, 'own');
    mkdirSync(own);
    cpSync(OWN_LOCK, join(own, 'composer.lock'));
    writeFileSync(join(own, 'composer.json'), '{}');
    const packages = (composerLockAnalyzer.analyze({ path: '/src/composer.lock', content: readFileSync(OWN_LOCK) }).packages ?? []).map((d) => ({ ...d, purl: '' }));
    assert.deepEqual(nameVersion(packages), shown(composer(own, home, 'show', '--locked', '--format=json'), 'locked'));
    const prod = shown(composer(own, home, 'show', '--locked', '--no-dev', '--format=json'), 'locked');
    assert.deepEqual(nameVersion(packages.filter((p) => p.properties?.['stella:dev'] === 'false')), prod);
  });
});
