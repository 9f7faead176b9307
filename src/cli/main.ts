import { Command, CommanderError } from 'commander';
import { registerCvss } from './commands/cvss.js';
import { registerCheck } from './commands/check.js';
import { registerVercmp } from './commands/vercmp.js';
import { registerScan } from './commands/scan.js';
import { registerSbom } from './commands/sbom.js';
import { registerDb } from './commands/db.js';
import { registerAdvisory } from './commands/advisory.js';
import { registerServe } from './commands/serve.js';
import { registerKey } from './commands/key.js';
import { registerSign } from './commands/sign.js';
import { registerVerify } from './commands/verify.js';
import { registerWorker } from './commands/worker.js';
import { registerToken } from './commands/token.js';
import { EXIT, processIo, type CliIo } from './io.js';

export const VERSION = '0.1.0';

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('stella')
    .description('Stella Ops: SBOM-first container security (offline-capable)')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerVercmp(program, io, setExit);
  registerCvss(program, io, setExit);
  registerCheck(program, io, setExit);
  registerScan(program, io, setExit, VERSION);
  registerSbom(program, io, setExit);
  registerDb(program, io, setExit);
  registerAdvisory(program, io, setExit);
  registerServe(program, io, setExit, VERSION);
  registerWorker(program, io, setExit);
  registerToken(program, io, setExit);
  registerKey(program, io, setExit);
  registerSign(program, io, setExit);
  registerVerify(program, io, setExit);
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and resolves to the exit status. */
export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  let status: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    status = code;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exitCode 0; usage errors with 1.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.stderr.write(`stella: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failure;
  }
  return status;
}
