import { lstat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT, write, type CliIo } from '../io.js';
import { PassphraseUnavailable, readPassphrase } from './passphrase.js';

// Loaded when the command runs, not at CLI start.
const attest = () => import('../../attest/index.js');

interface GenerateOptions {
  out: string;
  force?: boolean;
}

export function registerKey(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const key = program.command('key').description('signing keys (cosign-compatible)');
  key.command('generate')
    .description('write an ECDSA P-256 key pair: cosign.key (encrypted, 0600) and cosign.pub; paths as JSON on stdout')
    .option('--out <dir>', 'directory to write into', '.')
    .option('--force', 'overwrite an existing cosign.key / cosign.pub')
    .addHelpText('after', '\nThe passphrase comes from $COSIGN_PASSWORD when set, else from a prompt on the terminal.')
    .action(async (options: GenerateOptions) => setExit(await generate(io, options)));
}

async function generate(io: CliIo, options: GenerateOptions): Promise<number> {
  const { AttestError, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, generateKeyPair, publicKeyHint, loadPublicKey, writeKeyPair } = await attest();
  try {
    await mkdir(options.out, { recursive: true });
    // Refused before the prompt, not after the passphrase was typed twice.
    for (const file of [PRIVATE_KEY_FILE, PUBLIC_KEY_FILE].map((name) => path.join(options.out, name))) {
      if (options.force !== true && (await exists(file))) throw new AttestError('FILE_EXISTS', `${file} already exists (pass --force to overwrite)`);
    }
    const passphrase = await readPassphrase(io, process.env, true);
    if (passphrase === '') await write(io.stderr, 'stella key generate: warning: the private key is encrypted with an empty passphrase\n');
    const pair = await generateKeyPair(passphrase);
    const written = await writeKeyPair(options.out, pair, { force: options.force === true });
    await write(io.stderr, `Private key written to ${written.privatePath}\nPublic key written to ${written.publicPath}\n`);
    const hint = publicKeyHint(loadPublicKey(pair.publicPem));
    await write(io.stdout, `${JSON.stringify({ privateKey: written.privatePath, publicKey: written.publicPath, keyHint: hint })}\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof AttestError || error instanceof PassphraseUnavailable) {
      await write(io.stderr, `stella key generate: ${error.message}\n`);
      return EXIT.failure;
    }
    throw error;
  }
}

function exists(file: string): Promise<boolean> {
  return lstat(file).then(() => true, () => false);
}
