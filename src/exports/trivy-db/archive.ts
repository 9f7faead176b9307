import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlibConstants } from 'node:zlib';
import { pack as tarPack, type Pack } from 'tar-stream';

/*
 * db.tar.gz as trivy-db's Makefile makes it (`tar cvzf db.tar.gz -C assets trivy.db metadata.json`):
 * the two files at the archive root, in that order. Deterministic: mtime 0, uid/gid 0, no user or
 * group names, mode 0644, and a gzip header with no name and mtime 0 (node:zlib writes none), at a
 * fixed compression level. The files are streamed, never held whole in memory.
 */

export interface ArchiveFile {
  /** Name inside the archive. */
  readonly name: string;
  /** Where the bytes are. */
  readonly path: string;
}

export interface WrittenArchive {
  /** `sha256:<hex>` of the gzip bytes. */
  readonly digest: string;
  readonly size: number;
}

function counting(hash: Hash, onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
}

async function addFile(pack: Pack, file: ArchiveFile): Promise<void> {
  const { size } = await stat(file.path);
  await new Promise<void>((resolve, reject) => {
    const header = { name: file.name, size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '', type: 'file' as const };
    const sink = pack.entry(header, (e) => (e ? reject(e) : resolve()));
    createReadStream(file.path).on('error', reject).pipe(sink);
  });
}

/** Writes the files as a deterministic gzip-compressed tar at `out`. */
export async function writeDbArchive(files: readonly ArchiveFile[], out: string): Promise<WrittenArchive> {
  const hash = createHash('sha256');
  let size = 0;
  const pack = tarPack();
  const written = pipeline(pack, createGzip({ level: zlibConstants.Z_BEST_COMPRESSION }), counting(hash, (n) => { size += n; }), createWriteStream(out));
  try {
    for (const file of files) await addFile(pack, file);
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
  await written;
  return { digest: `sha256:${hash.digest('hex')}`, size };
}
