import { constants } from 'node:fs';
import { lstat, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AttestError } from './errors.js';
import type { KeyPairPem } from './keys.js';

/** File names as cosign's generate-key-pair writes them. */
export const PRIVATE_KEY_FILE = 'cosign.key';
export const PUBLIC_KEY_FILE = 'cosign.pub';

/**
 * Writes cosign.key (mode 0600) and cosign.pub (0644, as cosign) into `dir`. Neither is touched
 * when either exists, unless `force`; a replaced file is unlinked first, so a symlink in its place
 * is removed rather than followed.
 */
export async function writeKeyPair(dir: string, pair: KeyPairPem, options: { force?: boolean } = {}): Promise<{ privatePath: string; publicPath: string }> {
  const privatePath = path.join(dir, PRIVATE_KEY_FILE);
  const publicPath = path.join(dir, PUBLIC_KEY_FILE);
  if (options.force !== true) {
    for (const file of [privatePath, publicPath]) {
      if (await exists(file)) throw new AttestError('FILE_EXISTS', `${file} already exists (pass --force to overwrite)`);
    }
  }
  await writeNewFile(privatePath, pair.privatePem, 0o600, options.force === true);
  await writeNewFile(publicPath, pair.publicPem, 0o644, options.force === true);
  return { privatePath, publicPath };
}

/** Creates `file` with `mode` less the umask (O_EXCL: never opens an existing file or follows a symlink). */
export async function writeNewFile(file: string, content: string, mode: number, replace: boolean): Promise<void> {
  if (replace) await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  let handle;
  try {
    handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new AttestError('FILE_EXISTS', `${file} already exists`, { cause: error });
    throw error;
  }
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(() => true, (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return false;
    throw error;
  });
}
