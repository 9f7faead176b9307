import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import yazl from 'yazl';

/*
 * Loopback servers that serve the three upstream layouts from the project's real test records:
 *   /osv/…   the OSV bucket (ecosystems.txt, <eco>/all.zip, <eco>/modified_id.csv, <eco>/<id>.json)
 *   /ghsa/…  GitHub's /advisories REST API (Link-header pagination)
 *   /nvd/cves  the NVD CVE API 2.0 (startIndex paging, a few records per page)
 * Faults are queued per route: the next matching request gets the fault instead of the answer.
 */

const CONNECTORS = join(import.meta.dirname, '..', '..', 'src', 'feeds', 'connectors');
const GHSA_OSV = join(CONNECTORS, 'ghsa', 'testdata', 'advisory-database', 'advisories', 'github-reviewed');
const NVD = join(CONNECTORS, 'nvd', 'testdata', 'fkie');

export const OSV_RECORD_FILES = [
  join(GHSA_OSV, '2020', '07', 'GHSA-p6mc-m468-83gw', 'GHSA-p6mc-m468-83gw.json'),
  join(GHSA_OSV, '2020', '04', 'GHSA-vh95-rmgr-6w4m', 'GHSA-vh95-rmgr-6w4m.json'),
  join(GHSA_OSV, '2022', '01', 'GHSA-r683-j2x4-v87g', 'GHSA-r683-j2x4-v87g.json'),
  join(GHSA_OSV, '2022', '03', 'GHSA-xvch-5gv4-984h', 'GHSA-xvch-5gv4-984h.json'),
];
export const GHSA_PAGE_FILE = join(CONNECTORS, 'ghsa', 'testdata', 'rest', 'advisories-lodash-page.json');
export const NVD_FILES = [
  join(NVD, 'CVE-2020', 'CVE-2020-82xx', 'CVE-2020-8203.json'),
  join(NVD, 'CVE-2020', 'CVE-2020-249xx', 'CVE-2020-24980.json'),
  join(NVD, 'CVE-2023', 'CVE-2023-458xx', 'CVE-2023-45853.json'),
  join(NVD, 'CVE-2024', 'CVE-2024-65xx', 'CVE-2024-6523.json'),
  join(NVD, 'CVE-2024', 'CVE-2024-65xx', 'CVE-2024-6599.json'),
];

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'truncate' }
  /** Never answer (until the server closes); `onStall` fires when the request arrives. */
  | { kind: 'stall' };

