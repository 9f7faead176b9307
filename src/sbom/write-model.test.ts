import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Inventory, Package } from '../inventory/index.js';
import { buildWriteModel, localId } from './write-model.js';

const CREATED = new Date('2024-05-01T12:00:00.999Z');
const pkg = (over: Partial<Package>): Package => ({
  type: 'npm', name: 'ms', version: '2.1.3', purl: 'pkg:npm/ms@2.1.3', location: '/app/node_modules/ms/package.json', foundBy: 'npm', ...over,
});
const inventory = (packages: Package[]): Inventory => ({ packages, issues: [] });

test('created is truncated to whole seconds in UTC', () => {
  assert.equal(buildWriteModel(inventory([]), CREATED, '1').created, '2024-05-01T12:00:00Z');
});

test('a purl seen once is the ref; a repeated purl gets a location hash; exact duplicates stay distinct', () => {
  const model = buildWriteModel(inventory([
    pkg({}), pkg({ location: '/app/node_modules/send/node_modules/ms/package.json' }), pkg({}),
    pkg({ name: 'debug', version: '4.3.4', purl: 'pkg:npm/debug@4.3.4' }),
  ]), CREATED, '1');
  const refs = model.packages.map((c) => c.ref);
  assert.equal(new Set(refs).size, 4);
  assert.ok(refs.includes('pkg:npm/debug@4.3.4'));
  assert.equal(refs.filter((r) => /^pkg:npm\/ms@2\.1\.3\|[0-9a-f]{12}$/.test(r)).length, 3);
  assert.equal(new Set(model.packages.map(localId)).size, 4);
});

test('a package without version or purl has neither field, and a synthetic ref', () => {
  const [c] = buildWriteModel(inventory([pkg({ name: 'app', version: '', purl: '' })]), CREATED, '1').packages;
  assert.equal(c?.version, undefined);
  assert.equal(c?.purl, undefined);
  assert.match(c?.ref ?? '', /^package:[0-9a-f]{16}$/);
});

test('layer, location, analyzer, source and package properties become sorted stella: properties', () => {
  const [c] = buildWriteModel(inventory([pkg({
    type: 'deb', name: 'login', version: '1:4.13+dfsg1-1+b1', layer: 'sha256:aa', location: '/var/lib/dpkg/status', foundBy: 'dpkg',
    source: { name: 'shadow', version: '1:4.13+dfsg1-1' }, properties: { 'stella:z': '1', 'stella:a': '2' }, licenses: ['not spdx'],
  })]), CREATED, '1').packages;
  assert.deepEqual(c?.properties.map((p) => `${p.name}=${p.value}`), [
    'stella:a=2', 'stella:foundBy=dpkg', 'stella:layer=sha256:aa', 'stella:license-unparsed=not spdx',
    'stella:location=/var/lib/dpkg/status', 'stella:source-name=shadow', 'stella:source-version=1:4.13+dfsg1-1', 'stella:z=1',
  ]);
});

test('local ids keep to SPDX id characters', () => {
  const [c] = buildWriteModel(inventory([pkg({ namespace: 'babel', name: 'core+ü', purl: 'pkg:npm/%40babel/core%2B%C3%BC@1' })]), CREATED, '1').packages;
  assert.match(c === undefined ? '' : localId(c), /^Package-npm-core-[0-9a-f]{16}$/);
});
