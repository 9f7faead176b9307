/*
 * Python packages end to end: the catalog of Debian's python3-* packages equals what
 * importlib.metadata reports about the same files, and through the layered scan, lock files
 * only enrich installed packages, a whiteout hides one, and a source tree's lock is its inventory.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ALL_ANALYZERS } from '../../src/catalog/index.js';
import { PYTHON_ANALYZERS } from '../../src/catalog/lang/python/index.js';
import type { Package } from '../../src/inventory/index.js';
import { scanImage } from '../../src/scan/index.js';
import { writeOciLayout, type LayerEntry } from '../support/image-builder.js';
import { missingPrerequisite, requireTool } from '../support/tools.js';

const analyzers = [...ALL_ANALYZERS.filter((a) => !PYTHON_ANALYZERS.some((p) => p.name === a.name)), ...PYTHON_ANALYZERS];
const DIST_PACKAGES = '/usr/lib/python3/dist-packages';
/** Debian packages .ci/run installs: a mix of .dist-info (chardet, attrs, charset-normalizer, yaml) and .egg-info. */
const DEBIAN_DISTRIBUTIONS = ['requests', 'urllib3', 'idna', 'certifi', 'chardet', 'pyyaml', 'six', 'attrs', 'jinja2', 'markupsafe', 'charset-normalizer'];
const testdata = (path: string): Buffer => readFileSync(fileURLToPath(new URL(`../../src/catalog/lang/testdata/python/${path}`, import.meta.url)));

// importlib.metadata's view of one directory: (PEP 503 name, version) of every distribution.
const IMPORTLIB = `
import sys, json, re, importlib.metadata as m
print(json.dumps(sorted([re.sub(r'[-_.]+', '-', d.metadata['Name']).lower(), d.version] for d in m.distributions(path=[sys.argv[1]]))))
`;

function importlibDistributions(dir: string): [string, string][] {
  const run = spawnSync('/usr/bin/python3', ['-c', IMPORTLIB, dir], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as [string, string][];
}

function requireDebianPythonPackages(t: TestContext): boolean {
  if (!requireTool(t, '/usr/bin/python3', ['-c', 'import importlib.metadata'])) return false;
  const present = new Set(importlibDistributions(DIST_PACKAGES).map(([name]) => name));
  const missing = DEBIAN_DISTRIBUTIONS.filter((name) => !present.has(name));
  if (missing.length === 0) return true;
  const message = `Debian python3-* packages missing from ${DIST_PACKAGES}: ${missing.join(', ')}`;
  return missingPrerequisite(t, `${message}; install them (see .ci/run)`);
}

const pypi = (packages: readonly Package[]) => packages.filter((p) => p.type === 'pypi');

describe('python-installed on Debian\'s dist-packages, against importlib.metadata', () => {
  let root: string;
  before(() => { root = mkdtempSync(join(tmpdir(), 'stella-py-real-')); });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('catalogs every distribution importlib.metadata finds, with the same names and versions', async (t) => {
    if (!requireDebianPythonPackages(t)) return;
    // The metadata directories and files only, at their real place under a temporary root.
    const copy = join(root, DIST_PACKAGES);
    mkdirSync(copy, { recursive: true });
    for (const entry of readdirSync(DIST_PACKAGES)) {
      if (entry.endsWith('.dist-info') || entry.endsWith('.egg-info')) cpSync(join(DIST_PACKAGES, entry), join(copy, entry), { recursive: true });
    }
    const truth = importlibDistributions(copy);
    assert.deepEqual(truth, importlibDistributions(DIST_PACKAGES), 'the copy holds every distribution of the original');
    const inventory = await scanImage(`dir:${root}`, { cache: false, analyzers });
    const found = pypi(inventory.packages);
    assert.deepEqual(found.map((p) => [p.name, p.version]).sort(), truth);
    for (const name of DEBIAN_DISTRIBUTIONS) assert.ok(found.some((p) => p.name === name), `${name} is cataloged`);
    assert.ok(found.every((p) => p.properties?.['stella:evidence'] === 'installed' && p.location.startsWith(`${DIST_PACKAGES}/`)));
    assert.deepEqual(inventory.issues.filter((i) => i.path?.startsWith(DIST_PACKAGES)), []);
    assert.equal(found.find((p) => p.name === 'requests')?.purl, `pkg:pypi/requests@${truth.find(([n]) => n === 'requests')?.[1]}`);
  });
});

const SITE = 'usr/local/lib/python3.11/site-packages';
const metadata = (name: string, version: string, license: string): LayerEntry => ({
  path: `${SITE}/${name.replace(/-/g, '_')}-${version}.dist-info/METADATA`,
  content: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nLicense: ${license}\n\nA description.\n`,
});

describe('python through the layered scan', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'stella-py-scan-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports installed packages enriched by the lock, not what the lock alone declares nor what a whiteout removed', async () => {
    const oci = join(dir, 'oci');
    await writeOciLayout(oci, [{ layers: [
      { entries: [
        metadata('requests', '2.31.0', 'Apache 2.0'), metadata('urllib3', '2.0.2', 'MIT'), metadata('idna', '3.4', 'BSD-3-Clause'),
        metadata('certifi', '2023.5.7', 'MPL-2.0'), metadata('charset-normalizer', '3.1.0', 'MIT'),
        { path: 'app/Pipfile.lock', content: testdata('locks/pipfile-default-develop/Pipfile.lock') },
      ] },
      { entries: [{ path: `${SITE}/.wh.urllib3-2.0.2.dist-info`, content: '' }] },
    ] }]);
    const inventory = await scanImage(`oci-dir:${oci}`, { cache: false, analyzers });
    const found = pypi(inventory.packages);
    assert.deepEqual(found.map((p) => `${p.name}@${p.version}`), ['certifi@2023.5.7', 'charset-normalizer@3.1.0', 'idna@3.4', 'requests@2.31.0']);
    const requests = found.find((p) => p.name === 'requests');
    assert.equal(requests?.layer, inventory.image?.layers[0]?.diffId);
    assert.deepEqual(requests?.licenses, ['Apache-2.0']);
    assert.deepEqual(requests?.properties, {
      'stella:evidence': 'installed', 'stella:project': '', 'stella:license-raw': 'Apache 2.0',
      'stella:dev': 'false', 'stella:lockfile': '/app/Pipfile.lock',
      'stella:integrity': 'sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1',
    });
  });

  it('reports a source tree\'s lock file as declared packages when nothing is installed', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'srv/app'), { recursive: true });
    writeFileSync(join(tree, 'srv/app/uv.lock'), testdata('locks/uv-dev-dependencies/uv.lock'));
    const found = pypi((await scanImage(`dir:${tree}`, { cache: false, analyzers })).packages);
    assert.deepEqual(found.map((p) => `${p.name}@${p.version}:${p.properties?.['stella:dev']}`), [
      'anyio@4.6.2.post1:false', 'colorama@0.4.6:true', 'idna@3.10:false', 'iniconfig@2.0.0:true',
      'packaging@24.2:true', 'pluggy@1.5.0:true', 'pytest@8.3.3:true', 'sniffio@1.3.1:false',
    ]);
    assert.ok(found.every((p) => p.properties?.['stella:evidence'] === 'declared' && p.location === '/srv/app/uv.lock'));
  });
});
