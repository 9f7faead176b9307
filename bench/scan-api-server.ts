// Child process of bench/scan-api.bench.ts: a real `stella serve`-style server (startServer, plain
// HTTP on loopback, auth + access-log + scan + layer parts) over SQLite or PostgreSQL, holding two
// finished scans: the sample image, and a synthetic large one. Prints one JSON line, then serves
// until stdin closes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { canonicalJson } from '../src/advisories/index.js';
import type { Inventory, Package } from '../src/inventory/index.js';
import type { Finding } from '../src/match/index.js';
import { currentAnalyzerFingerprint, scanJobHandler, summarize } from '../src/scan/index.js';
import { accessLogPart } from '../src/server/access-log/index.js';
import { authPart } from '../src/server/authority/index.js';
import { createQuotaLedger } from '../src/server/quota/index.js';
import { layerRoutes } from '../src/server/routes/layers.js';
import { scanRoutes } from '../src/server/routes/scans.js';
import { startServer } from '../src/server/serve.js';
import { openStore, type Store } from '../src/store/index.js';

const [home, dialect] = [process.argv[2]!, process.argv[3] ?? 'sqlite'];
const root = join(import.meta.dirname, '..');

async function open(): Promise<Store> {
  if (dialect !== 'postgres') return openStore({ stellaHome: home });
  const url = process.env.STELLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `stella_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  await admin.end();
  return openStore({ url, schema });
}

async function* once(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
}

const store = await open();
const handler = scanJobHandler(store, { stellaHome: home, now: () => new Date(), advisoriesDir: join(root, 'samples', 'advisories') });
const blob = await store.scans.writeBlob(once(readFileSync(join(root, 'samples', 'sample-image.tar'))), { maxBytes: 1 << 30 });
const small = await store.scans.createScan({ target: 'upload:sample-image.tar', inputKind: 'upload', input: { kind: 'upload', blobId: blob.id } });
await handler({ scanId: small.id });

// The large scan: the sample's packages and findings repeated under other names (1,000 packages,
// 2,000 findings) — the size of a big distro image's report.
const results = await store.scans.getScanResults(small.id);
const inventory = JSON.parse(results!.inventory) as Inventory;
const findings = JSON.parse(results!.findings) as Finding[];
const packages: Package[] = [];
const many: Finding[] = [];
for (let i = 0; packages.length < 1000; i++) {
  for (const p of inventory.packages) packages.push({ ...p, name: `${p.name}-${i}`, purl: p.purl.replace(p.name, `${p.name}-${i}`) });
}
for (let i = 0; many.length < 2000; i++) {
  for (const f of findings) many.push({ ...f, package: { ...f.package, name: `${f.package.name}-${i}`, purl: f.package.purl.replace(f.package.name, `${f.package.name}-${i}`) } });
}
const bigInventory = { ...inventory, packages: packages.slice(0, 1000) };
const bigFindings = many.slice(0, 2000);
const large = await store.scans.createScan({ target: 'upload:large.tar', inputKind: 'upload', input: { kind: 'upload', blobId: 'none' } });
await store.scans.completeScan(large.id, {
  inventory: canonicalJson(bigInventory), findings: canonicalJson(bigFindings), summary: summarize(bigInventory, bigFindings, 0) as never,
});
const digests = Array.from({ length: 100 }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
const analyzers = currentAnalyzerFingerprint();
for (const d of digests.slice(0, 50)) await store.scans.putFragment({ digest: d, analyzers, json: '{}', origin: 'scan' });

const server = await startServer({
  host: '127.0.0.1', port: 0, stellaHome: home, store, insecureHttp: true, handleSignals: false,
  stderr: new Writable({ write: (_c, _e, cb) => cb() }),
  logger: pino({ level: 'silent' }),
  quota: (s, now) => createQuotaLedger(s, { now }),
  parts: () => [authPart, ...(process.env.BENCH_NO_ACCESS_LOG === '1' ? [] : [accessLogPart]), scanRoutes({ enqueue: async () => ({ id: 0 }), toolVersion: 'bench' }), layerRoutes()],
});
process.stdout.write(`${JSON.stringify({ url: server.url, small: small.id, large: large.id, digests, findings: bigFindings.length })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});
