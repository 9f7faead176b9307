import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSbom } from './read.js';
import { SbomError } from './read-errors.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SbomError, String(error));
    return `${error.code}: ${error.message}`;
  }
  return 'no error';
}

const cdx = (components: unknown, specVersion = '1.6'): string => JSON.stringify({ bomFormat: 'CycloneDX', specVersion, components });

test('unknown documents are UNKNOWN_FORMAT with what was seen', () => {
  assert.match(code(() => readSbom('{"hello": 1}', { name: 'x.json' })), /^UNKNOWN_FORMAT: x\.json: JSON is none of .* \(top-level keys: hello\)/);
  assert.match(code(() => readSbom('name,version\nfoo,1\n')), /^UNKNOWN_FORMAT: input: .*starts with "name,version/);
  assert.match(code(() => readSbom('<project xmlns="http://maven.apache.org/POM/4.0.0"/>')), /^UNKNOWN_FORMAT/);
  assert.match(code(() => readSbom('')), /^UNKNOWN_FORMAT: input: .*the input is empty/);
  assert.match(code(() => readSbom('[1,2]')), /^UNKNOWN_FORMAT/);
});

test('broken documents are MALFORMED; unsupported versions UNSUPPORTED_VERSION', () => {
  assert.match(code(() => readSbom('{"bomFormat": "CycloneDX", ')), /^MALFORMED: input: not valid JSON/);
  assert.match(code(() => readSbom('<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components></bom>')), /^MALFORMED: input: XML is not well-formed/);
  assert.match(code(() => readSbom(cdx([], '2.0'))), /^UNSUPPORTED_VERSION: input: CycloneDX specVersion "2.0"/);
  assert.match(code(() => readSbom('{"spdxVersion": "SPDX-2.1", "packages": []}')), /^UNSUPPORTED_VERSION/);
  assert.match(code(() => readSbom('{"SchemaVersion": 1, "Results": []}')), /^UNSUPPORTED_VERSION: input: Trivy SchemaVersion 1/);
  assert.match(code(() => readSbom('{"spdxVersion": "SPDX-2.3", "packages": {}}')), /^MALFORMED: input: "packages" is not a list/);
});

test('XML with a DOCTYPE (entity expansion) is refused', () => {
  const bomb = '<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    + '<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library"><name>&b;</name></component></components></bom>';
  assert.match(code(() => readSbom(bomb)), /^MALFORMED: input: XML with a DOCTYPE declaration is refused/);
});

test('inputs over the size limit are refused before parsing', () => {
  assert.match(code(() => readSbom(Buffer.alloc(101, 0x20), { maxBytes: 100 })), /^TOO_LARGE: input: 101 bytes exceeds the 100-byte limit/);
});

test('an explicit format must match the document', () => {
  assert.match(code(() => readSbom(cdx([]), { format: 'spdx-json' })), /^MALFORMED: input: asked to read spdx-json, but the document is cyclonedx-json/);
  assert.equal(readSbom(cdx([]), { format: 'cyclonedx-json' }).packages.length, 0);
});

test('one bad component is an issue; the others are kept', () => {
  const inventory = readSbom(cdx([42, { type: 'library', name: 'ok', version: '1.0.0', purl: 'pkg:npm/ok@1.0.0' }, { type: 'library' }]), { name: 'bom.json' });
  assert.deepEqual(inventory.packages.map((p) => p.purl), ['pkg:npm/ok@1.0.0']);
  assert.deepEqual(inventory.issues.map((i) => [i.code, i.message, i.path]), [
    ['MALFORMED_COMPONENT', 'components[0]: not an object; skipped', 'bom.json'],
    ['MALFORMED_COMPONENT', 'component components[2]: has neither a valid purl nor a name; skipped', 'bom.json'],
  ]);
});

test('hostile nesting is cut off with an issue, not a stack overflow', () => {
  // Built as text: JSON.stringify itself overflows on 5000 levels.
  const depth = 5000;
  const open = Array.from({ length: depth }, (_, i) => `{"type":"library","name":"n${i}","version":"1","components":[`).join('');
  const text = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[${open}{"name":"leaf"}${']}'.repeat(depth)}]}`;
  const inventory = readSbom(text);
  assert.equal(inventory.packages.length, 64);
  assert.deepEqual(inventory.issues.map((i) => i.code), ['MALFORMED_COMPONENT']);
});

test('hostile XML nesting is refused as MALFORMED by the parser\'s depth limit', () => {
  const depth = 20000;
  const xml = `<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>${'<component type="library"><name>n</name><components>'.repeat(depth)}`
    + `${'</components></component>'.repeat(depth)}</components></bom>`;
  assert.match(code(() => readSbom(xml)), /^MALFORMED: input: XML cannot be parsed \(Maximum nested tags exceeded\)/);
});

test('XML numeric character references are decoded; XML\'s own entities too', () => {
  const xml = '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library">'
    + '<name>a&amp;b&#x43;&#68;</name><version>1.10</version></component></components></bom>';
  const [only] = readSbom(xml).packages;
  assert.deepEqual([only?.name, only?.version], ['a&bCD', '1.10']);
});

test('SPDX tag-value: multi-line <text> values and stray lines', () => {
  const doc = [
    'SPDXVersion: SPDX-2.3', 'DataLicense: CC0-1.0', '', 'PackageName: zlib', 'SPDXID: SPDXRef-zlib', 'PackageVersion: 1.3',
    'PackageComment: <text>line one', 'PackageName: not a package', '</text>',
    'this line is not a tag', 'ExternalRef: PACKAGE-MANAGER purl pkg:generic/zlib@1.3', 'FileName: ./x.c', 'PackageVersion: 9',
  ].join('\n');
  const inventory = readSbom(doc);
  assert.deepEqual(inventory.packages.map((p) => `${p.name}@${p.version}`), ['zlib@1.3']);
  assert.deepEqual(inventory.issues.map((i) => i.code), ['MALFORMED_LINE']);
});
