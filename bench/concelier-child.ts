// One Concelier benchmark measurement in a fresh process (so RSS is its own). Prints JSON on stdout.
//   osv-ingest <zip> <home>   — parse + map + store every record of an OSV zip into a fresh SQLite
//   json-parse <zip>          — baseline: stream the same zip's entries and JSON.parse each
//   osv-http <url> <home>     — download an all.zip over loopback and ingest it (peak RSS sampled)
//   merge <home>              — merge every mapped record of the store at <home>
//   read-records <home>       — baseline: read and JSON.parse every mapped record of that store
import { CONNECTORS, runMerge, runSource, zipEntries } from '../src/feeds/index.js';
import { openStore } from '../src/store/index.js';

const [mode, a, b] = process.argv.slice(2);
let peakRss = process.memoryUsage().rss;
const start = process.hrtime.bigint();
const elapsed = (): number => Number(process.hrtime.bigint() - start) / 1e6;
const timer = setInterval(() => {
  const rss = process.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
}, 50);
timer.unref();

const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;
const found = CONNECTORS.get('osv');
if (found === undefined) throw new Error('no osv connector');
const osv = found;

async function main(): Promise<Record<string, unknown>> {
  switch (mode) {
    case 'json-parse': {
      let records = 0;
      for await (const item of zipEntries(a as string, { include: (p) => p.endsWith('.json') })) {
        if (item.body === undefined) continue;
        JSON.parse(new TextDecoder().decode(item.body));
        records += 1;
      }
      return { records, ms: elapsed() };
    }
    case 'osv-ingest': {
      const store = await openStore({ stellaHome: b as string, url: `sqlite:${b as string}/stella.db` });
      const result = await runSource(store, osv, { stellaHome: b as string, connectorOptions: { from: a as string }, http: { offline: true } });
      await store.close();
      return { records: result.map?.records ?? 0, failed: result.map?.failed ?? 0, ms: elapsed() };
    }
    case 'osv-http': {
      const store = await openStore({ stellaHome: b as string, url: `sqlite:${b as string}/stella.db` });
      const result = await runSource(store, osv, { stellaHome: b as string, connectorOptions: { baseUrl: a as string, ecosystems: ['npm'] } });
      await store.close();
      if (result.error !== undefined) throw new Error(`${result.error.code}: ${result.error.message}`);
      return { records: result.map?.records ?? 0, ms: elapsed() };
    }
    case 'merge': {
      const store = await openStore({ stellaHome: a as string, url: `sqlite:${a as string}/stella.db` });
      const result = await runMerge(store);
      await store.close();
      return { ...result, ms: elapsed() };
    }
    case 'read-records': {
      const store = await openStore({ stellaHome: a as string, url: `sqlite:${a as string}/stella.db` });
      const rows = await store.listAliasRows();
      let n = 0;
      for (let i = 0; i < rows.length; i += 500) {
        const batch = rows.slice(i, i + 500).map((r) => ({ source: r.source, recordId: r.recordId }));
        const loaded = await store.getMappedAdvisories(batch);
        for (const json of loaded.values()) {
          JSON.parse(json);
          n += 1;
        }
      }
      await store.close();
      return { records: n, ms: elapsed() };
    }
    default:
      throw new Error(`unknown mode ${String(mode)}`);
  }
}

const out = await main();
clearInterval(timer);
const rss = process.memoryUsage().rss;
if (rss > peakRss) peakRss = rss;
process.stdout.write(`${JSON.stringify({ ...out, peakRssMb: mb(peakRss) })}\n`);
