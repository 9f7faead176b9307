import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { RawDocument } from '../../../store/index.js';
import { FeedError } from '../../errors.js';
import { parseNvdDocument } from './parse.js';

const FKIE = new URL('./testdata/fkie/', import.meta.url);
const FILES = {
  'CVE-2020-8203': 'CVE-2020/CVE-2020-82xx/CVE-2020-8203.json',
  'CVE-2020-24980': 'CVE-2020/CVE-2020-249xx/CVE-2020-24980.json',
  'CVE-2023-45853': 'CVE-2023/CVE-2023-458xx/CVE-2023-45853.json',
  'CVE-2024-6523': 'CVE-2024/CVE-2024-65xx/CVE-2024-6523.json',
  'CVE-2024-6599': 'CVE-2024/CVE-2024-65xx/CVE-2024-6599.json',
} as const;

function bytes(id: keyof typeof FILES): Uint8Array {
  return readFileSync(new URL(FILES[id], FKIE));
}

function cve(id: keyof typeof FILES): unknown {
  return JSON.parse(new TextDecoder().decode(bytes(id)));
}

function raw(body: Uint8Array | string, documentId = 'doc'): RawDocument {
  return {
    id: 1, source: 'nvd', documentId, url: null, contentType: 'application/json', sha256: '0'.repeat(64),
    fetchedAt: '2025-01-01T00:00:00.000Z', body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
  };
}

function assertMalformed(doc: RawDocument, pattern: RegExp): void {
  assert.throws(() => parseNvdDocument(doc), (error: unknown) => {
    assert.ok(error instanceof FeedError);
    assert.equal(error.code, 'MALFORMED_DOCUMENT');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('parseNvdDocument', () => {
  it('reads an fkie-cad per-CVE file, which is the API cve object itself', () => {
    const outcome = parseNvdDocument(raw(bytes('CVE-2023-45853'), 'CVE-2023/CVE-2023-458xx/CVE-2023-45853.json'));
    assert.deepEqual(outcome.errors, []);
    assert.equal(outcome.records.length, 1);
    assert.equal(outcome.records[0]?.recordId, 'CVE-2023-45853');
    assert.deepEqual(outcome.records[0]?.dto, cve('CVE-2023-45853'));
  });

  it('reads a {cve} wrapped record', () => {
    const outcome = parseNvdDocument(raw(JSON.stringify({ cve: cve('CVE-2020-24980') })));
    assert.deepEqual(outcome.records.map((r) => r.recordId), ['CVE-2020-24980']);
    assert.deepEqual(outcome.records[0]?.dto, cve('CVE-2020-24980'));
  });

  it('splits an API response page into one record per CVE, in page order', () => {
    // Synthetic page wrapper (fields as the API sends them) around the real records.
    const ids = ['CVE-2024-6599', 'CVE-2020-8203', 'CVE-2024-6523', 'CVE-2023-45853', 'CVE-2020-24980'] as const;
    const page = {
      resultsPerPage: 5, startIndex: 0, totalResults: 5, format: 'NVD_CVE', version: '2.0',
      timestamp: '2025-01-01T00:00:00.000', vulnerabilities: ids.map((id) => ({ cve: cve(id) })),
    };
    const outcome = parseNvdDocument(raw(JSON.stringify(page)));
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.records.map((r) => r.recordId), [...ids]);
    ids.forEach((id, i) => assert.deepEqual(outcome.records[i]?.dto, cve(id)));
  });

  it('turns each malformed page entry into an error item and keeps the rest', () => {
    const page = {
      resultsPerPage: 6, startIndex: 0, totalResults: 6, format: 'NVD_CVE', version: '2.0', timestamp: '2025-01-01T00:00:00.000',
      vulnerabilities: [
        { cve: cve('CVE-2020-8203') }, 42, {}, { cve: { id: 7 } }, { cve: { id: 'GHSA-p6mc-m468-83gw' } }, { cve: cve('CVE-2024-6599') },
      ],
    };
    const outcome = parseNvdDocument(raw(JSON.stringify(page)));
    assert.deepEqual(outcome.records.map((r) => r.recordId), ['CVE-2020-8203', 'CVE-2024-6599']);
    assert.deepEqual(outcome.errors, [
      { recordId: null, message: 'vulnerabilities[1]: expected an object, got a number' },
      { recordId: null, message: 'vulnerabilities[2].cve: expected a CVE object, got missing' },
      { recordId: null, message: 'vulnerabilities[3].cve: id is a number, not a string' },
      { recordId: 'GHSA-p6mc-m468-83gw', message: 'vulnerabilities[4].cve: id "GHSA-p6mc-m468-83gw" is not a CVE id' },
    ]);
  });

  it('reads an empty page as no records', () => {
    const page = { resultsPerPage: 0, startIndex: 0, totalResults: 0, format: 'NVD_CVE', version: '2.0', timestamp: 't', vulnerabilities: [] };
    assert.deepEqual(parseNvdDocument(raw(JSON.stringify(page))), { records: [], errors: [] });
  });

  it('reports a single record without a usable id as an error item', () => {
    assert.deepEqual(parseNvdDocument(raw('{"id": null, "descriptions": []}')), {
      records: [], errors: [{ recordId: null, message: '(record): id is null, not a string' }],
    });
  });

  it('throws MALFORMED_DOCUMENT for what is not a JSON object of a known shape', () => {
    assertMalformed(raw('<html>503 Service Unavailable</html>', 'cves?startIndex=0'), /cves\?startIndex=0: not JSON/);
    assertMalformed(raw(new TextDecoder().decode(bytes('CVE-2024-6599')).slice(0, 500)), /not JSON/);
    assertMalformed(raw(new Uint8Array([0x7b, 0xff, 0x7d])), /not UTF-8/);
    assertMalformed(raw('[1, 2]'), /expected a JSON object, got an array/);
    assertMalformed(raw('{"resultsPerPage": 0}'), /neither an API response page/);
    assertMalformed(raw('{"vulnerabilities": {"cve": {}}}'), /vulnerabilities is an object, not an array/);
  });
});
