import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EXIT, write, type CliIo } from '../io.js';
import { withStore } from './db.js';
import { PassphraseUnavailable, readPassphrase } from './passphrase.js';
import { isFileError } from './sign.js';

// Loaded when a command runs (the bbolt writer, the exporters and @sigstore are not CLI start-up).
const exportsModule = () => import('../../exports/index.js');
const boltModule = () => import('../../bolt/index.js');
const attestModule = () => import('../../attest/index.js');

export const EXPORT_FORMATS = ['json', 'trivy-db'] as const;

interface ExportOptions {
  format: string;
  out: string;
  delta?: boolean;
  base?: string;
  signKey?: string;
  databaseUrl?: string;
}

interface InspectOptions {
  bucket?: string[];
  key?: string;
  limit?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** `stella db export` and `stella db inspect`, under the `db` command. */
export function registerDbExport(db: Command, io: CliIo, setExit: (code: number) => void): void {
  db.command('export')
    .description('publish the merged advisories: a JSON snapshot tree or a Trivy DB (trivy.db, db.tar.gz, OCI layout); summary JSON on stdout')
    .requiredOption('--format <format>', `export format: ${EXPORT_FORMATS.join(', ')}`)
    .requiredOption('--out <dir>', 'output directory (new or empty)')
    .option('--delta', 'write only what changed since --base')
    .option('--base <dir>', 'the earlier export a --delta extends')
    .option('--sign-key <cosign.key>', 'sign the export: manifest.json.sig and an in-toto statement in a DSSE envelope (passphrase: $COSIGN_PASSWORD or a prompt)')
    .option('--database-url <url>', 'store URL')
    .addHelpText('after', '\nTimestamps come from the last merge or SOURCE_DATE_EPOCH, never the wall clock: the same store exports the same bytes.')
    .action(async (options: ExportOptions) => setExit(await exportCommand(io, options)));

  db.command('inspect')
    .description('read a bbolt file (e.g. a trivy.db): buckets and counts, a bucket\'s keys, or one value (JSON on stdout)')
    .argument('<file>', 'bbolt database file')
    .option('--bucket <name>', 'bucket path, outermost first (repeatable)', collect)
    .option('--key <key>', 'print this key\'s value (parsed as JSON when it is JSON)')
    .option('--limit <n>', 'keys listed per bucket (default 1000)')
    .action(async (file: string, options: InspectOptions) => setExit(await inspectCommand(io, file, options)));
}

async function exportCommand(io: CliIo, options: ExportOptions): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) {
    await write(io.stderr, `stella db export: unknown format ${JSON.stringify(options.format)}; one of ${EXPORT_FORMATS.join(', ')}\n`);
    return EXIT.usage;
  }
  if ((options.delta === true) !== (options.base !== undefined)) {
    await write(io.stderr, 'stella db export: --delta and --base go together\n');
    return EXIT.usage;
  }
  // The key is unlocked first: a wrong passphrase should not cost a whole export.
  let key: import('node:crypto').KeyObject | undefined;
  if (options.signKey !== undefined) {
    const a = await attestModule();
    try {
      key = await a.loadPrivateKey(await readFile(options.signKey, 'utf8'), await readPassphrase(io, process.env, false));
    } catch (error) {
      if (error instanceof a.AttestError || error instanceof PassphraseUnavailable || isFileError(error)) {
        await write(io.stderr, `stella db export: --sign-key: ${(error as Error).message}\n`);
        return EXIT.failure;
      }
      throw error;
    }
  }
  const ex = await exportsModule();
  const delta = options.base === undefined ? {} : { delta: { base: options.base } };
  return withStore(io, options, async (store) => {
    let summary: object;
    try {
      summary = options.format === 'json'
        ? await ex.exportJsonSnapshot(store, { out: options.out, ...delta })
        : await ex.exportTrivyDb(store, { out: options.out, ...delta });
    } catch (error) {
      if (ex.isJsonExportError(error) || ex.isTrivyDbError(error) || isFileError(error)) {
        await write(io.stderr, `stella db export: ${(error as Error).message}\n`);
        return EXIT.failure;
      }
      throw error;
    }
    let signed: { signature: string; statement: string } | undefined;
    if (key !== undefined) {
      const a = await attestModule();
      await a.signExportDir(options.out, key);
      signed = { signature: a.EXPORT_SIGNATURE, statement: a.EXPORT_STATEMENT };
    }
    const { files: _files, ...brief } = summary as { files?: unknown };
    await write(io.stdout, `${JSON.stringify({ format: options.format, ...brief, ...(signed === undefined ? {} : { signed }) }, null, 2)}\n`);
    return EXIT.ok;
  });
}

async function inspectCommand(io: CliIo, file: string, options: InspectOptions): Promise<number> {
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    await write(io.stderr, 'stella db inspect: --limit wants a positive whole number\n');
    return EXIT.usage;
  }
  if (options.key !== undefined && options.bucket === undefined) {
    await write(io.stderr, 'stella db inspect: --key needs --bucket\n');
    return EXIT.usage;
  }
  const { inspectBolt, BoltError } = await boltModule();
  try {
    const result = inspectBolt(file, {
      ...(options.bucket === undefined ? {} : { bucket: options.bucket }),
      ...(options.key === undefined ? {} : { key: options.key }),
      ...(limit === undefined ? {} : { limit }),
    });
    await write(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
    return (result as { found?: boolean }).found === false ? EXIT.failure : EXIT.ok;
  } catch (error) {
    if (error instanceof BoltError || isFileError(error)) {
      await write(io.stderr, `stella db inspect: ${(error as Error).message}\n`);
      return EXIT.failure;
    }
    throw error;
  }
}
