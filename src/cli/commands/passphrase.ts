import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { write, type CliIo } from '../io.js';

/** A terminal we can read a hidden line from (process.stdin when it is a TTY). */
interface TtyInput extends Readable {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

export class PassphraseUnavailable extends Error {}

/**
 * The private key's passphrase, as cosign gets it: $COSIGN_PASSWORD when set (even empty), else a
 * prompt on the terminal without echo (twice when `confirm`). With neither, a clear error instead
 * of waiting on a pipe.
 */
export async function readPassphrase(io: CliIo, env: NodeJS.ProcessEnv, confirm: boolean): Promise<string> {
  const fromEnv = env.COSIGN_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  const stdin = io.stdin as TtyInput;
  if (stdin.isTTY !== true || typeof stdin.setRawMode !== 'function') {
    throw new PassphraseUnavailable('no passphrase: set COSIGN_PASSWORD, or run on a terminal to be prompted');
  }
  const first = await promptHidden(stdin, io.stderr, 'Enter password for private key: ');
  if (!confirm) return first;
  const again = await promptHidden(stdin, io.stderr, 'Enter password for private key again: ');
  if (first !== again) throw new PassphraseUnavailable('passwords do not match');
  return first;
}

/** Reads one line in raw mode, echoing nothing; Backspace edits, Ctrl-C aborts. */
export async function promptHidden(stdin: TtyInput, stderr: Writable, prompt: string): Promise<string> {
  await write(stderr, prompt);
  const decoder = new StringDecoder('utf8');
  stdin.setRawMode?.(true);
  let line = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer | string): void => {
        for (const char of typeof chunk === 'string' ? chunk : decoder.write(chunk)) {
          if (char === '\r' || char === '\n' || char === '\u0004') return finish(() => resolve(line));
          if (char === '\u0003') return finish(() => reject(new PassphraseUnavailable('aborted')));
          if (char === '\u007f' || char === '\b') line = [...line].slice(0, -1).join('');
          else line += char;
        }
      };
      const onEnd = (): void => finish(() => resolve(line));
      const finish = (settle: () => void): void => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.pause();
        settle();
      };
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
    });
  } finally {
    stdin.setRawMode?.(false);
    await write(stderr, '\n');
  }
}
