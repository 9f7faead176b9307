import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Inventory } from '../inventory/index.js';
import { validateSbom, validateWithSchema } from '../../test/support/sbom-schemas.js';
import { writeSbom } from './writer.js';

/*
 * The JSON schemas check shapes, not references: these tests check that every id a document refers
 * to is defined in it, that ids are unique, and that the validators are not vacuous.
 */
const OPTIONS = { created: new Date('2024-05-01T12:00:00Z'), toolVersion: '0.1.0' };
const inventory = JSON.parse(readFileSync(new URL('./testdata/inventory/debian-node-image.json', import.meta.url), 'utf8')) as Inventory;

type Json = Record<string, unknown>;
const write = (format: 'cyclonedx' | 'spdx-json' | 'spdx3-json'): Json => JSON.parse(writeSbom(inventory, format, OPTIONS)) as Json;

function assertUnique(ids: readonly string[], what: string): void {
  assert.equal(new Set(ids).size, ids.length, `${what} are not unique`);
}

describe('references inside written SBOMs', () => {
  test('cyclonedx: bom-refs are unique and every dependency ref is defined', () => {
    const doc = write('cyclonedx');
    const components = doc.components as Json[];
    const root = (doc.metadata as Json).component as Json;
    const refs = [root['bom-ref'], ...components.map((c) => c['bom-ref'])] as string[];
    assertUnique(refs, 'bom-refs');
    for (const dep of doc.dependencies as Json[]) {
      for (const ref of [dep.ref, ...((dep.dependsOn as string[] | undefined) ?? [])]) assert.ok(refs.includes(ref as string), String(ref));
    }
    assert.equal(((doc.dependencies as Json[])[0]?.dependsOn as string[]).length, components.length);
  });

  test('spdx-json: SPDXIDs are unique and every relationship end is defined', () => {
    const doc = write('spdx-json');
    const ids = ['SPDXRef-DOCUMENT', ...(doc.packages as Json[]).map((p) => p.SPDXID as string)];
    assertUnique(ids, 'SPDXIDs');
    for (const r of doc.relationships as Json[]) {
      assert.ok(ids.includes(r.spdxElementId as string) && ids.includes(r.relatedSpdxElement as string), JSON.stringify(r));
    }
    const describes = (doc.relationships as Json[]).filter((r) => r.relationshipType === 'DESCRIBES');
    assert.equal(describes.length, 1);
  });

  test('spdx3-json: spdxIds are unique and every referenced element is in the graph', () => {
    const graph = write('spdx3-json')['@graph'] as Json[];
    const ids = graph.map((e) => (e.spdxId ?? e['@id']) as string);
    assertUnique(ids, 'element ids');
    const defined = new Set(ids);
    for (const e of graph) {
      const refs = [e.from, e.to, e.rootElement, e.element, e.createdBy, e.createdUsing, e.creationInfo].flat().filter((x) => x !== undefined);
      for (const ref of refs) assert.ok(defined.has(ref as string), `${String(e.spdxId)} refers to undefined ${String(ref)}`);
    }
    const doc = graph.find((e) => e.type === 'SpdxDocument') as Json;
    assert.deepEqual((doc.element as string[]).length, graph.length - 2); // all but the document and its CreationInfo
  });
});

describe('the schema validators reject broken documents', () => {
  test('cyclonedx: a component without a name', async () => {
    const doc = write('cyclonedx');
    delete ((doc.components as Json[])[0] as Json).name;
    assert.notDeepEqual((await validateSbom('cyclonedx-1.6', JSON.stringify(doc))).errors, []);
  });
  test('cyclonedx: an unknown licence id', () => {
    const doc = write('cyclonedx');
    (doc.components as Json[])[1] = { ...(doc.components as Json[])[1], licenses: [{ license: { id: 'Not-A-Licence' } }] };
    assert.notDeepEqual(validateWithSchema('cyclonedx-1.6', doc), []);
  });
  test('spdx-2.3: a package without SPDXID', () => {
    const doc = write('spdx-json');
    delete ((doc.packages as Json[])[0] as Json).SPDXID;
    assert.notDeepEqual(validateWithSchema('spdx-2.3', doc), []);
  });
  test('spdx-3.0.1: a relationship without targets, and an unknown property', () => {
    const doc = write('spdx3-json');
    const graph = doc['@graph'] as Json[];
    const relationship = graph.find((e) => e.type === 'Relationship') as Json;
    delete relationship.to;
    assert.notDeepEqual(validateWithSchema('spdx-3.0.1', doc), []);
    const doc2 = write('spdx3-json');
    ((doc2['@graph'] as Json[]).find((e) => e.type === 'software_Package') as Json).software_version = '1';
    assert.notDeepEqual(validateWithSchema('spdx-3.0.1', doc2), []);
  });
});
