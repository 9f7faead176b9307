// Test support (not part of the build surface): reading an export back the way trivy would, and
// the real-bbolt lookup program in testdata/trivylookup, built offline against Debian's bbolt
// 1.3.6 sources once per process.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { openBolt, type BoltReader } from '../../bolt/index.js';
import { buildBboltProgram, goMissing } from '../../../test/support/go-bbolt.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const TESTDATA = join(HERE, 'testdata');

export interface TarEntry {
  readonly header: Header;
  readonly body: Buffer;
}

/** Every entry of a .tar.gz, in order. */
export async function readTarGz(bytes: Buffer): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const ex = extract();
  ex.end(gunzipSync(bytes));
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    out.push({ header: entry.header, body: Buffer.concat(chunks) });
  }
  return out;
}

export interface Found {
  readonly root: string;
  readonly source: unknown;
  readonly content: unknown;
}

/**
 * trivy's pkg/db forEach over our reader: a name containing "::" selects every top-level bucket
 * starting with it (Seek on the root), else the exact bucket; empty values are skipped.
 */
export function trivyLookup(reader: BoltReader, bucket: string, pkg: string): Record<string, Found> {
  const roots = bucket.includes('::')
    ? [...reader.entries([], { prefix: bucket })].map((e) => e.key.toString('utf8'))
    : [bucket];
  const found: Record<string, Found> = {};
  for (const root of roots) {
    const source = reader.get(['data-source'], root);
    for (const entry of reader.entries([root, pkg])) {
      if (entry.value === null || entry.value.length === 0) continue;
      found[entry.key.toString('utf8')] = {
        root, source: source === undefined ? null : JSON.parse(source.toString('utf8')), content: JSON.parse(entry.value.toString('utf8')),
      };
    }
  }
  return found;
}

export function openDb(path: string): BoltReader {
  return openBolt(readFileSync(path));
}

export { goMissing };

function trivyLookupBinary(): string {
  return buildBboltProgram('trivylookup', join(TESTDATA, 'trivylookup', 'main.go'));
}

export interface GoLookupResult {
  readonly check: string[];
  readonly buckets: string[];
  readonly lookups: { bucket: string; pkg: string; found: Record<string, Found> }[];
  readonly vulnerabilities: Record<string, unknown>;
}

/** Real bbolt's answers (testdata/trivylookup/main.go). */
export function goLookup(db: string, query: { lookups: { bucket: string; pkg: string }[]; vulnerabilities: string[] }): GoLookupResult {
  const q = { lookups: query.lookups.map((l) => ({ Bucket: l.bucket, Pkg: l.pkg })), vulnerabilities: query.vulnerabilities };
  const run = spawnSync(trivyLookupBinary(), [db, JSON.stringify(q)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`trivylookup failed: ${run.stderr}${run.error?.message ?? ''}`);
  return JSON.parse(run.stdout) as GoLookupResult;
}
