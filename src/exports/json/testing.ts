import { mkdtempSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line stella/layers -- tests only: stores are filled through the real feed pipeline and merge (feeds is exports' peer)
import { getConnector, runMerge, runSource } from '../../feeds/index.js';
import type { Store } from '../../store/index.js';
import { listTree } from './tree.js';

/*
 * Test support (not built): stores filled from the real records the project ships — the OSV,
 * GitHub advisory-database and NVD fixtures of src/feeds/connectors/*\/testdata (origins and
 * licences in their SOURCE files) — through fetch --from, parse, map and merge.
 */

const CONNECTORS = join(import.meta.dirname, '..', '..', 'feeds', 'connectors');
export const OSV_TESTDATA = join(CONNECTORS, 'osv', 'testdata');
export const GHSA_TESTDATA = join(CONNECTORS, 'ghsa', 'testdata', 'advisory-database');
export const NVD_TESTDATA = join(CONNECTORS, 'nvd', 'testdata', 'fkie');

const FETCHED_AT = new Date('2026-11-28T12:00:00.000Z');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `stella-json-export-${prefix}-`));
}

/**
 * A copy of the OSV fixtures in `dir`, without the files `omit` names; `edit` may rewrite a file's
 * text (it returns the new text, or undefined to keep it).
 */
export async function copyOsv(dir: string, omit: readonly string[], edit?: (name: string, text: string) => string | undefined): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(OSV_TESTDATA)) {
    if (!/\.(json|ya?ml)$/.test(name) || omit.includes(name)) continue;
    const changed = edit?.(name, await readFile(join(OSV_TESTDATA, name), 'utf8'));
    if (changed === undefined) await copyFile(join(OSV_TESTDATA, name), join(dir, name));
    else await writeFile(join(dir, name), changed);
  }
}

export interface Sources {
  readonly osv?: string;
  readonly ghsa?: string;
  readonly nvd?: string;
}

/** Runs fetch (--from, offline), parse and map for each source given, then the merge. */
export async function ingest(store: Store, sources: Sources, home: string): Promise<{ removed: number; changed: number }> {
  for (const [name, from] of Object.entries(sources) as [string, string | undefined][]) {
    if (from === undefined) continue;
    const result = await runSource(store, getConnector(name), {
      stellaHome: home, connectorOptions: { from }, http: { offline: true }, now: () => FETCHED_AT, force: true,
    });
    if (result.error !== undefined) throw new Error(`${name}: ${result.error.message}`);
  }
  const merged = await runMerge(store);
  return { removed: merged.removed, changed: merged.changed };
}

/** Every regular file of a tree, by '/'-separated relative path, sorted. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const tree = await listTree(dir);
  if (tree.others.length > 0) throw new Error(`${dir} holds special entries: ${tree.others.join(', ')}`);
  const out = new Map<string, Buffer>();
  for (const path of tree.files) out.set(path, await readFile(join(dir, ...path.split('/'))));
  return out;
}
