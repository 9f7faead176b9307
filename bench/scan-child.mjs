// Runs one measured job in a fresh process and prints {ms, maxRssMb} on stdout:
//   node bench/scan-child.mjs scan <oci-dir> <stellaHome|-> | baseline <oci-dir>
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

const [mode, image, home] = process.argv.slice(2);

// The baseline: decompress and read through every layer once with node:zlib + tar-stream.
async function readThrough(dir) {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const blob = (d) => join(dir, 'blobs', 'sha256', d.slice('sha256:'.length));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
  for (const layer of manifest.layers) {
    const extract = tar.extract();
    extract.on('entry', (_header, stream, next) => {
      stream.on('end', next);
      stream.resume();
    });
    await pipeline(createReadStream(blob(layer.digest)), createGunzip(), extract);
  }
}

const start = process.hrtime.bigint();
if (mode === 'baseline') {
  await readThrough(image);
} else {
  const { scanImage } = await import('../dist/scan/index.js');
  const inventory = await scanImage(`oci-dir:${image}`, home === '-' ? { cache: false } : { stellaHome: home });
  if (inventory.packages.length < 800) throw new Error(`expected the bench image's ~834 packages, got ${inventory.packages.length}`);
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
