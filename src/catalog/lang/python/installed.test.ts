import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogError } from '../../analyzer.js';
import { parseInstalledMetadata, pythonInstalledAnalyzer } from './installed.js';

const SP = '/usr/lib/python3/dist-packages';
const fixture = (scenario: string, file: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`../testdata/python/installed/${scenario}/${file}`, import.meta.url)));
const parse = (path: string, content: Buffer | string) =>
  parseInstalledMetadata({ path, content: typeof content === 'string' ? Buffer.from(content) : content }).packages ?? [];
const malformed = (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE';

describe('python-installed on real core metadata', () => {
  it('reads a Debian dist-info METADATA: PEP 503 name, version, licence, installed evidence, image-wide project', () => {
    const path = `${SP}/PyYAML-6.0.dist-info/METADATA`;
    assert.deepEqual(parse(path, fixture('debian-dist-info-pyyaml', 'METADATA')), [{
      type: 'pypi', name: 'pyyaml', version: '6.0', location: path, foundBy: 'python-installed', licenses: ['MIT'],
      properties: { 'stella:evidence': 'installed', 'stella:project': '' },
    }]);
  });

  it('reads a Debian egg-info PKG-INFO and normalizes dotted names', () => {
    const [requests] = parse(`${SP}/requests-2.28.1.egg-info/PKG-INFO`, fixture('debian-egg-info-requests', 'PKG-INFO'));
    assert.equal(requests?.name, 'requests');
    assert.equal(requests?.version, '2.28.1');
    assert.deepEqual(requests?.licenses, ['Apache-2.0']);
    assert.equal(requests?.properties?.['stella:license-raw'], 'Apache 2.0');
    const [lazr] = parse(`${SP}/lazr.uri-1.0.6.egg-info/PKG-INFO`, fixture('debian-egg-info-dotted-name', 'PKG-INFO'));
    assert.equal(lazr?.name, 'lazr-uri');
  });

  it('reads a single-file egg-info', () => {
    const [pkg] = parse('/usr/lib/python2.7/dist-packages/wsgiref-0.1.2.egg-info', fixture('egg-info-file-wsgiref', 'wsgiref-0.1.2.egg-info'));
    assert.equal(pkg?.name, 'wsgiref');
    assert.equal(pkg?.version, '0.1.2');
    assert.equal(pkg?.licenses, undefined);
    assert.equal(pkg?.properties?.['stella:license-raw'], 'PSF or ZPL');
  });

  it('prefers PEP 639 License-Expression', () => {
    const [pkg] = parse(`${SP}/cryptography-48.0.0.dist-info/METADATA`, fixture('pep639-license-expression', 'METADATA'));
    assert.deepEqual(pkg?.licenses, ['Apache-2.0 OR BSD-3-Clause']);
    assert.equal(pkg?.properties?.['stella:license-raw'], undefined);
  });

  it('falls back to versioned classifiers when the License field is not SPDX, keeping the raw text', () => {
    const [pkg] = parse(`${SP}/chardet-5.1.0.dist-info/METADATA`, fixture('debian-dist-info-chardet', 'METADATA'));
    assert.deepEqual(pkg?.licenses, ['LGPL-2.0-or-later']);
    assert.equal(pkg?.properties?.['stella:license-raw'], 'LGPL');
  });

  it('does not guess a version for unversioned classifiers', () => {
    const [pkg] = parse(`${SP}/packaging-23.0.dist-info/METADATA`, fixture('debian-dist-info-packaging', 'METADATA'));
    assert.equal(pkg?.licenses, undefined);
    assert.equal(pkg?.properties?.['stella:license-raw'], 'Apache Software License; BSD License');
  });

  it('keeps a whole licence text (folded over blank continuation lines) as clipped raw text', () => {
    const [pkg] = parse(`${SP}/traitlets-5.15.0.dist-info/METADATA`, fixture('license-text-in-license-field', 'METADATA'));
    assert.equal(pkg?.name, 'traitlets');
    assert.equal(pkg?.version, '5.15.0');
    assert.equal(pkg?.licenses, undefined);
    const raw = pkg?.properties?.['stella:license-raw'] ?? '';
    assert.match(raw, /^BSD 3-Clause License\n\n- Copyright/);
    assert.ok(raw.length <= 201);
  });
});

describe('python-installed on edge cases', () => {
  it('stops at the first empty line: a Name in the description body is not read', () => {
    const text = 'Metadata-Version: 2.1\r\nName: Foo_Bar.baz\r\nVersion: 1.0rc1\r\n\r\nName: other\r\nVersion: 9\r\n';
    assert.deepEqual(parse(`${SP}/foo-1.0.dist-info/METADATA`, text).map((p) => [p.name, p.version]), [['foo-bar-baz', '1.0rc1']]);
  });

  it('reads field names case-insensitively', () => {
    assert.equal(parse(`${SP}/x.dist-info/METADATA`, 'name: x\nversion: 2\nlicense: mit\n')[0]?.licenses?.[0], 'MIT');
  });

  it('rejects metadata without Name or Version, and binary files', () => {
    assert.throws(() => parse(`${SP}/x.dist-info/METADATA`, 'Metadata-Version: 2.1\nName: x\n'), malformed);
    assert.throws(() => parse(`${SP}/x.dist-info/METADATA`, ''), malformed);
    assert.throws(() => parse(`${SP}/x.dist-info/METADATA`, Buffer.from([0x50, 0, 1, 2])), malformed);
  });

  it('treats UNKNOWN as no licence', () => {
    const [pkg] = parse(`${SP}/x.egg-info/PKG-INFO`, 'Metadata-Version: 1.0\nName: x\nVersion: 1\nLicense: UNKNOWN\n');
    assert.equal(pkg?.licenses, undefined);
    assert.equal(pkg?.properties?.['stella:license-raw'], undefined);
  });
});

describe('python-installed wants', () => {
  const wants = (path: string) => pythonInstalledAnalyzer.wants(path);
  it('wants metadata directly inside a site-packages or dist-packages directory', () => {
    assert.ok(wants('/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA'));
    assert.ok(wants('/usr/local/lib/python3.12/site-packages/requests-2.31.0.dist-info/METADATA'));
    assert.ok(wants('/app/.venv/lib/python3.12/site-packages/six-1.16.0.egg-info/PKG-INFO'));
    assert.ok(wants('/usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info'));
    assert.ok(wants('/usr/lib/python3/dist-packages/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO'));
  });
  it('ignores metadata elsewhere and other files of a dist-info', () => {
    assert.ok(!wants('/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/RECORD'));
    assert.ok(!wants('/usr/lib/python3/dist-packages/pkg/_vendor/x-1.0.dist-info/METADATA'));
    assert.ok(!wants('/src/project/x-1.0.dist-info/METADATA'));
    assert.ok(!wants('/src/project/x.egg-info/PKG-INFO'));
    assert.ok(!wants('/usr/lib/python3/dist-packages/x.egg-info/requires.txt'));
    assert.ok(!wants('/usr/lib/python3/dist-packages/METADATA'));
    assert.ok(!wants('/site-packages/PKG-INFO'));
  });
});
