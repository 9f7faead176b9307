import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { ImageError } from './errors.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Compression by magic bytes, whatever the media type says. */
export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** Called with running byte counts; returns an error to abort the stream (bomb limits). */
export type ByteGuard = (compressed: number, uncompressed: number) => Error | undefined;

/**
 * The uncompressed layer stream handed out by sources and consumed by walkLayer. It counts both
 * sides (so walkLayer can enforce ratio limits) and, when told, checks the uncompressed bytes
 * against the layer's diffID.
 */
export class LayerStream extends Transform {
  compressedBytes = 0;
  uncompressedBytes = 0;
  guard: ByteGuard | undefined;
  private readonly hash: Hash | undefined;

  constructor(private readonly label: string, private readonly diffId?: string) {
    super({ readableHighWaterMark: 1 << 20, writableHighWaterMark: 1 << 20 });
    this.hash = diffId === undefined ? undefined : createHash('sha256');
  }

  /** Checks limits now (also called by the zstd decoder per block, before buffering output). */
  check(extra = 0): Error | undefined {
    return this.guard?.(this.compressedBytes, this.uncompressedBytes + extra);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.uncompressedBytes += chunk.length;
    const error = this.check();
    if (error !== undefined) return done(error);
    this.hash?.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.hash === undefined || this.diffId === undefined) return done();
    const actual = `sha256:${this.hash.digest('hex')}`;
    if (actual === this.diffId) return done();
    done(new ImageError('DIGEST_MISMATCH', `${this.label}: uncompressed content is ${actual}, diff_id says ${this.diffId}`));
  }
}

/** Counts (and optionally hashes) the stored blob bytes on their way in. */
class BlobCounter extends Transform {
  private readonly hash: Hash | undefined;
  private readonly algorithm: string;
  private readonly expected: string;

  constructor(private readonly meter: LayerStream, private readonly label: string, digest: string | undefined) {
    super({ highWaterMark: 1 << 20 });
    [this.algorithm, this.expected] = splitDigest(digest);
    this.hash = this.algorithm === '' ? undefined : createHash(this.algorithm);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.meter.compressedBytes += chunk.length;
    this.hash?.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.hash === undefined) return done();
    const actual = this.hash.digest('hex');
    if (actual === this.expected) return done();
    done(new ImageError('DIGEST_MISMATCH', `${this.label}: blob is ${this.algorithm}:${actual}, expected ${this.algorithm}:${this.expected}`));
  }
}

function splitDigest(digest: string | undefined): [string, string] {
  if (digest === undefined) return ['', ''];
  const match = /^(sha256|sha512):([a-f0-9]+)$/.exec(digest);
  if (match === null) throw new ImageError('BAD_MANIFEST', `unsupported digest "${digest}"`);
  return [match[1] as string, match[2] as string];
}

/** zstd through fzstd (pure JS); the guard runs per decoded block, so a bomb never piles up output. */
class ZstdDecompress extends Transform {
  private readonly decoder: Decompress;

  constructor(private readonly meter: LayerStream) {
    super({ highWaterMark: 1 << 20 });
    this.decoder = new Decompress((data) => {
      const error = this.meter.check(this.readableLength + data.length);
      if (error !== undefined) throw error;
      if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.length));
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.feed(() => this.decoder.push(chunk), done);
  }

  override _flush(done: TransformCallback): void {
    this.feed(() => this.decoder.push(new Uint8Array(0), true), done);
  }

  private feed(step: () => void, done: TransformCallback): void {
    try {
      step();
      done();
    } catch (error) {
      done(error instanceof ImageError ? error : new ImageError('CORRUPT_LAYER', `zstd: ${(error as Error).message}`, { cause: error }));
    }
  }
}

export interface DecodeOptions {
  /** Names the layer in errors, e.g. "layer 2 (sha256:…)". */
  readonly label: string;
  /** Digest of the stored blob, verified while streaming. */
  readonly digest?: string;
  /** diffID of the uncompressed tar, verified while streaming. */
  readonly diffId?: string;
}

/**
 * Stored blob → uncompressed tar bytes. Compression is detected from the first bytes; digests are
 * checked as the bytes go by and a mismatch errors the stream at its end (DIGEST_MISMATCH).
 */
export function decodeLayer(raw: Readable, options: DecodeOptions): LayerStream {
  const skipDiff = options.diffId !== undefined && options.diffId === options.digest;
  const meter = new LayerStream(options.label, skipDiff ? undefined : options.diffId);
  const counter = new BlobCounter(meter, options.label, options.digest);
  const fail = (error: Error): void => {
    raw.destroy();
    meter.destroy(error instanceof ImageError ? error : new ImageError('CORRUPT_LAYER', `${options.label}: ${error.message}`, { cause: error }));
  };
  raw.on('error', fail);
  counter.on('error', fail);
  raw.pipe(counter);
  readHead(counter, 4, (head) => {
    const decoder = makeDecoder(sniffCompression(head), meter);
    if (decoder !== undefined) decoder.on('error', fail);
    const first = decoder ?? meter;
    if (head.length > 0) first.write(head);
    if (decoder !== undefined) {
      counter.pipe(decoder);
      decoder.pipe(meter);
    } else {
      counter.pipe(meter);
    }
  });
  meter.once('close', () => raw.destroy());
  return meter;
}

function makeDecoder(kind: Compression, meter: LayerStream): Transform | undefined {
  switch (kind) {
    case 'gzip':
      return createGunzip({ chunkSize: 64 * 1024 });
    case 'zstd':
      return new ZstdDecompress(meter);
    case 'none':
      return undefined;
  }
}

/** Reads at least `want` bytes (or to the end) before handing over; the stream stays paused. */
function readHead(stream: Readable, want: number, then: (head: Buffer) => void): void {
  const parts: Buffer[] = [];
  let length = 0;
  const finish = (): void => {
    stream.off('readable', onReadable);
    stream.off('end', finish);
    then(Buffer.concat(parts, length));
  };
  const onReadable = (): void => {
    let chunk: Buffer | null;
    while (length < want && (chunk = stream.read() as Buffer | null) !== null) {
      parts.push(chunk);
      length += chunk.length;
    }
    if (length >= want) finish();
  };
  stream.on('readable', onReadable);
  stream.on('end', finish);
}
