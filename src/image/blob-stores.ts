import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ImageError } from './errors.js';
import type { TarIndex } from './tar-index.js';
import type { BlobStore } from './source.js';

/** "sha256:ab…" → "blobs/sha256/ab…", refusing anything that is not a plain digest. */
export function blobPath(digest: string): string {
  const match = /^(sha256|sha512):([a-f0-9]{32,128})$/.exec(digest);
  if (match === null) throw new ImageError('BAD_MANIFEST', `"${digest}" is not a digest`);
  return `blobs/${match[1]}/${match[2]}`;
}

export function verifyBytes(bytes: Buffer, digest: string, where: string): Buffer {
  const [algorithm, expected] = digest.split(':') as [string, string];
  const actual = createHash(algorithm).update(bytes).digest('hex');
  if (actual !== expected) throw new ImageError('DIGEST_MISMATCH', `${where}: blob ${digest} hashes to ${algorithm}:${actual}`);
  return bytes;
}

/** Blobs of an OCI image layout directory. */
export class DirBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async openBlob(digest: string): Promise<Readable> {
    const file = await this.existing(digest);
    return createReadStream(file, { highWaterMark: 1 << 20 });
  }

  async readBlob(digest: string, maxBytes: number): Promise<Buffer> {
    const file = await this.existing(digest);
    const { size } = await stat(file);
    if (size > maxBytes) throw new ImageError('BAD_MANIFEST', `blob ${digest} is ${size} bytes, over the ${maxBytes}-byte limit`);
    return verifyBytes(await readFile(file), digest, this.root);
  }

  async close(): Promise<void> {}

  private async existing(digest: string): Promise<string> {
    const file = join(this.root, blobPath(digest));
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile() !== true) throw new ImageError('NOT_FOUND', `${this.root}: blob ${digest} is missing`);
    return file;
  }
}

/** Blobs inside a tar of an OCI layout (oci-archive, docker save ≥ 25), read in place by byte range. */
export class TarBlobStore implements BlobStore {
  constructor(private readonly tar: TarIndex, private readonly onClose: () => Promise<void> = async () => {}) {}

  async openBlob(digest: string): Promise<Readable> {
    return this.tar.open(this.entry(digest));
  }

  async readBlob(digest: string, maxBytes: number): Promise<Buffer> {
    return verifyBytes(await this.tar.read(this.entry(digest), maxBytes), digest, this.tar.file);
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  private entry(digest: string): NonNullable<ReturnType<TarIndex['get']>> {
    const entry = this.tar.get(blobPath(digest));
    if (entry === undefined) throw new ImageError('NOT_FOUND', `${this.tar.file}: blob ${digest} is missing`);
    return entry;
  }
}
