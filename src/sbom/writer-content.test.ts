import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Inventory, Package } from '../inventory/index.js';
import { validateSbom } from '../../test/support/sbom-schemas.js';
import { writeSbom } from './writer.js';

/* What each format carries for a package, so SBOM readers can get it back. */
type Json = Record<string, unknown>;
const OPTIONS = { created: new Date('2024-05-01T12:00:00Z'), toolVersion: '0.1.0' };
const base = JSON.parse(readFileSync(new URL('./testdata/inventory/debian-node-image.json', import.meta.url), 'utf8')) as Inventory;
const login = base.packages.find((p) => p.name === 'login') as Package;

function cdxProps(c: Json): string[] {
  return ((c.properties as Json[] | undefined) ?? []).map((p) => `${String(p.name)}: ${String(p.value)}`);
}

const expectedFacts = (p: Package): string[] => [
  `stella:foundBy: ${p.foundBy}`, `stella:layer: ${String(p.layer)}`, `stella:location: ${p.location}`,
  `stella:source-name: ${String(p.source?.name)}`, `stella:source-version: ${String(p.source?.version)}`,
];

describe('package facts in each format', () => {
  test('cyclonedx: full version with epoch, purl, and the facts as properties', () => {
    const doc = JSON.parse(writeSbom(base, 'cyclonedx', OPTIONS)) as Json;
    const c = (doc.components as Json[]).find((x) => x.name === 'login') as Json;
    assert.equal(c.version, '1:4.13+dfsg1-1+b1');
    assert.equal(c.purl, login.purl);
    assert.deepEqual(cdxProps(c), expectedFacts(login));
    const babel = (doc.components as Json[]).find((x) => x.name === 'core') as Json;
    assert.equal(babel.group, '@babel');
  });

  test('spdx-json: versionInfo, a purl external ref, and the facts as "name: value" annotations', () => {
    const doc = JSON.parse(writeSbom(base, 'spdx-json', OPTIONS)) as Json;
    const p = (doc.packages as Json[]).find((x) => x.name === 'login') as Json;
    assert.equal(p.versionInfo, '1:4.13+dfsg1-1+b1');
    assert.deepEqual(p.externalRefs, [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: login.purl }]);
    assert.deepEqual((p.annotations as Json[]).map((a) => a.comment), expectedFacts(login));
    const image = (doc.packages as Json[]).find((x) => x.primaryPackagePurpose === 'CONTAINER') as Json;
    assert.deepEqual(image.checksums, [{ algorithm: 'SHA256', checksumValue: base.image?.configDigest.slice('sha256:'.length) }]);
  });

  test('spdx3-json: packageVersion, packageUrl, and the facts in the CdxProperties extension', () => {
    const doc = JSON.parse(writeSbom(base, 'spdx3-json', OPTIONS)) as Json;
    const p = (doc['@graph'] as Json[]).find((x) => x.name === 'login') as Json;
    assert.equal(p.software_packageVersion, '1:4.13+dfsg1-1+b1');
    assert.equal(p.software_packageUrl, login.purl);
    const entries = ((p.extension as Json[])[0]?.extension_cdxProperty as Json[]);
    assert.deepEqual(entries.map((e) => `${String(e.extension_cdxPropName)}: ${String(e.extension_cdxPropValue)}`), expectedFacts(login));
  });
});

describe('licences in each format', () => {
  const pkg = (name: string, licenses: string[]): Package => ({
    type: 'npm', name, version: '1.0.0', purl: `pkg:npm/${name}@1.0.0`, location: `/app/node_modules/${name}/package.json`, foundBy: 'npm', licenses,
  });
  const inventory: Inventory = { ...base, packages: [
    pkg('custom', ['LicenseRef-acme']), pkg('unparsed', ['see LICENSE file']), pkg('double', ['MIT', 'Apache-2.0']),
  ] };

  test('cyclonedx: an id outside the list is an expression, non-SPDX text a named licence; valid', async () => {
    const json = writeSbom(inventory, 'cyclonedx', OPTIONS);
    assert.deepEqual((await validateSbom('cyclonedx-1.6', json)).errors, []);
    const byName = new Map((JSON.parse(json) as { components: Json[] }).components.map((c) => [c.name, c]));
    assert.deepEqual(byName.get('custom')?.licenses, [{ expression: 'LicenseRef-acme' }]);
    assert.deepEqual(byName.get('unparsed')?.licenses, [{ license: { name: 'see LICENSE file' } }]);
    assert.deepEqual(byName.get('double')?.licenses, [{ expression: 'MIT AND Apache-2.0' }]);
    assert.ok(cdxProps(byName.get('unparsed') as Json).includes('stella:license-unparsed: see LICENSE file'));
  });

  test('spdx-json: LicenseRefs are defined, non-SPDX text is NOASSERTION plus an annotation; valid', async () => {
    const json = writeSbom(inventory, 'spdx-json', OPTIONS);
    assert.deepEqual((await validateSbom('spdx-2.3', json)).errors, []);
    const doc = JSON.parse(json) as Json;
    const byName = new Map((doc.packages as Json[]).map((p) => [p.name, p]));
    assert.equal(byName.get('custom')?.licenseDeclared, 'LicenseRef-acme');
    assert.equal(byName.get('unparsed')?.licenseDeclared, 'NOASSERTION');
    assert.deepEqual((doc.hasExtractedLicensingInfos as Json[]).map((l) => l.licenseId), ['LicenseRef-acme']);
  });

  test('spdx3-json: one LicenseExpression per distinct expression, linked by hasDeclaredLicense; valid', async () => {
    const json = writeSbom(inventory, 'spdx3-json', OPTIONS);
    assert.deepEqual((await validateSbom('spdx-3.0.1', json)).errors, []);
    const graph = (JSON.parse(json) as { '@graph': Json[] })['@graph'];
    assert.deepEqual(graph.filter((e) => e.type === 'simplelicensing_LicenseExpression').map((e) => e.simplelicensing_licenseExpression).sort(),
      ['LicenseRef-acme', 'MIT AND Apache-2.0']);
    assert.equal(graph.filter((e) => e.relationshipType === 'hasDeclaredLicense').length, 2);
  });
});
