import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { JsonValue } from '../../../store/index.js';
import type { ConnectorOptions, FeedDocument, FetchContext } from '../../connector.js';
import { FeedError } from '../../errors.js';
import { createHttpClient } from '../../http.js';
import { nvdConnector, NVD_MAX_WINDOW_MS, parseNvdDocument } from './index.js';

/*
 * A loopback emulator of the CVE API 2.0 serving the real records of testdata/fkie (the page
 * wrappers it builds are synthetic): it filters by the lastMod window, pages by startIndex with its
 * own page cap, checks the apiKey header and the date format, and injects faults per attempt.
 */

type Cve = { [key: string]: JsonValue };
type Fault = 'rate-limit' | 'unavailable' | 'truncated' | 'html';

interface Served {
  readonly attempt: number;
  readonly start: string | null;
  readonly end: string | null;
  readonly startIndex: number;
  readonly apiKey: string | undefined;
}

interface EmulatorOptions {
  pageCap: number;
  apiKey?: string;
  fault?: (attempt: number, startIndex: number) => Fault | undefined;
  /** Runs before a page is computed; may edit records (an NVD modification between pages). */
  beforeServe?: (attempt: number, records: Cve[]) => void;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/;
const FKIE = new URL('./testdata/fkie/', import.meta.url);
const REAL = [
  'CVE-2020/CVE-2020-82xx/CVE-2020-8203.json',
  'CVE-2020/CVE-2020-249xx/CVE-2020-24980.json',
  'CVE-2023/CVE-2023-458xx/CVE-2023-45853.json',
  'CVE-2024/CVE-2024-65xx/CVE-2024-6523.json',
  'CVE-2024/CVE-2024-65xx/CVE-2024-6599.json',
].map((path) => JSON.parse(readFileSync(new URL(path, FKIE), 'utf8')) as Cve);

function nvdTime(cve: Cve): number {
  return Date.parse(`${String(cve.lastModified)}Z`); // NVD writes UTC without a zone
}

class Emulator {
  readonly served: Served[] = [];
  private attempts = 0;
  private server: Server | undefined;
  readonly records: Cve[];

