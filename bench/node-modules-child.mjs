// node bench/node-modules-child.mjs scan|walk <tree>: one measured job in a fresh process.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const [mode, tree] = process.argv.slice(2);

async function walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path);
    else if (entry.name === 'package.json') JSON.parse(await readFile(path, 'utf8'));
  }
}

const start = process.hrtime.bigint();
let packages;
if (mode === 'walk') {
  await walk(tree);
} else {
  const { scanImage } = await import('../dist/scan/index.js');
  const inventory = await scanImage(`dir:${tree}`, { cache: false });
  packages = inventory.packages.length;
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, packages }));
