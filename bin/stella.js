#!/usr/bin/env node
// Entry point of the `stella` command. `npm run build` (run by `npm ci` / `npm install` through
// `prepare`) compiles src/ to dist/ and bundles the CLI into dist/cli/bundle/ (scripts/bundle.mjs):
// the bundle starts several times faster, since a process loads a handful of files instead of
// hundreds of modules. The unbundled dist/cli/main.js is the fallback.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundled = new URL('../dist/cli/bundle/main.js', import.meta.url);
const plain = new URL('../dist/cli/main.js', import.meta.url);
const main = [bundled, plain].find((url) => existsSync(fileURLToPath(url)));
if (main === undefined) {
  process.stderr.write('stella: dist/ is missing; run `npm ci` (or `npm run build`) in the project root first\n');
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv);
