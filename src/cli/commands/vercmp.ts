import type { Command } from 'commander';
import { checkRange, getScheme, isSchemeName, SCHEME_NAMES, type VersionScheme } from '../../versions/index.js';
import { EXIT, readAll, splitLines, write, type CliIo } from '../io.js';

interface VercmpOptions {
  batch?: boolean;
  in?: string;
}

export function registerVercmp(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('vercmp')
    .description('compare versions with an ecosystem\'s ordering: prints -1, 0 or 1')
    .argument('<scheme>', `one of: ${SCHEME_NAMES.join(' ')}`)
    .argument('[versions...]', 'A B to compare; or one version with --in')
    .option('--batch', 'read "A<TAB>B" lines on stdin, print one result per line (-1, 0, 1 or invalid)')
    .option('--in <range>', 'print affected / not-affected / unknown for a version against a vers: or native range')
    .action(async (schemeName: string, versions: string[], options: VercmpOptions) => {
      setExit(await vercmp(io, schemeName, versions, options));
    });
}

async function vercmp(io: CliIo, schemeName: string, versions: string[], options: VercmpOptions): Promise<number> {
  if (!isSchemeName(schemeName)) {
    await write(io.stderr, `stella vercmp: unknown scheme ${JSON.stringify(schemeName)}; known: ${SCHEME_NAMES.join(' ')}\n`);
    return EXIT.usage;
  }
  const scheme = getScheme(schemeName);
  if (options.batch) {
    if (versions.length > 0 || options.in !== undefined) return usage(io, '--batch takes no version arguments');
    return batch(io, scheme);
  }
  if (options.in !== undefined) {
    const [version, ...rest] = versions;
    if (version === undefined || rest.length > 0) return usage(io, '--in <range> takes exactly one version');
    await write(io.stdout, `${checkRange(scheme, options.in, version)}\n`);
    return EXIT.ok;
  }
  const [a, b, ...rest] = versions;
  if (a === undefined || b === undefined || rest.length > 0) return usage(io, 'expected two versions: <a> <b>');
  try {
    await write(io.stdout, `${scheme.compare(a, b)}\n`);
    return EXIT.ok;
  } catch (error) {
    await write(io.stderr, `stella vercmp: ${(error as Error).message}\n`);
    return EXIT.invalidInput;
  }
}

async function usage(io: CliIo, message: string): Promise<number> {
  await write(io.stderr, `stella vercmp: ${message}\n`);
  return EXIT.usage;
}

/** One result per input line, in order; `invalid` for a line whose versions do not parse. */
async function batch(io: CliIo, scheme: VersionScheme): Promise<number> {
  const lines = splitLines(await readAll(io.stdin));
  const out: string[] = new Array<string>(lines.length);
  let invalid = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const tab = line.indexOf('\t');
    if (tab < 0) {
      out[i] = 'invalid';
      invalid = true;
      continue;
    }
    try {
      out[i] = String(scheme.compare(line.slice(0, tab), line.slice(tab + 1)));
    } catch {
      out[i] = 'invalid';
      invalid = true;
    }
  }
  if (out.length > 0) await write(io.stdout, `${out.join('\n')}\n`);
  return invalid ? EXIT.invalidInput : EXIT.ok;
}
