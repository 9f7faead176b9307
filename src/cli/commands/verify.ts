import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EXIT, write, type CliIo } from '../io.js';
import { isFileError } from './sign.js';

// Loaded when the command runs, not at CLI start.
const attest = () => import('../../attest/index.js');

interface VerifyOptions {
  key: string;
  signature?: string;
  bundle?: string;
}

export function registerVerify(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('verify')
    .description('verify a file against a public key, offline: exit 0 when valid, 1 (reason on stderr) when not')
    .argument('<file>', 'the signed file')
    .requiredOption('--key <cosign.pub>', 'trusted public key (PEM)')
    .option('--signature <file>', 'cosign blob signature (base64)')
    .option('--bundle <file>', 'Sigstore bundle (stella sign --bundle, cosign --bundle); Rekor entries in it are not checked')
    .action(async (file: string, options: VerifyOptions) => setExit(await verifyCommand(io, file, options)));
}

async function verifyCommand(io: CliIo, file: string, options: VerifyOptions): Promise<number> {
  if ((options.signature === undefined) === (options.bundle === undefined)) {
    await write(io.stderr, 'stella verify: give exactly one of --signature or --bundle\n');
    return EXIT.usage;
  }
  const a = await attest();
  let result: import('../../attest/index.js').VerifyResult;
  try {
    const key = a.loadPublicKey(await readFile(options.key, 'utf8'));
    if (options.signature !== undefined) {
      result = await a.verifyBlobFile(file, await readFile(options.signature, 'utf8'), key);
    } else if (options.bundle !== undefined) {
      const bundle = parseJson(await readFile(options.bundle, 'utf8'));
      result = bundle === undefined ? a.failure('MALFORMED', `${options.bundle} is not JSON`) : await a.verifyBundle(bundle, key, await readFile(file));
    } else {
      return EXIT.usage;
    }
  } catch (error) {
    if (error instanceof a.AttestError || isFileError(error)) {
      await write(io.stderr, `stella verify: ${(error as Error).message}\n`);
      return EXIT.failure;
    }
    throw error;
  }
  if (!result.ok) {
    await write(io.stderr, `stella verify: ${file}: verification FAILED: ${result.reason}\n`);
    await write(io.stdout, `${JSON.stringify({ file, verified: false, code: result.code, reason: result.reason })}\n`);
    return EXIT.failure;
  }
  await write(io.stderr, 'Verified OK\n');
  await write(io.stdout, `${JSON.stringify({ file, verified: true })}\n`);
  return EXIT.ok;
}

/** undefined for text that is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
