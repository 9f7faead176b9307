import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import yazl from 'yazl';
import { canonicalJson, type SourceAdvisory } from '../src/advisories/index.js';
import { CONNECTORS, type Connector } from '../src/feeds/index.js';
import { openStore } from '../src/store/index.js';
import type { Benchmark, BenchResult } from './harness.js';
import { BENCH_DIR } from './scan-image.js';

/*
 * Concelier benchmarks (issue 5). Inputs are SYNTHETIC, derived from the real OSV / GHSA / NVD
 * records the project ships as test data (each cloned with a fresh id and alias), so their shape,
 * size and mapping work are those of real records.
 *   1. parse + map + store of a 20,000-record OSV zip into SQLite, next to JSON.parse of the same
 *      entries (target >= 2,000 records/s);
 *   2. a ~500 MB all.zip downloaded over loopback and ingested: peak RSS next to RSS at 10 % (flat);
 *   3. merging 200,000 advisories (300,000 source records), next to just reading those records.
 */

const DIR = join(BENCH_DIR, 'concelier');
const OSV_ZIP = join(DIR, 'osv-20k.zip');
const BIG_ZIP = join(DIR, 'osv-500mb.zip');
const SMALL_ZIP = join(DIR, 'osv-100mb.zip');
const MERGE_TEMPLATE = join(DIR, 'merge-200k-v3');
const RECORDS = 20_000;
const PROVENANCE = { source: 'osv', documentId: 'bench', documentSha256: '0'.repeat(64), recordedAt: '2026-01-01T00:00:00Z' };

function realOsvRecords(): Record<string, unknown>[] {
  const dirs = ['samples/advisories', 'src/feeds/connectors/osv/testdata', 'src/feeds/connectors/ghsa/testdata'];
  const out: Record<string, unknown>[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
      if (!name.endsWith('.json')) continue;
      try {
        const value = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
        if (typeof value.id === 'string' && typeof value.modified === 'string' && Array.isArray(value.affected)) out.push(value);
      } catch {
        // not an OSV record
      }
    }
  }
  if (out.length === 0) throw new Error('no real OSV records found to derive the benchmark input from');
  return out;
}

/** Deterministic filler text (an LCG), so the big zip does not compress to nothing. */
function filler(seed: number, bytes: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz      .,';
  let x = seed >>> 0;
  const parts: string[] = [];
  for (let i = 0; i < bytes; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    parts.push(alphabet[x % alphabet.length] as string);
  }
  return parts.join('');
}

async function buildZip(path: string, count: number, padBytes: number, compress: boolean): Promise<void> {
  if (existsSync(path)) return;
  mkdirSync(DIR, { recursive: true });
  process.stderr.write(`bench: building ${path} (${count} records derived from real OSV records, once)…\n`);
  const base = realOsvRecords();
  const zip = new yazl.ZipFile();
  const partial = `${path}.partial`;
  const done = new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(partial)).on('close', resolve).on('error', reject);
  });
  const pad = padBytes > 0 ? filler(7, padBytes + 100) : '';
  for (let i = 0; i < count; i++) {
    const record = structuredClone(base[i % base.length]) as Record<string, unknown>;
    const id = `BENCH-${String(i).padStart(7, '0')}`;
    record.id = id;
    record.aliases = [`CVE-2099-${100000 + i}`];
    if (pad !== '') record.details = `${String(record.details ?? '')}\n${pad.slice(i % 97, (i % 97) + padBytes)}`;
    zip.addBuffer(Buffer.from(JSON.stringify(record)), `${id}.json`, { mtime: new Date(0), compress });
  }
  zip.end();
  await done;
  renameSync(partial, path);
}

interface Child {
  records: number;
  ms: number;
  peakRssMb: number;
  [key: string]: unknown;
}

const CHILD = ['--import', 'tsx', 'bench/concelier-child.ts'];

