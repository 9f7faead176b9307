import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFeedError } from '../../errors.js';
import { parseOsvDocument } from './parse.js';
import { rawDocument, rawTestdata, testdata } from './testing.js';

const JSON_RECORDS = [
  'GHSA-p6mc-m468-83gw.json', 'GHSA-35jh-r3h4-6jhm.json', 'GO-2020-0015.json', 'GO-2022-0969.json',
  'RUSTSEC-2020-0071.json', 'GHSA-35c4-f3rq-f9g3.withdrawn.osv.json', 'maven_greater_than.osv.json',
  'DSA-3029-1.json', 'UBUNTU-CVE-2025-38094.json', 'ALSA-2025_10073.json',
];

describe('parseOsvDocument', () => {
  it('reads every real JSON record as one record keyed by its id, the DTO being the JSON itself', () => {
    for (const name of JSON_RECORDS) {
      const out = parseOsvDocument(rawTestdata(name));
      const json = JSON.parse(testdata(name).toString('utf8')) as { id: string };
      assert.deepEqual(out.errors, [], name);
      assert.equal(out.records.length, 1, name);
      assert.equal(out.records[0]?.recordId, json.id, name);
      assert.deepEqual(out.records[0]?.dto, json, name);
    }
  });

  it('reads YAML records, told by the document name or by the content type', () => {
    const byName = parseOsvDocument(rawDocument('vulns/jinja2/PYSEC-2021-66.yaml', testdata('PYSEC-2021-66.yaml')));
    const byType = parseOsvDocument(rawDocument('PYSEC-2021-66', testdata('PYSEC-2021-66.yaml'), 'application/x-yaml'));
    for (const out of [byName, byType]) {
      assert.deepEqual(out.errors, []);
      const dto = out.records[0]?.dto as { id: string; modified: string; affected: { versions: string[]; ranges: unknown[] }[] };
      assert.equal(out.records[0]?.recordId, 'PYSEC-2021-66');
      assert.equal(dto.modified, '2021-03-22T16:34:00Z');
      // Quoted '2.0' and plain 2.1.1 are both strings.
      assert.deepEqual(dto.affected[0]?.versions.slice(0, 4), ['2.0rc1', '2.0', '2.1', '2.1.1']);
      assert.deepEqual(dto.affected[0]?.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.11.3' }] }]);
    }
    const git = parseOsvDocument(rawTestdata('PYSEC-2023-74.yaml'));
    assert.equal(git.records[0]?.recordId, 'PYSEC-2023-74');
  });

  it('keeps a plain YAML version such as 2.10 as the text written, not the number 2.1', () => {
    // Synthetic variant of the real PYSEC-2021-66: the quoted versions and the fix written plain.
    const text = testdata('PYSEC-2021-66.yaml').toString('utf8')
      .replace("- '2.10'", '- 2.10').replace('fixed: 2.11.3', 'fixed: 2.10');
    const out = parseOsvDocument(rawDocument('PYSEC-2021-66.yaml', Buffer.from(text)));
    const dto = out.records[0]?.dto as { affected: { versions: unknown[]; ranges: { events: unknown[] }[] }[] };
    assert.ok(dto.affected[0]?.versions.includes('2.10'));
    assert.deepEqual(dto.affected[0]?.ranges[0]?.events, [{ introduced: '0' }, { fixed: '2.10' }]);
  });

  it('returns a record-level error (not a throw) for a readable document that is not a valid record', () => {
    const lodash = JSON.parse(testdata('GHSA-p6mc-m468-83gw.json').toString('utf8')) as Record<string, unknown>;
    const cases: [Record<string, unknown> | unknown[], string | null, RegExp][] = [
      [{ ...lodash, modified: undefined }, 'GHSA-p6mc-m468-83gw', /modified: missing/],
      [{ ...lodash, modified: 'yesterday' }, 'GHSA-p6mc-m468-83gw', /modified: not a timestamp/],
      [{ ...lodash, affected: { package: 'lodash' } }, 'GHSA-p6mc-m468-83gw', /affected: expected an array/],
      [{ ...lodash, aliases: ['CVE-2020-8203', 7] }, 'GHSA-p6mc-m468-83gw', /aliases\[1\]: expected a string/],
      [{ ...lodash, id: 12 }, null, /id: expected a string/],
      [[lodash], null, /expected an OSV record/],
    ];
    for (const [value, recordId, message] of cases) {
      const out = parseOsvDocument(rawDocument('doc.json', Buffer.from(JSON.stringify(value))));
      assert.deepEqual(out.records, []);
      assert.equal(out.errors.length, 1);
      assert.equal(out.errors[0]?.recordId, recordId);
      assert.match(out.errors[0]?.message ?? '', message);
    }
  });

  it('checks range events: exactly one kind each, string values', () => {
    const lodash = JSON.parse(testdata('GHSA-p6mc-m468-83gw.json').toString('utf8')) as { affected: { ranges: { events: unknown[] }[] }[] };
    const bad = structuredClone(lodash);
    bad.affected[0]!.ranges[0]!.events = [{ introduced: '0', fixed: '4.17.20' }];
    const out = parseOsvDocument(rawDocument('doc.json', Buffer.from(JSON.stringify(bad))));
    assert.match(out.errors[0]?.message ?? '', /affected\[0\]\.ranges\[0\]\.events\[0\]: an event has exactly one of/);
  });

  it('throws MALFORMED_DOCUMENT only when the bytes are not JSON / YAML at all', () => {
    const cases = [
      rawDocument('GHSA-x.json', Buffer.from('{"id": "GHSA-x", ')),
      rawDocument('PYSEC-x.yaml', Buffer.from('id: [unclosed\nmodified: x')),
      rawDocument('GHSA-x.json', Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])),
    ];
    for (const doc of cases) {
      assert.throws(() => parseOsvDocument(doc), (error: unknown) => isFeedError(error) && error.code === 'MALFORMED_DOCUMENT' && error.message.startsWith(doc.documentId));
    }
  });

  it('one malformed document does not stop the others', () => {
    const docs = [
      rawTestdata('DSA-3029-1.json'),
      rawDocument('broken.json', Buffer.from('{"id": "broken", "modified": "2024-01-01T00:00:00Z", "affected": "none"}')),
      rawTestdata('ALSA-2025_10073.json'),
    ];
    const outcomes = docs.map((d) => parseOsvDocument(d));
    assert.deepEqual(outcomes.map((o) => o.records.map((r) => r.recordId)), [['DSA-3029-1'], [], ['ALSA-2025:10073']]);
    assert.deepEqual(outcomes.map((o) => o.errors.map((e) => e.recordId)), [[], ['broken'], []]);
  });
});
