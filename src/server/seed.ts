import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CONNECTORS, runMerge, runSource } from '../feeds/index.js';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/index.js';
import { authorityFor } from './authority/index.js';
import type { ServerContext } from './context.js';

/*
 * First-start conveniences for `stella serve` (and `npm start`): import an offline advisory
 * snapshot into an empty store, print an admin token, and submit a first scan through the API
 * itself, so a fresh clone serves something real at once.
 */

/** Imports `dir` (folders named after sources: osv/, ghsa/, nvd/) when the store has no advisories. */
export async function seedAdvisories(store: Store, dir: string, options: { stellaHome: string; now: () => Date }): Promise<number | undefined> {
  if ((await store.countAdvisories()).total > 0) return undefined;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`advisory snapshot ${dir} is not a directory`);
  for (const source of readdirSync(dir).sort()) {
    const connector = CONNECTORS.get(source);
    if (connector === undefined || !statSync(join(dir, source)).isDirectory()) continue;
    const result = await runSource(store, connector, {
      stellaHome: options.stellaHome, connectorOptions: { from: join(dir, source) }, http: { offline: true }, now: options.now,
    });
    if (result.error !== undefined) throw new Error(`${source}: ${result.error.message}`);
  }
  await runMerge(store);
  return (await store.countAdvisories()).total;
}

/** A new admin token (printed once by the caller; only its salted hash is stored). */
export async function issueAdminToken(ctx: Pick<ServerContext, 'store' | 'now'>, label: string, expiresInSeconds: number): Promise<string> {
  const issued = await authorityFor(ctx).issue({ scopes: ['admin', 'scan', 'read', 'feeds', 'offline-kit'], expiresInSeconds, label });
  return issued.token;
}

/** Submits `archive` (docker-archive or OCI archive) as a scan when the store holds no scan yet. */
export async function seedScan(app: FastifyInstance, store: Store, archive: string, token: string): Promise<string | undefined> {
  if ((await store.scans.listScans({ limit: 1 })).length > 0) return undefined;
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/scans',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-tar', 'content-disposition': `attachment; filename="${basename(archive)}"` },
    payload: readFileSync(archive),
  });
  if (response.statusCode !== 202) throw new Error(`the first scan was refused: ${response.statusCode} ${response.body}`);
  return (JSON.parse(response.body) as { scan: { id: string } }).scan.id;
}
