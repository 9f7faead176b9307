/*
 * npm through the whole scan: a programmatic layered image (installed tree + lock, a whiteout),
 * a dir: source tree with lock files only, and a real `npm install` tree (scripts/fetch-test-npm.sh)
 * whose catalog must equal what `npm ls --all --json --long` reports about the same files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_ANALYZERS } from '../../src/catalog/index.js';
import { NPM_ANALYZERS } from '../../src/catalog/lang/npm/index.js';
import type { Inventory, Package } from '../../src/inventory/index.js';
import { scanImage } from '../../src/scan/index.js';
import { writeOciLayout, type LayerEntry } from '../support/image-builder.js';
import { missingPrerequisite, requireTool } from '../support/tools.js';

const analyzers = [...ALL_ANALYZERS, ...NPM_ANALYZERS.filter((a) => !ALL_ANALYZERS.some((b) => b.name === a.name))];
const testdata = (path: string): Buffer => readFileSync(new URL(`../../src/catalog/lang/testdata/npm/${path}`, import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'stella-npm-'));
after(() => rmSync(work, { recursive: true, force: true }));

const scan = (target: string): Promise<Inventory> => scanImage(target, { cache: false, analyzers });
const npmPackages = (inventory: Inventory): Package[] => inventory.packages.filter((p) => p.type === 'npm');
/** Issues about npm files (other registered analyzers may have their own about other files). */
const npmIssues = (inventory: Inventory) => inventory.issues.filter((i) => /(package\.json|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|lock\.yaml)$/.test(i.path ?? ''));
const fullName = (p: Package): string => (p.namespace === undefined ? p.name : `@${p.namespace}/${p.name}`);

async function scanLayers(name: string, layers: LayerEntry[][]): Promise<Inventory> {
  const dir = join(work, name);
  await writeOciLayout(dir, [{ layers: layers.map((entries) => ({ entries })) }]);
  return scan(`oci-dir:${dir}`);
}

const manifest = (name: string, version: string, license = 'MIT'): string => JSON.stringify({ name, version, license });

describe('npm through the scan: a layered image', () => {
  it('reports installed packages, enriched by the lock, and nothing a later whiteout deleted', async () => {
    const inventory = await scanLayers('layered', [
      [
        { path: 'app/package.json', content: testdata('manifest-base.json') },
        { path: 'app/package-lock.json', content: testdata('package-lock-v3/package-lock.json') },
        { path: 'app/node_modules/@sindresorhus/is/package.json', content: testdata('installed-scoped/package.json') },
        { path: 'app/node_modules/debug/package.json', content: manifest('debug', '2.6.9') },
        { path: 'app/node_modules/debug/node_modules/ms/package.json', content: manifest('ms', '2.0.0') },
        { path: 'app/node_modules/ms/package.json', content: manifest('ms', '2.1.3') },
        { path: 'app/node_modules/ms-alias/package.json', content: manifest('ms', '2.1.2') },
        { path: 'app/node_modules/ms/test/fixtures/package.json', content: manifest('fixture', '0.0.1') },
      ],
      [{ path: 'app/node_modules/.wh.debug', content: '' }],
    ]);
    const npm = npmPackages(inventory);
    assert.deepEqual(npm.map((p) => [`${fullName(p)}@${p.version}`, p.properties?.['stella:evidence'], p.properties?.['stella:dev']]).sort(), [
      ['@sindresorhus/is@4.6.0', 'installed', 'false'],
      ['ms@2.1.2', 'installed', 'false'],
      ['ms@2.1.3', 'installed', 'true'],
    ]);
    const is = npm.find((p) => p.name === 'is');
    assert.equal(is?.purl, 'pkg:npm/%40sindresorhus/is@4.6.0');
    assert.equal(is?.location, '/app/node_modules/@sindresorhus/is/package.json');
    assert.equal(is?.layer, inventory.image?.layers[0]?.diffId);
    assert.deepEqual(is?.licenses, ['MIT']);
    assert.match(is?.properties?.['stella:integrity'] ?? '', /^sha512-t09vSN3M/);
    assert.deepEqual(npmIssues(inventory), []);
  });

  it('counts pnpm virtual-store files once, not the symlinks that point at them', async () => {
    const store = 'app/node_modules/.pnpm';
    const inventory = await scanLayers('pnpm', [[
      { path: 'app/pnpm-lock.yaml', content: testdata('pnpm-v9/pnpm-lock.yaml') },
      { path: `${store}/debug@2.6.9/node_modules/debug/package.json`, content: manifest('debug', '2.6.9') },
      { path: `${store}/debug@2.6.9/node_modules/ms`, type: 'symlink', linkname: '../../ms@2.0.0/node_modules/ms' },
      { path: `${store}/ms@2.0.0/node_modules/ms/package.json`, content: manifest('ms', '2.0.0') },
      { path: 'app/node_modules/debug', type: 'symlink', linkname: '.pnpm/debug@2.6.9/node_modules/debug' },
    ]]);
    assert.deepEqual(npmPackages(inventory).map((p) => `${p.name}@${p.version} ${p.properties?.['stella:project']} dev=${p.properties?.['stella:dev']}`), [
      'debug@2.6.9 /app dev=false', 'ms@2.0.0 /app dev=false',
    ]);
  });
});

