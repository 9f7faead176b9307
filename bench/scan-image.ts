// Builds the benchmark image once (an OCI layout under .stella/bench/, reused across runs):
// a small base layer with real dpkg data, one ~1 GiB layer of 16,384 files, and a layer that
// rewrites the dpkg status file. Written as a stream: the bench never holds a layer in memory.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

export const BENCH_DIR = join('.stella', 'bench');
export const BENCH_IMAGE = join(BENCH_DIR, 'oci-1g');
const BIG_FILES = 16_384;
const FILE_SIZE = 64 * 1024;

interface LayerFile {
  path: string;
  content: Buffer;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (c) => hash.update(c)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}

// Seeded xorshift text: compresses like real text, never like a run of zeros.
function textBlock(seed: number, size: number): Buffer {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz      ETAOIN0123456789\n.,-_/';
  const out = Buffer.alloc(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = alphabet.charCodeAt((x >>> 0) % alphabet.length);
  }
  return out;
}

/** Writes one gzip layer; returns its blob digest, diffID and size. */
async function writeLayer(dir: string, files: Iterable<LayerFile>): Promise<{ digest: string; diffId: string; size: number }> {
  const pack = tar.pack();
  const diff = createHash('sha256');
  const tap = new Transform({ transform(chunk: Buffer, _e, cb) { diff.update(chunk); cb(null, chunk); } });
  const temp = join(dir, 'layer.tmp');
  const done = pipeline(pack, tap, createGzip({ level: 1 }), createWriteStream(temp));
  for (const file of files) {
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry({ name: file.path, size: file.content.length, mtime: new Date(0), mode: 0o644 }, (error) => (error ? reject(error) : resolve()));
      entry.end(file.content);
    });
  }
  pack.finalize();
  await done;
  const digest = await sha256File(temp);
  const size = readFileSync(temp).length;
  renameSync(temp, join(dir, 'blobs', 'sha256', digest));
  return { digest: `sha256:${digest}`, diffId: `sha256:${diff.digest('hex')}`, size };
}

function* bigFiles(): Iterable<LayerFile> {
  const blocks = Array.from({ length: 8 }, (_, i) => textBlock(i + 1, FILE_SIZE));
  for (let i = 0; i < BIG_FILES; i++) {
    yield { path: `opt/data/${String(i % 64).padStart(2, '0')}/file-${i}.txt`, content: blocks[i % blocks.length]! };
  }
}

function writeBlob(dir: string, content: string): { digest: string; size: number } {
  const digest = createHash('sha256').update(content).digest('hex');
  writeFileSync(join(dir, 'blobs', 'sha256', digest), content);
  return { digest: `sha256:${digest}`, size: Buffer.byteLength(content) };
}

/** The bench image's path, building it on first use (about a minute). */
export async function benchImage(): Promise<string> {
  if (existsSync(join(BENCH_IMAGE, 'index.json'))) return BENCH_IMAGE;
  const dir = `${BENCH_IMAGE}.partial`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  process.stderr.write('bench: building the 1 GiB benchmark image (once)…\n');
  const status = readFileSync('test/scan/testdata/bench-dpkg-status', 'utf8');
  const stanzas = status.split('\n\n');
  const osRelease = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
  const layers = [
    await writeLayer(dir, [
      { path: 'usr/lib/os-release', content: Buffer.from(osRelease) },
      { path: 'var/lib/dpkg/status', content: Buffer.from(stanzas.slice(0, Math.floor(stanzas.length / 2)).join('\n\n')) },
    ]),
    await writeLayer(dir, bigFiles()),
    await writeLayer(dir, [{ path: 'var/lib/dpkg/status', content: Buffer.from(status) }]),
  ];
  const config = writeBlob(dir, JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }));
  const manifest = writeBlob(dir, JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
  }));
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }] }));
  renameSync(dir, BENCH_IMAGE);
  return BENCH_IMAGE;
}

