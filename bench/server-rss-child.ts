// Child process of bench/server-rss.bench.ts: the whole `stella serve` runtime (API, job queue,
// in-process worker) over SQLite and plain HTTP on loopback, with the shipped advisory snapshot
// imported. Prints {url, tokens} as one JSON line; then answers every stdin line with its RSS.
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { issueAdminToken, seedAdvisories, startStellaServer } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';

const home = process.argv[2]!;
const root = join(import.meta.dirname, '..');
const seed = await openStore({ stellaHome: home });
await seedAdvisories(seed, join(root, 'samples', 'advisories'), { stellaHome: home, now: () => new Date() });
await seed.close();
const server = await startStellaServer({
  host: '127.0.0.1', port: 0, stellaHome: home, insecureHttp: true, handleSignals: false, offline: true,
  stderr: new Writable({ write: (_c, _e, cb) => cb() }), logger: pino({ level: 'silent' }),
});
// Several tokens: 1,000 scans stay under each token's 333-a-day quota (no throttling waits).
const tokens = [];
for (let i = 0; i < 4; i++) tokens.push(await issueAdminToken(server.context, `bench-${i}`, 3600));
process.stdout.write(`${JSON.stringify({ url: server.url, tokens })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', () => {
  globalThis.gc?.();
  process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage().rss })}\n`);
});
lines.on('close', () => {
  void server.close().then(() => process.exit(0));
});
