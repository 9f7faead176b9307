import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPurl, type Inventory, type Package, type PackageType } from '../inventory/index.js';
import { diffSboms, formatDiffJson, formatDiffText, isEmptyDiff } from './diff.js';
import { readSbom } from './read.js';

function p(type: PackageType, name: string, version: string, extra: Partial<Package> = {}): Package {
  const draft = { type, name, version, location: '/x', foundBy: 'test', ...extra };
  return { ...draft, purl: buildPurl(draft) };
}

function inv(...packages: Package[]): Inventory {
  return { packages, issues: [] };
}

test('added, removed and changed components, sorted', () => {
  const a = inv(p('deb', 'zlib1g', '1:1.2.13.dfsg-1', { arch: 'amd64' }), p('deb', 'bash', '5.2.15-2+b2', { arch: 'amd64' }), p('npm', 'left-pad', '1.3.0'));
  const b = inv(p('deb', 'bash', '5.2.15-2+b7', { arch: 'amd64' }), p('npm', 'core', '7.0.0', { namespace: 'babel' }), p('deb', 'curl', '7.88.1-10', { arch: 'amd64' }));
  const result = diffSboms(a, b);
  assert.deepEqual(result, {
    added: [
      { type: 'deb', name: 'curl', arch: 'amd64', version: '7.88.1-10' },
      { type: 'npm', namespace: 'babel', name: 'core', version: '7.0.0' },
    ],
    removed: [
      { type: 'deb', name: 'zlib1g', arch: 'amd64', version: '1:1.2.13.dfsg-1' },
      { type: 'npm', name: 'left-pad', version: '1.3.0' },
    ],
    changed: [{ type: 'deb', name: 'bash', arch: 'amd64', from: '5.2.15-2+b2', to: '5.2.15-2+b7' }],
  });
  assert.equal(formatDiffText(result), [
    '~ bash 5.2.15-2+b2 -> 5.2.15-2+b7 (deb amd64)',
    '+ curl 7.88.1-10 (deb amd64)',
    '- zlib1g 1:1.2.13.dfsg-1 (deb amd64)',
    '+ babel/core 7.0.0 (npm)',
    '- left-pad 1.3.0 (npm)',
    '',
  ].join('\n'));
  assert.equal(formatDiffJson(result), formatDiffJson(diffSboms(a, b)));
  assert.deepEqual(Object.keys(JSON.parse(formatDiffJson(result))), ['added', 'removed', 'changed']);
});

test('no difference between an inventory and itself, whatever the order', () => {
  const a = inv(p('deb', 'a', '1'), p('deb', 'b', '2'));
  assert.ok(isEmptyDiff(diffSboms(a, inv(...[...a.packages].reverse()))));
  assert.equal(formatDiffText(diffSboms(a, a)), '');
});

test('arch is part of the identity: multiarch libc6 amd64 and i386 are two components', () => {
  const a = inv(p('deb', 'libc6', '2.36-9', { arch: 'amd64' }), p('deb', 'libc6', '2.36-9', { arch: 'i386' }));
  const b = inv(p('deb', 'libc6', '2.36-9', { arch: 'amd64' }));
  assert.deepEqual(diffSboms(a, b).removed, [{ type: 'deb', name: 'libc6', arch: 'i386', version: '2.36-9' }]);
});

test('an epoch change is a version change', () => {
  const result = diffSboms(inv(p('rpm', 'openssl-libs', '1.0.2k-16.el7')), inv(p('rpm', 'openssl-libs', '1:1.0.2k-16.el7')));
  assert.deepEqual(result.changed, [{ type: 'rpm', name: 'openssl-libs', from: '1.0.2k-16.el7', to: '1:1.0.2k-16.el7' }]);
});

test('a side that knows less (generic type, no arch) still matches when unambiguous', () => {
  assert.ok(isEmptyDiff(diffSboms(inv(p('generic', 'package-1', '1.0.1')), inv(p('pypi', 'package-1', '1.0.1')))));
  assert.ok(isEmptyDiff(diffSboms(inv(p('deb', 'bash', '5.2', { arch: 'amd64' })), inv(p('deb', 'bash', '5.2')))));
  const changed = diffSboms(inv(p('generic', 'package-1', '1.0.1')), inv(p('pypi', 'package-1', '1.0.2'))).changed;
  assert.deepEqual(changed, [{ type: 'pypi', name: 'package-1', from: '1.0.1', to: '1.0.2' }]);
  // Ambiguous: two typed candidates for one generic component, so nothing is paired.
  const ambiguous = diffSboms(inv(p('generic', 'debug', '1.0')), inv(p('npm', 'debug', '1.0'), p('pypi', 'debug', '1.0')));
  assert.equal(ambiguous.removed.length, 1);
  assert.equal(ambiguous.added.length, 2);
});

test('several versions of one component: sets are compared, not counts', () => {
  const a = inv(p('npm', 'lodash', '4.17.4'), p('npm', 'lodash', '4.17.21'), p('npm', 'lodash', '4.17.21', { location: '/y' }));
  const b = inv(p('npm', 'lodash', '4.17.21'));
  assert.deepEqual(diffSboms(a, b), { added: [], removed: [{ type: 'npm', name: 'lodash', version: '4.17.4' }], changed: [] });
});

test('purls are compared parsed: qualifier order, distro and encoding do not matter; pypi names normalize', () => {
  const doc = (purl: string): string => JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', name: 'x', purl }] });
  const a = readSbom(doc('pkg:deb/debian/openssl@3.0.17-1~deb12u2?distro=debian-12&arch=amd64'));
  const b = readSbom(doc('pkg:deb/debian/openssl@3.0.17-1%7Edeb12u2?arch=amd64&distro=debian-12.11'));
  assert.ok(isEmptyDiff(diffSboms(a, b)), JSON.stringify(diffSboms(a, b)));
  const c = readSbom(doc('pkg:pypi/Django_REST.framework@3.15.0'));
  const d = readSbom(doc('pkg:pypi/django-rest-framework@3.15.0'));
  assert.ok(isEmptyDiff(diffSboms(c, d)));
});

test('a component without a version is shown as (no-version)', () => {
  assert.equal(formatDiffText(diffSboms(inv(), inv(p('golang', 'test', '', { namespace: 'github.com/aquasecurity' })))), '+ github.com/aquasecurity/test (no-version) (golang)\n');
});
