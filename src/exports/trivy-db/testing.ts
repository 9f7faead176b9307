// Test support (not part of the build surface): reading an export back the way trivy would, and
// the real-bbolt lookup program in testdata/trivylookup, built offline against Debian's bbolt
// 1.3.6 sources once per process.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { openBolt, type BoltReader } from '../../bolt/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const TESTDATA = join(HERE, 'testdata');
const GOCODE = '/usr/share/gocode/src';

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

/** Why the Go lookup program cannot be built here, or undefined. */
export function goMissing(): string | undefined {
  const probe = spawnSync('go', ['version'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) return 'the "go" command is not installed';
  for (const dir of ['go.etcd.io/bbolt', 'golang.org/x/sys/unix']) {
    if (!existsSync(join(GOCODE, dir))) return `${join(GOCODE, dir)} is missing (apt-get install golang-github-coreos-bbolt-dev)`;
  }
  return undefined;
}

const GO_MOD = `module example.com/trivylookup

go 1.19

require go.etcd.io/bbolt v1.3.6

require golang.org/x/sys v0.0.0-20200923182605-d9f96fdee20d // indirect

replace (
\tgo.etcd.io/bbolt => ${GOCODE}/go.etcd.io/bbolt
\tgolang.org/x/sys => ${GOCODE}/golang.org/x/sys
)
`;

let built: string | undefined;

function trivyLookupBinary(): string {
  if (built !== undefined) return built;
  const dir = mkdtempSync(join(tmpdir(), 'stella-trivylookup-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'src');
  mkdirSync(src);
  copyFileSync(join(TESTDATA, 'trivylookup', 'main.go'), join(src, 'main.go'));
  writeFileSync(join(src, 'go.mod'), GO_MOD);
  const env = {
    ...process.env, GOPROXY: 'off', GOFLAGS: '-mod=mod', GO111MODULE: 'on', CGO_ENABLED: '0',
    GOCACHE: join(dir, 'gocache'), GOPATH: join(dir, 'gopath'), GOTOOLCHAIN: 'local',
  };
  const out = join(dir, 'trivylookup');
  const run = spawnSync('go', ['build', '-o', out, '.'], { cwd: src, env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`go build of trivylookup failed: ${run.stderr}${run.error?.message ?? ''}`);
  built = out;
  return out;
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