  constructor(records: readonly Cve[], private readonly options: EmulatorOptions) {
    this.records = records.map((r) => structuredClone(r));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/rest/json/cves/2.0`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const attempt = ++this.attempts;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const q = url.searchParams;
    const apiKey = req.headers.apikey as string | undefined;
    const startIndex = Number(q.get('startIndex') ?? '0');
    this.served.push({ attempt, start: q.get('lastModStartDate'), end: q.get('lastModEndDate'), startIndex, apiKey });
    if (url.pathname !== '/rest/json/cves/2.0') return void res.writeHead(404).end();
    if (this.options.apiKey !== undefined && apiKey !== this.options.apiKey) return void res.writeHead(403).end();
    const problem = checkParams(q);
    if (problem !== undefined) return void res.writeHead(404, { message: problem }).end();
    const fault = this.options.fault?.(attempt, startIndex);
    if (fault === 'rate-limit') return void res.writeHead(429, { 'retry-after': '7' }).end();
    if (fault === 'unavailable') return void res.writeHead(503).end();
    if (fault === 'html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    this.options.beforeServe?.(attempt, this.records);
    const body = Buffer.from(JSON.stringify(this.page(q, startIndex)));
    if (fault === 'truncated') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.write(body.subarray(0, 40), () => res.destroy());
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }

  private page(q: URLSearchParams, startIndex: number): JsonValue {
    const start = q.get('lastModStartDate');
    const end = q.get('lastModEndDate');
    const matching = this.records
      .filter((r) => start === null || end === null || (nvdTime(r) >= Date.parse(start) && nvdTime(r) <= Date.parse(end)))
      .sort((a, b) => String(a.id).localeCompare(String(b.id)));
    const size = Math.min(Number(q.get('resultsPerPage') ?? '2000'), this.options.pageCap);
    const slice = matching.slice(startIndex, startIndex + size);
    return {
      resultsPerPage: slice.length, startIndex, totalResults: matching.length, format: 'NVD_CVE', version: '2.0',
      timestamp: '2025-01-01T00:00:00.000', vulnerabilities: slice.map((cve) => ({ cve })),
    };
  }
}

/** NVD's own checks: both lastMod dates or neither, milliseconds and a zone, at most 120 days. */
function checkParams(q: URLSearchParams): string | undefined {
  const start = q.get('lastModStartDate');
  const end = q.get('lastModEndDate');
  if ((start === null) !== (end === null)) return 'Both lastModStartDate and lastModEndDate are required';
  if (start !== null && end !== null) {
    if (!ISO_WITH_ZONE.test(start) || !ISO_WITH_ZONE.test(end)) return 'Invalid ISO 8601 date/time format, see documentation.';
    if (Date.parse(end) - Date.parse(start) > NVD_MAX_WINDOW_MS) return 'The date range is too large';
  }
  const perPage = Number(q.get('resultsPerPage'));
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 2000) return 'resultsPerPage out of range';
  if (!Number.isInteger(Number(q.get('startIndex')))) return 'startIndex is not an integer';
  return undefined;
}

interface Run {
  readonly ctx: FetchContext;
  readonly docs: FeedDocument[];
  readonly cursors: JsonValue[];
  readonly sleeps: number[];
  cursor(): JsonValue;
}

function run(baseUrl: string, now: string, cursor: JsonValue, options: Partial<ConnectorOptions> = {}, failPut?: (n: number) => void): Run {
  const docs: FeedDocument[] = [];
  const cursors: JsonValue[] = [];
  const sleeps: number[] = [];
  const clock = (): Date => new Date(now);
  let current = cursor;
  const http = createHttpClient({
    sleep: async (ms) => void sleeps.push(ms), now: clock, log: () => undefined, maxRetries: 2, baseDelayMs: 250,
  });
  const ctx: FetchContext = {
    source: 'nvd', http, options: { baseUrl, ...options }, cursor, now: clock, workDir: '/nonexistent', log: () => undefined,
    async putDocument(doc) {
      failPut?.(docs.length + 1);
      const inserted = !docs.some((d) => d.documentId === doc.documentId && Buffer.compare(d.body, doc.body) === 0);
      docs.push(doc);
      return { inserted, sha256: '' };
    },
    async saveCursor(next) {
      cursors.push(next);
      current = next;
    },
    async recordError() {
      throw new Error('the API fetch records no per-record errors');
    },
  };
  return { ctx, docs, cursors, sleeps, cursor: () => current };
}

function idsIn(docs: readonly FeedDocument[]): string[] {
  return docs.flatMap((d) => parseNvdDocument({
    id: 0, source: 'nvd', documentId: d.documentId, url: d.url, contentType: d.contentType, sha256: '', fetchedAt: '', body: d.body,
  }).records.map((r) => r.recordId));
}

const W = ['2024-01-01T00:00:00.000Z', '2024-04-30T00:00:00.000Z', '2024-08-28T00:00:00.000Z', '2024-12-26T00:00:00.000Z', '2025-01-01T00:00:00.000Z'] as const;
const NOW = W[4];

describe('nvd fetch against a loopback CVE API', () => {
  it('asks for 6 s between requests without an API key and 0.6 s with one', () => {
    assert.deepEqual(nvdConnector.httpOptions?.({}), { minIntervalMs: 6000 });
    assert.deepEqual(nvdConnector.httpOptions?.({ apiKey: 'k' }), { minIntervalMs: 600 });
  });

  describe('incremental windows from --since', () => {
    const emulator = new Emulator(REAL, { pageCap: 1 });
    let base = '';
    before(async () => { base = await emulator.start(); });
    after(() => emulator.stop());

    it('pages through consecutive windows of at most 120 days, each record once, checkpointing every page', async () => {
      const r = run(base, NOW, null, { since: '2024-01-01' });
      const summary = await nvdConnector.fetch(r.ctx);
      assert.deepEqual(summary, { documents: 4, inserted: 4 });
      assert.deepEqual(emulator.served.map((s) => [s.start, s.end, s.startIndex]), [
        [W[0], W[1], 0], [W[1], W[2], 0], [W[1], W[2], 1], [W[2], W[3], 0], [W[3], W[4], 0],
      ]);
      for (const s of emulator.served) assert.ok(Date.parse(s.end ?? '') - Date.parse(s.start ?? '') <= NVD_MAX_WINDOW_MS);
      assert.deepEqual(idsIn(r.docs), ['CVE-2020-8203', 'CVE-2023-45853', 'CVE-2024-6599', 'CVE-2024-6523']);
      assert.deepEqual(r.docs.map((d) => d.documentId), [
        `cves?lastModStartDate=${W[0]}&lastModEndDate=${W[1]}&startIndex=0`,
        `cves?lastModStartDate=${W[1]}&lastModEndDate=${W[2]}&startIndex=0`,
        `cves?lastModStartDate=${W[1]}&lastModEndDate=${W[2]}&startIndex=1`,
        `cves?lastModStartDate=${W[2]}&lastModEndDate=${W[3]}&startIndex=0`,
      ]);
      assert.equal(r.docs[0]?.url, `${base}?lastModStartDate=${W[0]}&lastModEndDate=${W[1]}&resultsPerPage=2000&startIndex=0`);
      assert.ok(r.docs.every((d) => d.contentType === 'application/json'));
      assert.deepEqual(r.cursors, [
        { lastModified: W[1], progress: null },
        { lastModified: W[1], progress: { windowStart: W[1], windowEnd: W[2], nextIndex: 1, totalResults: 2 } },
        { lastModified: W[2], progress: null },
        { lastModified: W[3], progress: null },
        { lastModified: W[4], progress: null },
      ]);
    });

    it('does nothing when the cursor is already at now', async () => {
      emulator.served.length = 0;
      const r = run(base, NOW, { lastModified: NOW, progress: null });
      assert.deepEqual(await nvdConnector.fetch(r.ctx), { documents: 0, inserted: 0, notModified: true });
      assert.deepEqual(emulator.served, []);
    });

    it('resumes a run killed on its third page at that page, fetching only what is left', async () => {
      emulator.served.length = 0;
      const first = run(base, NOW, null, { since: '2024-01-01T00:00:00Z' }, (n) => {
        if (n === 3) throw new Error('killed');
      });
      await assert.rejects(nvdConnector.fetch(first.ctx), /killed/);
      const saved = first.cursor();
      assert.deepEqual(saved, { lastModified: W[1], progress: { windowStart: W[1], windowEnd: W[2], nextIndex: 1, totalResults: 2 } });
      emulator.served.length = 0;
      const second = run(base, NOW, saved);
      assert.deepEqual(await nvdConnector.fetch(second.ctx), { documents: 2, inserted: 2 });
      assert.deepEqual(emulator.served.map((s) => [s.start, s.startIndex]), [[W[1], 1], [W[2], 0], [W[3], 0]]);
      const fetched = [...idsIn(first.docs.slice(0, 2)), ...idsIn(second.docs)];
      assert.deepEqual(fetched.sort(), ['CVE-2020-8203', 'CVE-2023-45853', 'CVE-2024-6523', 'CVE-2024-6599']);
      assert.deepEqual(second.cursor(), { lastModified: NOW, progress: null });
    });
  });

  it('fetches everything without lastMod parameters on a first run without --since, then goes incremental', async () => {
    const emulator = new Emulator(REAL, { pageCap: 2 });
    const base = await emulator.start();
    try {
      const r = run(base, NOW, null);
      assert.deepEqual(await nvdConnector.fetch(r.ctx), { documents: 3, inserted: 3 });
      assert.deepEqual(emulator.served.map((s) => [s.start, s.end, s.startIndex]), [[null, null, 0], [null, null, 2], [null, null, 4]]);
      assert.deepEqual(r.docs.map((d) => d.documentId), ['cves?startIndex=0', 'cves?startIndex=2', 'cves?startIndex=4']);
      assert.deepEqual(idsIn(r.docs).sort(), ['CVE-2020-24980', 'CVE-2020-8203', 'CVE-2023-45853', 'CVE-2024-6523', 'CVE-2024-6599']);
      assert.deepEqual(r.cursors.at(-1), { lastModified: NOW, progress: null });
      assert.deepEqual(r.cursors[0], { lastModified: null, progress: { windowStart: null, windowEnd: NOW, nextIndex: 2, totalResults: 5 } });
      emulator.served.length = 0;
      const later = run(base, '2025-01-11T00:00:00.000Z', r.cursor());
      assert.deepEqual(await nvdConnector.fetch(later.ctx), { documents: 0, inserted: 0 });
      assert.deepEqual(emulator.served.map((s) => [s.start, s.end]), [[NOW, '2025-01-11T00:00:00.000Z']]);
    } finally {
      await emulator.stop();
    }
  });

  it('re-reads the places a record vacated when it leaves the window between pages', async () => {
    // Synthetic: six clones of the real CVE-2024-6599 with their own ids and lastModified times.
    const clones = [1, 2, 3, 4, 5, 6].map((n) => ({ ...REAL[4], id: `CVE-2024-9000${n}`, lastModified: `2024-07-0${n}T00:00:00.000` }) as Cve);
    const emulator = new Emulator(clones, {
      pageCap: 2,
      beforeServe: (attempt, records) => {
        const first = records.find((c) => c.id === 'CVE-2024-90001');
        if (attempt === 2 && first !== undefined) first.lastModified = '2024-07-11T00:00:00.000';
      },
    });
    const base = await emulator.start();
    try {
      const r = run(base, '2024-07-10T00:00:00.000Z', null, { since: '2024-07-01' });
      await nvdConnector.fetch(r.ctx);
      assert.deepEqual(emulator.served.map((s) => s.startIndex), [0, 2, 1, 3]);
      assert.deepEqual([...new Set(idsIn(r.docs))].sort(), clones.map((c) => String(c.id)));
    } finally {
      await emulator.stop();
    }
  });

  describe('HTTP behaviour', () => {
    it('sends the apiKey header on every request, and fails without the key the server wants', async () => {
      const emulator = new Emulator(REAL, { pageCap: 1, apiKey: 'k-123' });
      const base = await emulator.start();
      try {
        const r = run(base, NOW, null, { since: '2024-01-01', apiKey: 'k-123' });
        assert.equal((await nvdConnector.fetch(r.ctx)).documents, 4);
        assert.ok(emulator.served.every((s) => s.apiKey === 'k-123'));
        const anonymous = run(base, NOW, null, { since: '2024-01-01' });
        await assert.rejects(nvdConnector.fetch(anonymous.ctx), (e: unknown) => e instanceof FeedError && e.code === 'HTTP_STATUS');
        assert.deepEqual(anonymous.cursors, []);
      } finally {
        await emulator.stop();
      }
    });

    it('waits out a 429 (Retry-After) and a 503, then delivers every record once', async () => {
      const emulator = new Emulator(REAL, { pageCap: 1, fault: (attempt) => (attempt === 2 ? 'rate-limit' : attempt === 4 ? 'unavailable' : undefined) });
      const base = await emulator.start();
      try {
        const r = run(base, NOW, null, { since: '2024-01-01' });
        assert.deepEqual(await nvdConnector.fetch(r.ctx), { documents: 4, inserted: 4 });
        assert.deepEqual(r.sleeps, [7000, 250]);
        assert.equal(emulator.served.length, 7);
        assert.deepEqual(idsIn(r.docs), ['CVE-2020-8203', 'CVE-2023-45853', 'CVE-2024-6599', 'CVE-2024-6523']);
      } finally {
        await emulator.stop();
      }
    });

    it('leaves the cursor at the last stored page when a page arrives truncated or is not JSON', async () => {
      for (const [fault, code] of [['truncated', 'TRUNCATED'], ['html', 'MALFORMED_DOCUMENT']] as const) {
        const emulator = new Emulator(REAL, { pageCap: 1, fault: (attempt, startIndex) => (attempt >= 3 && startIndex === 1 ? fault : undefined) });
        const base = await emulator.start();
        try {
          const r = run(base, NOW, null, { since: '2024-01-01' });
          await assert.rejects(nvdConnector.fetch(r.ctx), (e: unknown) => e instanceof FeedError && e.code === code);
          assert.deepEqual(idsIn(r.docs), ['CVE-2020-8203', 'CVE-2023-45853']);
          assert.deepEqual(r.cursor(), { lastModified: W[1], progress: { windowStart: W[1], windowEnd: W[2], nextIndex: 1, totalResults: 2 } });
        } finally {
          await emulator.stop();
        }
      }
    });
  });

  it('rejects an unreadable --since or cursor', async () => {
    await assert.rejects(nvdConnector.fetch(run('http://127.0.0.1:9', NOW, null, { since: 'last tuesday' }).ctx), (e: unknown) => e instanceof FeedError && e.code === 'BAD_OPTION');
    await assert.rejects(nvdConnector.fetch(run('http://127.0.0.1:9', NOW, { lastModified: 5 }).ctx), /unreadable cursor/);
  });
});