export interface Upstreams {
  readonly base: string;
  /** Queues a fault for the next request whose path (without query) ends with `suffix` (and passes `when`). */
  fault(suffix: string, fault: Fault, when?: (url: URL) => boolean): void;
  /** Called when a request is stalled. */
  onStall?: (path: string) => void;
  /** Every request, as path + query, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export const osvRecords = (): { id: string; modified: string; bytes: Buffer }[] =>
  OSV_RECORD_FILES.map((file) => {
    const bytes = readFileSync(file);
    const { id, modified } = JSON.parse(bytes.toString('utf8')) as { id: string; modified: string };
    return { id, modified, bytes };
  });

export const ghsaAdvisories = (): { ghsa_id: string; updated_at: string }[] =>
  JSON.parse(readFileSync(GHSA_PAGE_FILE, 'utf8')) as { ghsa_id: string; updated_at: string }[];

export const nvdCves = (): { id: string; lastModified: string }[] =>
  NVD_FILES.map((file) => JSON.parse(readFileSync(file, 'utf8')) as { id: string; lastModified: string });

async function zipOf(entries: { name: string; bytes: Buffer }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.bytes, e.name, { mtime: new Date(0) });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startUpstreams(options: { nvdPageSize?: number } = {}): Promise<Upstreams> {
  const records = osvRecords();
  const allZip = await zipOf(records.map((r) => ({ name: `${r.id}.json`, bytes: r.bytes })));
  const csv = [...records]
    .sort((a, b) => (a.modified < b.modified ? 1 : -1))
    .map((r) => `${r.modified},${r.id}`)
    .join('\n');
  const ghsa = ghsaAdvisories();
  const cves = nvdCves();
  const pageSize = options.nvdPageSize ?? 2;
  const faults: { suffix: string; fault: Fault; when?: (url: URL) => boolean }[] = [];
  const requests: string[] = [];
  const stalled: ServerResponse[] = [];

  const send = (res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = {}): void => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'content-length': String(bytes.length), ...headers });
    res.end(bytes);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${url.pathname}${url.search}`);
    const i = faults.findIndex((f) => url.pathname.endsWith(f.suffix) && (f.when === undefined || f.when(url)));
    if (i >= 0) {
      const [{ fault }] = faults.splice(i, 1) as [{ suffix: string; fault: Fault }];
      if (fault.kind === 'status') return send(res, fault.status, `injected ${fault.status}`, fault.headers);
      if (fault.kind === 'stall') {
        stalled.push(res);
        upstreams.onStall?.(url.pathname);
        return;
      }
      // Truncate: promise the whole body, send a third of it, then cut the connection.
      const body = answer(url);
      if (body === undefined) return send(res, 404, 'not found');
      res.writeHead(200, { 'content-length': String(body.bytes.length), ...body.headers });
      res.write(body.bytes.subarray(0, Math.floor(body.bytes.length / 3)));
      setImmediate(() => res.socket?.destroy());
      return;
    }
    if (req.headers['if-none-match'] !== undefined && url.pathname === '/osv/npm/all.zip' && req.headers['if-none-match'] === '"zip-1"') {
      res.writeHead(304);
      res.end();
      return;
    }
    const body = answer(url);
    if (body === undefined) return send(res, 404, 'not found');
    send(res, 200, body.bytes, body.headers);
  };

  const answer = (url: URL): { bytes: Buffer; headers: Record<string, string> } | undefined => {
    const json = (value: unknown, headers: Record<string, string> = {}) => ({
      bytes: Buffer.from(JSON.stringify(value)),
      headers: { 'content-type': 'application/json', ...headers },
    });
    const path = url.pathname;
    if (path === '/osv/ecosystems.txt') return { bytes: Buffer.from('npm\n'), headers: {} };
    if (path === '/osv/npm/all.zip') return { bytes: allZip, headers: { etag: '"zip-1"', 'content-type': 'application/zip' } };
    if (path === '/osv/npm/modified_id.csv') return { bytes: Buffer.from(csv), headers: { etag: '"csv-1"' } };
    const record = records.find((r) => path === `/osv/npm/${r.id}.json`);
    if (record !== undefined) return { bytes: record.bytes, headers: { 'content-type': 'application/json' } };
    if (path === '/ghsa/advisories') {
      // Pages of one advisory each, linked with rel="next" (cursor pagination as GitHub does).
      // sort=updated&direction=asc, and the `updated=>=<time>` filter as GitHub applies it.
      const since = /^>=(.+)$/.exec(url.searchParams.get('updated') ?? '')?.[1];
      const matching = [...ghsa]
        .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at))
        .filter((a) => since === undefined || Date.parse(a.updated_at) >= Date.parse(since));
      const after = Number(url.searchParams.get('after') ?? '0');
      const page = matching.slice(after, after + 1);
      const headers: Record<string, string> = { 'x-ratelimit-remaining': '59', 'x-ratelimit-reset': '0' };
      if (after + 1 < matching.length) {
        const next = new URL(url.href);
        next.searchParams.set('after', String(after + 1));
        headers.link = `<${upstreams.base}/ghsa/advisories${next.search}>; rel="next"`;
      }
      return json(page, headers);
    }
    if (path === '/nvd/cves') {
      // lastModStartDate/lastModEndDate windows (NVD writes times without a zone: UTC).
      const from = url.searchParams.get('lastModStartDate');
      const to = url.searchParams.get('lastModEndDate');
      const utc = (t: string) => Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(t) ? t : `${t}Z`);
      const matching = cves.filter((c) => from === null || to === null || (utc(c.lastModified) >= utc(from) && utc(c.lastModified) <= utc(to)));
      const start = Number(url.searchParams.get('startIndex') ?? '0');
      const page = matching.slice(start, start + pageSize);
      return json({
        resultsPerPage: page.length, startIndex: start, totalResults: matching.length, format: 'NVD_CVE', version: '2.0',
        timestamp: '2026-11-28T00:00:00.000', vulnerabilities: page.map((cve) => ({ cve })),
      });
    }
    return undefined;
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const upstreams: Upstreams = {
    base: `http://127.0.0.1:${port}`,
    fault: (suffix, fault, when) => faults.push(when === undefined ? { suffix, fault } : { suffix, fault, when }),
    requests,
    async close() {
      for (const res of stalled) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return upstreams;
}
