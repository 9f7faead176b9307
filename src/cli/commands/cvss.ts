import type { Command } from 'commander';
import { EXIT, readAll, splitLines, write, type CliIo } from '../io.js';

export function registerCvss(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('cvss')
    .description('score CVSS v2 / v3.0 / v3.1 / v4.0 vectors: one JSON object per line')
    .argument('[vectors...]', 'vectors to score')
    .option('--batch', 'read vectors on stdin, one per line')
    .action(async (vectors: string[], options: { batch?: boolean }) => {
      if (options.batch === true && vectors.length > 0) {
        await write(io.stderr, 'stella cvss: --batch takes no vector arguments\n');
        return setExit(EXIT.usage);
      }
      const input = options.batch === true ? splitLines(await readAll(io.stdin)) : vectors;
      if (input.length === 0) {
        await write(io.stderr, 'stella cvss: no vectors given\n');
        return setExit(EXIT.usage);
      }
      setExit(await scoreAll(io, input));
    });
}

async function scoreAll(io: CliIo, vectors: string[]): Promise<number> {
  // Loaded when the command runs, not at CLI start.
  const { scoreVector } = await import('../../cvss/index.js');
  let invalid = false;
  const out: string[] = [];
  for (const vector of vectors) {
    try {
      out.push(JSON.stringify(scoreVector(vector)));
    } catch (error) {
      invalid = true;
      out.push(JSON.stringify({ vector, error: (error as Error).message }));
    }
  }
  await write(io.stdout, `${out.join('\n')}\n`);
  return invalid ? EXIT.invalidInput : EXIT.ok;
}