describe('npm through the scan: a dir: source tree with lock files only', () => {
  it('reports what the lock files declare, marked declared, per project', async () => {
    const root = join(work, 'src-tree');
    for (const [dir, file, scenario] of [['web', 'yarn.lock', 'yarn-classic'], ['api', 'pnpm-lock.yaml', 'pnpm-v6']] as const) {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, file), testdata(`${scenario}/${file}`));
    }
    const npm = npmPackages(await scan(`dir:${root}`));
    assert.equal(npm.length, 10);
    assert.ok(npm.every((p) => p.properties?.['stella:evidence'] === 'declared'));
    assert.deepEqual(npm.filter((p) => p.properties?.['stella:project'] === '/api').map((p) => `${fullName(p)}@${p.version} dev=${p.properties?.['stella:dev']}`).sort(), [
      '@sindresorhus/is@4.6.0 dev=false', 'debug@2.6.9 dev=false', 'ms@2.0.0 dev=false', 'ms@2.1.2 dev=false', 'ms@2.1.3 dev=true',
    ]);
    assert.ok(npm.filter((p) => p.properties?.['stella:project'] === '/web').every((p) => p.foundBy === 'yarn-lock' && p.properties?.['stella:dev'] === undefined));
  });
});

// ---- the real tree ------------------------------------------------------------------------

const PROJECT = fileURLToPath(new URL('../.cache/npm-project/', import.meta.url));

/** The installed tree, or a loud skip (a failure under CI=true) when the script has not run. */
function requireProject(t: TestContext): boolean {
  if (existsSync(join(PROJECT, 'node_modules', '.package-lock.json'))) return true;
  const message = `${PROJECT} is missing: run scripts/fetch-test-npm.sh`;
  return missingPrerequisite(t, message);
}

interface NpmLsNode {
  name?: string;
  version?: string;
  dev?: boolean;
  path?: string;
  dependencies?: Record<string, NpmLsNode>;
}

/** npm's own view: install path (relative to the project) → "name@version dev=…", deduplicated. */
function npmLsTruth(): Map<string, string> {
  const run = spawnSync('npm', ['ls', '--all', '--json', '--long'], { cwd: PROJECT, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(run.error, undefined);
  const truth = new Map<string, string>();
  const walk = (node: NpmLsNode) => {
    for (const child of Object.values(node.dependencies ?? {})) {
      if (child.path !== undefined) truth.set(relative(PROJECT, child.path), `${child.name}@${child.version} dev=${child.dev === true}`);
      walk(child);
    }
  };
  walk(JSON.parse(run.stdout) as NpmLsNode);
  return truth;
}

/** Our view: install path → the same string, from the installed packages of a scan. */
function catalogView(inventory: Inventory, prefix: string): Map<string, string> {
  const view = new Map<string, string>();
  for (const p of npmPackages(inventory)) {
    assert.equal(p.properties?.['stella:evidence'], 'installed', `${p.location} should be installed evidence`);
    const dir = p.location.slice(prefix.length, -'/package.json'.length);
    view.set(dir, `${fullName(p)}@${p.version} dev=${p.properties?.['stella:dev']}`);
  }
  return view;
}

/** Every file and symlink of the project as layer entries under /app. */
function treeEntries(dir: string, under: string): LayerEntry[] {
  const entries: LayerEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const info = lstatSync(path);
    const target = `${under}/${name}`;
    if (info.isSymbolicLink()) entries.push({ path: target, type: 'symlink', linkname: readlinkSync(path) });
    else if (info.isDirectory()) entries.push(...treeEntries(path, target));
    else if (info.isFile()) entries.push({ path: target, content: readFileSync(path), mode: info.mode & 0o777 });
  }
  return entries;
}

const sorted = (map: Map<string, string>): Array<[string, string]> => [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe('npm on a real npm install (truth: npm ls --all --json --long)', () => {
  it('scan dir: of the project equals npm ls: every installed name@version at its path, with its dev flag', async (t) => {
    if (!requireTool(t, 'npm') || !requireProject(t)) return;
    const truth = npmLsTruth();
    assert.ok(truth.size >= 50, `npm ls reported only ${truth.size} packages`);
    const inventory = await scan(`dir:${PROJECT}`);
    assert.deepEqual(sorted(catalogView(inventory, '/')), sorted(truth));
    assert.deepEqual(npmIssues(inventory), []);
    assert.ok(npmPackages(inventory).some((p) => p.namespace === 'sindresorhus'), 'the scoped package is there');
  });

  it('a layered image of the same tree: a later layer deleting express hides it and everything under it', async (t) => {
    if (!requireTool(t, 'npm') || !requireProject(t)) return;
    const truth = npmLsTruth();
    const inventory = await scanLayers('real', [treeEntries(PROJECT, 'app'), [{ path: 'app/node_modules/.wh.express', content: '' }]]);
    const expected = new Map([...truth].filter(([path]) => path !== 'node_modules/express' && !path.startsWith('node_modules/express/')));
    assert.ok(expected.size < truth.size - 1, 'express had nested packages to hide');
    assert.deepEqual(sorted(catalogView(inventory, '/app/')), sorted(expected));
    assert.ok(npmPackages(inventory).every((p) => p.properties?.['stella:project'] === '/app' && p.layer === inventory.image?.layers[0]?.diffId));
  });
});
