import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Advisory } from '../advisories/index.js';
import type { Inventory } from '../inventory/index.js';
import { packageQueries } from '../match/index.js';
import { openStore, type Store } from '../store/index.js';

/*
 * Where `stella scan` gets canonical advisories:
 * - the store (what `stella db fetch` + `stella db merge` built), asking only for the packages the
 *   inventory holds;
 * - or an offline snapshot directory laid out by source (`osv/`, `ghsa/`, `nvd/`…, each read as
 *   `stella db fetch --source <name> --from <dir>/<name>` would), ingested into an in-memory store
 *   through the same pipeline and merge.
 */

/** Advisories that can concern the inventory's packages, from the store. */
export async function advisoriesFromStore(store: Store, inventory: Inventory): Promise<Advisory[]> {
  const wanted = new Map<string, { name: string; ecosystem: string }>();
  for (const pkg of inventory.packages) {
    for (const q of packageQueries(pkg, inventory.distro)) {
      wanted.set(`${q.ecosystem}\u0000${q.name}`, { name: q.name, ecosystem: q.ecosystem });
    }
  }
  const keys = new Set<string>();
  for (const q of wanted.values()) for (const key of await store.findAdvisoryKeysByPackage(q.name, q.ecosystem)) keys.add(key);
  const out: Advisory[] = [];
  for (const key of [...keys].sort()) {
    const stored = await store.getAdvisory(key);
    if (stored !== undefined) out.push(JSON.parse(stored.json) as Advisory);
  }
  return out;
}

/**
 * Every advisory of an offline snapshot directory (subfolders named after sources). `now` stamps
 * the documents' fetch time, so provenance is deterministic under SOURCE_DATE_EPOCH.
 */
export async function advisoriesFromSnapshot(dir: string, options: { now: () => Date; stellaHome: string }): Promise<Advisory[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`advisory snapshot ${dir} is not a directory`);
  // The feed pipeline loads only for snapshots: a scan against the store does not pay for it.
  const { CONNECTORS, runMerge, runSource } = await import('../feeds/index.js');
  const sources = readdirSync(dir).filter((name) => CONNECTORS.has(name) && statSync(join(dir, name)).isDirectory()).sort();
  if (sources.length === 0) {
    throw new Error(`advisory snapshot ${dir} has no source folder (${[...CONNECTORS.keys()].join('/, ')}/)`);
  }
  const store = await openStore({ url: ':memory:', now: options.now });
  try {
    for (const source of sources) {
      const connector = CONNECTORS.get(source);
      if (connector === undefined) continue;
      const result = await runSource(store, connector, {
        stellaHome: options.stellaHome,
        connectorOptions: { from: join(dir, source) },
        http: { offline: true },
        now: options.now,
      });
      if (result.error !== undefined) throw new Error(`${source}: ${result.error.message}`);
    }
    await runMerge(store);
    const out: Advisory[] = [];
    for (let after: string | null = null; ;) {
      const page = await store.listAdvisories(after, 1000);
      if (page.length === 0) break;
      for (const row of page) out.push(JSON.parse(row.json) as Advisory);
      after = page[page.length - 1]?.key ?? null;
    }
    return out;
  } finally {
    await store.close();
  }
}
