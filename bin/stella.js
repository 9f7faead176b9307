#!/usr/bin/env node
// Entry point of the `stella` command. The TypeScript sources are compiled to dist/ by the
// `prepare` script, which `npm ci` / `npm install` run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('stella: dist/ is missing; run `npm ci` (or `npm run build`) in the project root first\n');
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv);
