import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonValue, RawDocument } from '../../../store/index.js';
import type { Connector, ConnectorOptions, FetchContext, FetchSummary } from '../../connector.js';
import { createHttpClient } from '../../http.js';
import { ghsaConnector, parseGhsaDocument } from './index.js';

/*
 * Test helpers (used by *.test.ts only).
 *
 * startEmulator: a loopback emulation of GitHub's `GET /advisories` (SYNTHETIC server behaviour).
 * It serves the given advisories sorted by updated_at then ghsa_id, filtered by `updated=>=…`,
 * `pageSize` a page whatever per_page says, with GitHub-style cursor pagination (`after=`, Link
 * rel="prev" / rel="next"). Scripted responses (a 403 rate limit, a 500…) are served first.
 *
 * harness: an in-memory FetchContext around the real HttpClient with an injected clock and sleep.
 */

export const TESTDATA = new URL('./testdata/', import.meta.url);
export const NOW = new Date('2025-01-01T00:00:00Z');

export type Advisory = { [key: string]: JsonValue };

/** The three advisories of the recorded page (testdata/rest, see testdata/SOURCE). */
export const REAL = JSON.parse(readFileSync(new URL('rest/advisories-lodash-page.json', TESTDATA), 'utf8')) as Advisory[];
export const ALL_REAL = ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-8p5q-j9m2-g8wr'];

/** SYNTHETIC: a copy of GHSA-29mw-wpgm-hmr9 under another id, updated at the very same second. */
export const TWIN: Advisory = { ...(REAL[0] as Advisory), ghsa_id: 'GHSA-syn0-test-0001' };

export interface Scripted {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface Emulator {
  readonly base: string;
  readonly requests: { url: URL; headers: IncomingHttpHeaders }[];
  readonly script: Scripted[];
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function byUpdated(a: Advisory, b: Advisory): number {
  const d = Date.parse(String(a.updated_at)) - Date.parse(String(b.updated_at));
  return d !== 0 ? d : String(a.ghsa_id).localeCompare(String(b.ghsa_id));
}

function linkTo(url: URL, key: 'after' | 'before', offset: number, rel: string): string {
  const link = new URL(url);
  link.searchParams.delete('after');
  link.searchParams.delete('before');
  link.searchParams.set(key, Buffer.from(String(offset)).toString('base64url'));
  return `<${link.href}>; rel="${rel}"`;
}

function servePage(url: URL, advisories: readonly Advisory[], pageSize: number): Answer {
  const p = url.searchParams;
  if (url.pathname !== '/advisories') return { status: 404, headers: {}, body: '{"message":"Not Found"}' };
  if (p.get('type') !== 'reviewed' || p.get('sort') !== 'updated' || p.get('direction') !== 'asc' || p.get('per_page') !== '100') {
    return { status: 422, headers: {}, body: '{"message":"Validation Failed"}' };
  }
  const filter = p.get('updated');
  const since = filter === null ? undefined : Date.parse(/^>=(.+)$/.exec(filter)?.[1] ?? 'invalid');
  if (since !== undefined && Number.isNaN(since)) return { status: 422, headers: {}, body: '{"message":"Validation Failed: updated"}' };
  const selected = [...advisories].sort(byUpdated).filter((a) => since === undefined || Date.parse(String(a.updated_at)) >= since);
  const after = p.get('after');
  const offset = after === null ? 0 : Number(Buffer.from(after, 'base64url').toString('utf8'));
  const links = [
    ...(offset > 0 ? [linkTo(url, 'before', offset, 'prev')] : []),
    ...(offset + pageSize < selected.length ? [linkTo(url, 'after', offset + pageSize, 'next')] : []),
  ];
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (links.length > 0) headers.link = links.join(', ');
  return { status: 200, headers, body: JSON.stringify(selected.slice(offset, offset + pageSize), null, 2) };
}

export async function startEmulator(advisories: readonly Advisory[], pageSize = 1): Promise<Emulator> {
  const requests: Emulator['requests'] = [];
  const script: Scripted[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    requests.push({ url, headers: req.headers });
    const scripted = script.shift();
    const answer: Answer = scripted === undefined ? servePage(url, advisories, pageSize) : { headers: {}, body: '', ...scripted };
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`, requests, script,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

export interface StoredDocument {
  readonly url: string | null;
  readonly body: Uint8Array;
  readonly sha256: string;
}

export interface Harness {
  readonly docs: Map<string, StoredDocument>;
  readonly cursors: JsonValue[];
  readonly sleeps: number[];
  readonly errors: string[];
  /** One fetch; `killOnPut` makes the n-th putDocument of this run throw (a crash mid-run). */
  run(options: ConnectorOptions, cursor?: JsonValue, killOnPut?: number): Promise<FetchSummary>;
}

export function harness(connector: Connector = ghsaConnector): Harness {
  const docs = new Map<string, StoredDocument>();
  const cursors: JsonValue[] = [];
  const sleeps: number[] = [];
  const errors: string[] = [];
  const http = createHttpClient({ now: () => NOW, sleep: async (ms) => void sleeps.push(ms), log: () => {}, baseDelayMs: 1000 });
  async function run(options: ConnectorOptions, cursor: JsonValue = null, killOnPut?: number): Promise<FetchSummary> {
    let puts = 0;
    const ctx: FetchContext = {
      source: 'ghsa', http, options, cursor, now: () => NOW, workDir: '/nonexistent',
      async putDocument(doc) {
        puts += 1;
        if (puts === killOnPut) throw new Error(`killed while storing page ${puts}`);
        const sha256 = createHash('sha256').update(doc.body).digest('hex');
        const inserted = docs.get(doc.documentId)?.sha256 !== sha256;
        docs.set(doc.documentId, { url: doc.url, body: doc.body, sha256 });
        return { inserted, sha256 };
      },
      async saveCursor(c) {
        cursors.push(c);
      },
      async recordError(documentId, _recordId, message) {
        errors.push(`${documentId}: ${message}`);
      },
      log: () => {},
    };
    return connector.fetch(ctx);
  }
  return { docs, cursors, sleeps, errors, run };
}

export function rawDocument(documentId: string, d: StoredDocument): RawDocument {
  return { id: 0, source: 'ghsa', documentId, url: d.url, contentType: 'application/json', sha256: d.sha256, fetchedAt: NOW.toISOString(), body: d.body };
}

/** Every record id in the stored documents, sorted. */
export function storedIds(docs: ReadonlyMap<string, StoredDocument>): string[] {
  const ids = new Set<string>();
  for (const [documentId, d] of docs) for (const r of parseGhsaDocument(rawDocument(documentId, d)).records) ids.add(r.recordId);
  return [...ids].sort();
}
