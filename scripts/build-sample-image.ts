// Builds samples/sample-image.tar (docker-archive) from samples/image/{base,old,app}/, one layer each,
// deterministically: `node --import tsx scripts/build-sample-image.ts [out]`. The result is committed;
// test/cli/sample-image.test.ts checks that rebuilding gives the same bytes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDockerArchive, type LayerEntry } from '../test/support/image-builder.js';

const ROOT = fileURLToPath(new URL('../samples/image/', import.meta.url));
export const SAMPLE_LAYERS = ['base', 'old', 'app'];

function entriesOf(dir: string): LayerEntry[] {
  const out: LayerEntry[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const rel = relative(dir, full).split(sep).join('/');
      if (statSync(full).isDirectory()) {
        out.push({ path: `${rel}/`, type: 'dir', mode: 0o755 });
        walk(full);
      } else {
        out.push({ path: rel, type: 'file', content: readFileSync(full), mode: 0o644 });
      }
    }
  };
  walk(dir);
  return out;
}

export async function buildSampleImage(out: string): Promise<void> {
  await writeDockerArchive(out, [{
    layers: SAMPLE_LAYERS.map((layer) => ({ entries: entriesOf(join(ROOT, layer)), compression: 'gzip' as const })),
    tags: ['stella-ops/sample:1'],
  }]);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildSampleImage(process.argv[2] ?? fileURLToPath(new URL('../samples/sample-image.tar', import.meta.url)));
}
