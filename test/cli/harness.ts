import { PassThrough, Readable } from 'node:stream';
import { run } from '../../src/cli/main.js';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with `args` and `stdin`, capturing both output streams. */
export async function stella(args: string[], stdin = ''): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const status = await run(['node', 'stella', ...args], { stdin: Readable.from([stdin]), stdout, stderr });
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
