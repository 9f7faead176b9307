import type { Readable, Writable } from 'node:stream';

/** The streams a command talks to; tests pass their own. stdout is machine output only. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export const processIo: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

/** Exit statuses shared by every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2, invalidInput: 3 } as const;

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Splits text into lines, dropping the one empty string after a final newline; strips CR. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

export function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