function child(args: string[]): Child {
  const result = spawnSync(process.execPath, [...CHILD, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`concelier-child ${String(args[0])} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Child;
}

// spawnSync would block this process's loopback server: run the child asynchronously.
function childAsync(args: string[]): Promise<Child> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...CHILD, ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Child) : reject(new Error(`concelier-child ${String(args[0])} failed: ${err}`))));
  });
}

function freshHome(name: string): string {
  const home = join(DIR, 'run', name);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  return home;
}

const fastest = (runs: Child[]): Child => runs.reduce((x, y) => (y.ms < x.ms ? y : x));

async function ingestRate(): Promise<BenchResult[]> {
  await buildZip(OSV_ZIP, RECORDS, 0, true);
  const parse = fastest([child(['json-parse', OSV_ZIP]), child(['json-parse', OSV_ZIP])]);
  const ingest = fastest([0, 1].map(() => child(['osv-ingest', OSV_ZIP, freshHome('ingest')])));
  const rate = (ingest.records / ingest.ms) * 1000;
  const parseRate = (parse.records / parse.ms) * 1000;
  return [{
    name: `OSV parse + map + store into SQLite, ${ingest.records} records (whole process)`,
    unit: 'records/s', value: rate,
    baselineName: 'stream the zip + JSON.parse only', baseline: parseRate,
    target: '>= 2,000 records/s', met: rate >= 2000,
  }];
}

/** Serves one zip as the bucket's npm/all.zip over loopback and ingests it in a fresh process. */
async function ingestOverHttp(zipPath: string, home: string): Promise<Child & { size: number }> {
  const size = statSync(zipPath).size;
  const server = createServer((req, res) => {
    if (req.url === '/ecosystems.txt') {
      res.end('npm\n');
    } else if (req.url === '/npm/all.zip') {
      res.writeHead(200, { 'content-length': size, etag: `"bench-${size}"`, 'content-type': 'application/zip' });
      createReadStream(zipPath).pipe(res);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return { ...(await childAsync(['osv-http', `http://127.0.0.1:${port}`, freshHome(home)])), size };
  } finally {
    server.close();
  }
}

/**
 * Flat memory: the same records padded to ~16 KB each, as a ~110 MB and a ~570 MB all.zip (stored,
 * so the download is that big), each downloaded over loopback and ingested through every stage in
 * a fresh process. Memory that does not grow with the feed means the same peak RSS for both.
 */
async function flatMemory(): Promise<BenchResult[]> {
  await buildZip(SMALL_ZIP, 6_000, 16_000, false);
  await buildZip(BIG_ZIP, 31_000, 16_000, false);
  const small = await ingestOverHttp(SMALL_ZIP, 'small');
  const big = await ingestOverHttp(BIG_ZIP, 'big');
  return [{
    name: `peak RSS ingesting a ${Math.round(big.size / 1e6)} MB all.zip over loopback HTTP (${big.records} records, ${Math.round(big.ms / 1000)} s, all stages)`,
    unit: 'MB', value: big.peakRssMb,
    baselineName: `same, ${Math.round(small.size / 1e6)} MB all.zip (${small.records} records)`, baseline: small.peakRssMb,
    target: 'flat: <= 1.25× the 5× smaller feed', met: big.peakRssMb <= small.peakRssMb * 1.25,
  }];
}

/** Every real NVD record the project ships (small to large: 0–42 CPE matches, rejected included). */
function nvdRecords(nvd: Connector): SourceAdvisory[] {
  const dir = 'src/feeds/connectors/nvd/testdata/fkie';
  const out: SourceAdvisory[] = [];
  for (const name of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    if (!name.endsWith('.json')) continue;
    const outcome = nvd.parse({
      id: 1, source: 'nvd', documentId: name, url: null, contentType: 'application/json', sha256: '0'.repeat(64),
      fetchedAt: '2026-01-01T00:00:00Z', body: readFileSync(join(dir, name)),
    });
    for (const r of outcome.records) out.push(nvd.map(r.dto, { ...PROVENANCE, source: 'nvd', documentId: name }));
  }
  if (out.length === 0) throw new Error('no real NVD record found to derive the merge benchmark input from');
  return out;
}

async function buildMergeStore(): Promise<void> {
  if (existsSync(join(MERGE_TEMPLATE, 'stella.db'))) return;
  process.stderr.write('bench: building a store with 300,000 mapped records (200,000 advisories), once…\n');
  const partial = `${MERGE_TEMPLATE}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const osv = CONNECTORS.get('osv');
  const nvd = CONNECTORS.get('nvd');
  if (osv === undefined || nvd === undefined) throw new Error('connectors missing');
  const bases = realOsvRecords().map((r) => osv.map(r as never, PROVENANCE));
  const nvdBases = nvdRecords(nvd);
  const store = await openStore({ url: `sqlite:${join(partial, 'stella.db')}` });
  const doc = await store.putRawDocument({ source: 'bench', documentId: 'bench', body: new Uint8Array([1]) });
  const batch: { source: string; recordId: string; advisory: SourceAdvisory }[] = [];
  const flush = async (): Promise<void> => {
    await store.putParsedDocument(doc.id, 'parsed', batch.map((b) => ({
      source: b.source, recordId: b.recordId, documentId: 'bench', documentSha256: doc.sha256, recordedAt: PROVENANCE.recordedAt, dto: `{"id":"${b.recordId}"}`,
    })));
    await store.putMappedRecords(batch.map((b) => ({
      source: b.source, recordId: b.recordId, advisory: canonicalJson(b.advisory), ids: [b.advisory.id, ...b.advisory.aliases], upstream: [...b.advisory.upstream],
    })));
    batch.length = 0;
  };
  for (let i = 0; i < 200_000; i++) {
    const base = bases[i % bases.length] as SourceAdvisory;
    const cve = `CVE-2099-${1_000_000 + i}`;
    const id = `GHSA-bench-${String(i).padStart(6, '0')}`;
    batch.push({ source: 'osv', recordId: id, advisory: { ...base, id, aliases: [cve], upstream: [] } });
    // Half of them also come from NVD under their CVE: 100,000 pairs + 100,000 singles.
    if (i % 2 === 0) batch.push({ source: 'nvd', recordId: cve, advisory: { ...(nvdBases[(i / 2) % nvdBases.length] as SourceAdvisory), id: cve } });
    if (batch.length >= 2000) await flush();
  }
  await flush();
  await store.close();
  renameSync(partial, MERGE_TEMPLATE);
}

async function mergeTime(): Promise<BenchResult[]> {
  await buildMergeStore();
  const run = (mode: 'merge' | 'read-records'): Child => {
    const home = freshHome(mode);
    copyFileSync(join(MERGE_TEMPLATE, 'stella.db'), join(home, 'stella.db'));
    return child([mode, home]);
  };
  const read = run('read-records');
  const merge = run('merge');
  return [{
    name: `merge ${String(merge.advisories)} advisories from ${merge.records} source records (SQLite, whole process, peak RSS ${merge.peakRssMb} MB)`,
    unit: 'ms', value: merge.ms,
    baselineName: 'read + JSON.parse every mapped record', baseline: read.ms,
    target: '< 60,000 ms', met: merge.ms < 60_000,
  }];
}

export const concelierBenchmarks: Benchmark[] = [
  { name: 'concelier-ingest', run: ingestRate },
  { name: 'concelier-memory', run: flatMemory },
  { name: 'concelier-merge', run: mergeTime },
];
