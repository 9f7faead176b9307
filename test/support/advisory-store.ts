import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { SourceAdvisory } from '../../src/advisories/index.js';
import { getConnector, runMerge, runSource } from '../../src/feeds/index.js';
import type { Store } from '../../src/store/index.js';

/*
 * Fills a store from real records the way `stella db fetch --source <s> --from <dir> --offline`
 * followed by `stella db merge` does (the same pipeline and merge, in process). For suites in
 * folders that may not import feeds/ themselves (exports/ sits on feeds' layer).
 */

export type SourceDirs = Readonly<Partial<Record<'osv' | 'ghsa' | 'nvd', string>>>;

export async function fillStore(store: Store, dirs: SourceDirs, now: () => Date): Promise<{ advisories: number }> {
  const home = mkdtempSync(join(tmpdir(), 'stella-fill-'));
  try {
    for (const source of ['osv', 'ghsa', 'nvd'] as const) {
      const from = dirs[source];
      if (from === undefined) continue;
      const result = await runSource(store, getConnector(source), { stellaHome: home, connectorOptions: { from }, http: { offline: true }, now });
      if (result.error !== undefined) throw new Error(`${source}: ${result.error.message}`);
    }
    const merged = await runMerge(store);
    return { advisories: merged.advisories };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** One record file through a connector's parse and map stages (no store): its SourceAdvisories. */
export function mapFile(source: 'osv' | 'ghsa' | 'nvd', path: string, fetchedAt: string): SourceAdvisory[] {
  const body = readFileSync(path);
  const sha256 = createHash('sha256').update(body).digest('hex');
  const documentId = basename(path);
  const connector = getConnector(source);
  const outcome = connector.parse({ id: 1, source, documentId, url: null, contentType: 'application/json', sha256, fetchedAt, body });
  if (outcome.errors.length > 0) throw new Error(`${path}: ${outcome.errors.map((e) => e.message).join('; ')}`);
  return outcome.records.map((r) => connector.map(r.dto, { source, documentId, documentSha256: sha256, recordedAt: fetchedAt }));
}
