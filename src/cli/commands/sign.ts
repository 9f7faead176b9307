import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT, write, type CliIo } from '../io.js';
import { PassphraseUnavailable, readPassphrase } from './passphrase.js';

// Loaded when the command runs, not at CLI start (@sigstore/sign alone takes ~0.1 s to load).
const attest = () => import('../../attest/index.js');

/** The predicate of `stella sign --bundle`: a statement that names the file; nothing else is claimed. */
export const SIGNED_FILE_PREDICATE = 'https://stella-ops.org/attestations/signed-file/v1';

interface SignOptions {
  key: string;
  output?: string;
  bundle?: boolean;
}

export function registerSign(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('sign')
    .description('sign a file with a cosign key: a blob signature (cosign verify-blob accepts it) or, with --bundle, a Sigstore bundle')
    .argument('<file>', 'file to sign')
    .requiredOption('--key <cosign.key>', 'encrypted private key (stella key generate, cosign generate-key-pair)')
    .option('--output <file>', 'where to write ("-" for stdout; default <file>.sig, or <file>.sigstore.json with --bundle)')
    .option('--bundle', 'write a Sigstore bundle v0.3: a DSSE envelope around an in-toto statement naming the file')
    .addHelpText('after', '\nThe passphrase comes from $COSIGN_PASSWORD when set, else from a prompt on the terminal.')
    .action(async (file: string, options: SignOptions) => setExit(await signCommand(io, file, options)));
}

async function signCommand(io: CliIo, file: string, options: SignOptions): Promise<number> {
  const a = await attest();
  try {
    const pem = await readFile(options.key, 'utf8');
    const key = await a.loadPrivateKey(pem, await readPassphrase(io, process.env, false));
    const output = options.output ?? `${file}${options.bundle === true ? '.sigstore.json' : '.sig'}`;
    const text = options.bundle === true ? await bundleFor(a, file, key) : await a.signBlobFile(file, key);
    if (output === '-') {
      await write(io.stdout, `${text}\n`);
      return EXIT.ok;
    }
    // As cosign: signature and bundle files 0600, an earlier one replaced.
    await a.writeNewFile(output, text, 0o600, true);
    await write(io.stderr, `${options.bundle === true ? 'Bundle' : 'Signature'} written to ${output}\n`);
    await write(io.stdout, `${JSON.stringify({ file, [options.bundle === true ? 'bundle' : 'signature']: output })}\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof a.AttestError || error instanceof PassphraseUnavailable || isFileError(error)) {
      await write(io.stderr, `stella sign: ${(error as Error).message}\n`);
      return EXIT.failure;
    }
    throw error;
  }
}

async function bundleFor(a: Awaited<ReturnType<typeof attest>>, file: string, key: import('node:crypto').KeyObject): Promise<string> {
  const { sha256 } = await a.sha256File(file);
  const statement = a.inTotoStatement([{ name: path.basename(file), sha256 }], SIGNED_FILE_PREDICATE, {});
  const bundle = await a.signDsse(a.statementBytes(statement), a.IN_TOTO_PAYLOAD_TYPE, key);
  return JSON.stringify(bundle);
}

export function isFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}
