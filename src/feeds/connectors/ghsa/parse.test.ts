import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { RawDocument } from '../../../store/index.js';
import { FeedError } from '../../errors.js';
import { ghsaConnector, parseGhsaDocument } from './index.js';

const TESTDATA = new URL('./testdata/', import.meta.url);

function doc(body: Uint8Array | string, documentId = 'doc.json'): RawDocument {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return {
    id: 1, source: 'ghsa', documentId, url: null, contentType: 'application/json',
    sha256: createHash('sha256').update(bytes).digest('hex'), fetchedAt: '2025-01-01T00:00:00Z', body: bytes,
  };
}

const provenance = { source: 'ghsa', documentId: 'doc.json', documentSha256: '0'.repeat(64), recordedAt: '2025-01-01T00:00:00Z' };
const page = readFileSync(new URL('rest/advisories-lodash-page.json', TESTDATA));

describe('parseGhsaDocument', () => {
  it('splits a recorded REST page into one record per advisory, keyed by ghsa_id and tagged "rest"', () => {
    const outcome = parseGhsaDocument(doc(page));
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.records.map((r) => r.recordId), ['GHSA-29mw-wpgm-hmr9', 'GHSA-8p5q-j9m2-g8wr', 'GHSA-35jh-r3h4-6jhm']);
    for (const r of outcome.records) {
      assert.ok(typeof r.dto === 'object' && r.dto !== null && !Array.isArray(r.dto));
      assert.equal(r.dto.form, 'rest');
      assert.equal(ghsaConnector.map(r.dto, provenance).id, r.recordId);
    }
  });

  it('reports malformed elements as error items and keeps the others (SYNTHETIC page around a real advisory)', () => {
    const real = (JSON.parse(page.toString('utf8')) as unknown[])[2];
    const outcome = parseGhsaDocument(doc(JSON.stringify([42, { summary: 'no id' }, real, { ghsa_id: 'CVE-2021-23337' }])));
    assert.deepEqual(outcome.records.map((r) => r.recordId), ['GHSA-35jh-r3h4-6jhm']);
    assert.equal(outcome.errors.length, 3);
    assert.match(outcome.errors[0]?.message ?? '', /advisory \[0\] is a number/);
    assert.match(outcome.errors[1]?.message ?? '', /advisory \[1\] has no valid ghsa_id/);
    assert.match(outcome.errors[2]?.message ?? '', /"CVE-2021-23337"/);
  });

  it('accepts a single advisory object (GET /advisories/{ghsa_id})', () => {
    const real = (JSON.parse(page.toString('utf8')) as unknown[])[0];
    assert.deepEqual(parseGhsaDocument(doc(JSON.stringify(real))).records.map((r) => r.recordId), ['GHSA-29mw-wpgm-hmr9']);
  });

  it('delegates an advisory-database OSV record to the OSV parser and tags it "osv"', () => {
    const path = 'advisory-database/advisories/github-reviewed/2020/07/GHSA-p6mc-m468-83gw/GHSA-p6mc-m468-83gw.json';
    const outcome = parseGhsaDocument(doc(readFileSync(new URL(path, TESTDATA)), path));
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.records.map((r) => r.recordId), ['GHSA-p6mc-m468-83gw']);
    const dto = outcome.records[0]?.dto;
    assert.ok(typeof dto === 'object' && dto !== null && !Array.isArray(dto));
    assert.equal(dto.form, 'osv');
    const advisory = ghsaConnector.map(dto, { ...provenance, documentId: path });
    assert.equal(advisory.source, 'ghsa');
    assert.deepEqual(advisory.aliases, ['CVE-2020-8203']);
    assert.deepEqual(advisory.affected.map((a) => [a.name, a.ranges[0]?.vers, a.fixedVersions]), [
      ['lodash', 'vers:npm/<4.17.20', ['4.17.20']], ['lodash-es', 'vers:npm/<4.17.20', ['4.17.20']],
    ]);
  });

  it('throws MALFORMED_DOCUMENT for text that is not JSON, not UTF-8, or of another shape (SYNTHETIC)', () => {
    for (const body of ['<html>rate limited</html>', new Uint8Array([0xff, 0xfe, 0x00]), '{"message":"Not Found"}', '"text"']) {
      assert.throws(() => parseGhsaDocument(doc(body)), (e: unknown) => e instanceof FeedError && e.code === 'MALFORMED_DOCUMENT');
    }
  });

  it('map rejects a DTO that parse did not make', () => {
    assert.throws(() => ghsaConnector.map({ ghsa_id: 'GHSA-29mw-wpgm-hmr9' }, provenance), (e: unknown) => e instanceof FeedError && e.code === 'MALFORMED_RECORD');
  });
});
