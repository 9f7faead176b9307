import { AttestError } from './errors.js';

export interface PemBlock {
  type: string;
  bytes: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/;

/** The first PEM block in `text` (text before it is ignored, as Go's pem.Decode does). */
export function decodePem(text: string): PemBlock {
  const match = BLOCK.exec(text);
  if (match === null) throw new AttestError('BAD_PEM', 'no PEM block found');
  const body = match[2] ?? '';
  if (/^[A-Za-z-]+:/m.test(body)) throw new AttestError('BAD_PEM', `PEM block ${match[1]} has headers, which are not supported`);
  const compact = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new AttestError('BAD_PEM', `PEM block ${match[1]} is not valid base64`);
  }
  return { type: match[1] ?? '', bytes: Buffer.from(compact, 'base64') };
}

/** A PEM block laid out as Go's pem.Encode writes it: 64-column base64, trailing newline. */
export function encodePem(type: string, bytes: Uint8Array): string {
  const body = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
