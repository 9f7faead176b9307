#!/usr/bin/env node
// Bundles the CLI into dist/cli/bundle/ (ESM, code-split at the CLI's lazy imports) so a command
// loads a few files instead of hundreds of modules: start-up is most of a warm scan (issue 6).
// Native and optional-native packages stay external and load from node_modules. The bundle sits
// at the same depth as dist/cli/commands/, so `new URL('../../../samples/', import.meta.url)` in a
// command means the project's samples/ from either place.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/cli/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Native modules, optional plug-ins, and what only the server / signing commands load (loaded
  // from node_modules as usual: their own file lookups, workers and assets keep working).
  external: [
    'better-sqlite3', 'pg', 'pg-native', 'libxmljs2', 'xmlbuilder2', 'xmlbuilder2/*',
    'pino', 'pino/*', 'thread-stream', 'pino-pretty', 'fastify', '@fastify/*', '@sinclair/typebox', '@sinclair/typebox/*',
    'selfsigned', '@peculiar/*', '@sigstore/*', 'tweetnacl', 'jose',
  ],
  // CommonJS dependencies bundled into ESM still use require(), __dirname and __filename.
  banner: {
    js: [
      "import { createRequire as __stellaCreateRequire } from 'node:module';",
      "import { dirname as __stellaDirname } from 'node:path';",
      "import { fileURLToPath as __stellaFileURLToPath } from 'node:url';",
      'const require = __stellaCreateRequire(import.meta.url);',
      'const __filename = __stellaFileURLToPath(import.meta.url);',
      'const __dirname = __stellaDirname(__filename);',
    ].join(' '),
  },
});
