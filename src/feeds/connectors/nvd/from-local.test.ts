import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { JsonValue } from '../../../store/index.js';
import type { FeedDocument, FetchContext } from '../../connector.js';
import { FeedError } from '../../errors.js';
import { nvdConnector, parseNvdDocument } from './index.js';

const FKIE = fileURLToPath(new URL('./testdata/fkie/', import.meta.url));
const FILES = [
  'CVE-2020/CVE-2020-249xx/CVE-2020-24980.json',
  'CVE-2020/CVE-2020-82xx/CVE-2020-8203.json',
  'CVE-2023/CVE-2023-458xx/CVE-2023-45853.json',
  'CVE-2024/CVE-2024-65xx/CVE-2024-6523.json',
  'CVE-2024/CVE-2024-65xx/CVE-2024-6599.json',
];

interface LocalRun {
  readonly ctx: FetchContext;
  readonly docs: FeedDocument[];
  readonly cursors: JsonValue[];
  readonly errors: string[];
}

function localRun(from: string): LocalRun {
  const docs: FeedDocument[] = [];
  const cursors: JsonValue[] = [];
  const errors: string[] = [];
  const ctx: FetchContext = {
    source: 'nvd',
    http: {
      get: () => Promise.reject(new Error('--from must not touch the network')),
      download: () => Promise.reject(new Error('--from must not touch the network')),
    },
    options: { from }, cursor: { lastModified: '2024-01-01T00:00:00.000Z', progress: null },
    now: () => new Date('2025-01-01T00:00:00Z'), workDir: '/nonexistent', log: () => undefined,
    async putDocument(doc) {
      docs.push(doc);
      return { inserted: true, sha256: '' };
    },
    async saveCursor(next) {
      cursors.push(next);
    },
    async recordError(documentId, _recordId, message) {
      errors.push(`${documentId}: ${message}`);
    },
  };
  return { ctx, docs, cursors, errors };
}

function idsIn(doc: FeedDocument | undefined): string[] {
  assert.ok(doc);
  return parseNvdDocument({ id: 0, source: 'nvd', documentId: doc.documentId, url: null, contentType: null, sha256: '', fetchedAt: '', body: doc.body })
    .records.map((r) => r.recordId);
}

describe('nvd fetch --from', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'stella-nvd-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('stores every per-CVE file of an fkie-cad tree under its relative path, and leaves the cursor alone', async () => {
    const r = localRun(FKIE);
    assert.deepEqual(await nvdConnector.fetch(r.ctx), { documents: 5, inserted: 5 });
    assert.deepEqual(r.docs.map((d) => d.documentId), FILES);
    r.docs.forEach((d, i) => assert.deepEqual(Buffer.from(d.body), readFileSync(join(FKIE, FILES[i] ?? ''))));
    assert.ok(r.docs.every((d) => d.url === null && d.contentType === 'application/json'));
    assert.deepEqual(r.docs.flatMap((d) => idsIn(d)), ['CVE-2020-24980', 'CVE-2020-8203', 'CVE-2023-45853', 'CVE-2024-6523', 'CVE-2024-6599']);
    assert.deepEqual(r.cursors, []);
    assert.deepEqual(r.errors, []);
  });

  it('stores a directory of saved API pages, skipping files that are not .json', async () => {
    // Synthetic page wrappers around the real records.
    const dir = join(scratch, 'pages');
    const cves = FILES.map((f) => JSON.parse(readFileSync(join(FKIE, f), 'utf8')) as JsonValue);
    const page = (startIndex: number, slice: JsonValue[]): string => JSON.stringify({
      resultsPerPage: slice.length, startIndex, totalResults: cves.length, format: 'NVD_CVE', version: '2.0',
      timestamp: '2025-01-01T00:00:00.000', vulnerabilities: slice.map((cve) => ({ cve })),
    });
    mkdirSync(dir);
    writeFileSync(join(dir, 'page-0000.json'), page(0, cves.slice(0, 3)));
    writeFileSync(join(dir, 'page-0003.json'), page(3, cves.slice(3)));
    writeFileSync(join(dir, 'README.txt'), 'not a page');
    const r = localRun(dir);
    assert.deepEqual(await nvdConnector.fetch(r.ctx), { documents: 2, inserted: 2 });
    assert.deepEqual(r.docs.map((d) => d.documentId), ['page-0000.json', 'page-0003.json']);
    assert.deepEqual([...idsIn(r.docs[0]), ...idsIn(r.docs[1])], ['CVE-2020-24980', 'CVE-2020-8203', 'CVE-2023-45853', 'CVE-2024-6523', 'CVE-2024-6599']);
  });

  it('stores a single file under its base name', async () => {
    const r = localRun(join(FKIE, 'CVE-2020/CVE-2020-82xx/CVE-2020-8203.json'));
    assert.deepEqual(await nvdConnector.fetch(r.ctx), { documents: 1, inserted: 1 });
    assert.equal(r.docs[0]?.documentId, 'CVE-2020-8203.json');
    assert.deepEqual(idsIn(r.docs[0]), ['CVE-2020-8203']);
  });

  it('fails with BAD_LOCAL_SOURCE for a path that does not exist', async () => {
    const r = localRun(join(scratch, 'missing'));
    await assert.rejects(nvdConnector.fetch(r.ctx), (e: unknown) => e instanceof FeedError && e.code === 'BAD_LOCAL_SOURCE');
  });
});
