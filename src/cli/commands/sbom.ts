import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Inventory } from '../../inventory/index.js';
// Loaded when the command runs, not at CLI start.
const sbomModule = () => import('../../sbom/index.js');
import { EXIT, write, type CliIo } from '../io.js';

interface DiffOptions {
  format: string;
  exitCode?: string;
}

export function registerSbom(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const sbom = program.command('sbom').description('work with SBOM files (CycloneDX, SPDX 2/3, Syft JSON, Trivy JSON)');
  sbom
    .command('diff')
    .description('components added, removed and changed in version from SBOM <a> to SBOM <b> (any two formats)')
    .argument('<a>', 'the old SBOM file')
    .argument('<b>', 'the new SBOM file')
    .option('--format <format>', 'text or json', 'text')
    .option('--exit-code <n>', 'exit with this status when the SBOMs differ')
    .action(async (a: string, b: string, options: DiffOptions) => setExit(await diff(io, a, b, options)));
}

/** Reads one SBOM file; a message (not a stack) on failure. */
async function load(path: string): Promise<Inventory | string> {
  const { MAX_SBOM_BYTES, readSbom, SbomError } = await sbomModule();
  let content: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) return `${path}: not a file`;
    if (info.size > MAX_SBOM_BYTES) return `${path}: ${info.size} bytes exceeds the ${MAX_SBOM_BYTES}-byte limit for SBOMs`;
    content = await readFile(path);
  } catch (error) {
    return `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  try {
    return readSbom(content, { name: path });
  } catch (error) {
    if (error instanceof SbomError) return error.message;
    throw error;
  }
}

function parseExitCode(value: string | undefined): number | undefined | 'invalid' {
  if (value === undefined) return undefined;
  return /^\d{1,3}$/.test(value) && Number(value) <= 255 ? Number(value) : 'invalid';
}

async function diff(io: CliIo, pathA: string, pathB: string, options: DiffOptions): Promise<number> {
  const say = (text: string): Promise<void> => write(io.stderr, `stella sbom diff: ${text}\n`);
  if (options.format !== 'text' && options.format !== 'json') {
    await say(`unknown format ${JSON.stringify(options.format)} (text or json)`);
    return EXIT.usage;
  }
  const exitCode = parseExitCode(options.exitCode);
  if (exitCode === 'invalid') {
    await say(`--exit-code must be an integer from 0 to 255, got ${JSON.stringify(options.exitCode)}`);
    return EXIT.usage;
  }
  const [a, b] = await Promise.all([load(pathA), load(pathB)]);
  const failures = [a, b].filter((x): x is string => typeof x === 'string');
  for (const failure of failures) await say(failure);
  if (typeof a === 'string' || typeof b === 'string') return EXIT.usage;
  for (const issue of [...a.issues, ...b.issues]) await say(`${issue.path ?? ''}: ${issue.message}`);
  const { diffSboms, formatDiffJson, formatDiffText, isEmptyDiff } = await sbomModule();
  const result = diffSboms(a, b);
  await write(io.stdout, options.format === 'json' ? formatDiffJson(result) : formatDiffText(result));
  await say(`${result.added.length} added, ${result.removed.length} removed, ${result.changed.length} changed`);
  return exitCode !== undefined && !isEmptyDiff(result) ? exitCode : EXIT.ok;
}
