// The in-memory tree a caller fills before writing. Keys are held as "byte strings" (one char
// per byte, code points 0-255) so JS string order is bbolt's bytewise order and a Map dedups them.
import { BoltError } from './errors.js';
import { MAX_KEY_SIZE, MAX_VALUE_SIZE } from './format.js';

export type BoltBytes = string | Uint8Array;

const NON_ASCII = /[\u0080-\uffff]/;

/** Key bytes as a byte string: ASCII strings are used as they are (their UTF-8 is themselves). */
export function toByteString(key: BoltBytes): string {
  if (typeof key === 'string') return NON_ASCII.test(key) ? Buffer.from(key, 'utf8').toString('latin1') : key;
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

export function bytesOf(value: BoltBytes): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

export function byteLengthOf(value: BoltBytes): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
}

function checkKey(key: string): void {
  if (key.length === 0) throw new BoltError('INVALID_KEY', 'keys must not be empty');
  if (key.length > MAX_KEY_SIZE) throw new BoltError('INVALID_KEY', `key of ${key.length} bytes is longer than bbolt's ${MAX_KEY_SIZE}`);
}

function printable(key: string): string {
  return JSON.stringify(Buffer.from(key, 'latin1').toString('utf8'));
}

/**
 * A bucket to write: values and nested buckets under unique keys. Values are kept by reference
 * (Uint8Array values must not be modified until the tree is written).
 */
export class BoltBucket {
  /** @internal byte-string key → value or nested bucket, in insertion order. */
  readonly entries = new Map<string, BoltBytes | BoltBucket>();
  /** @internal the root holds only buckets, like bbolt's root bucket. */
  readonly isRoot: boolean;

  constructor(isRoot = false) {
    this.isRoot = isRoot;
  }

  /** Gets or creates the nested bucket `name`. */
  bucket(name: BoltBytes): BoltBucket {
    const key = toByteString(name);
    const found = this.entries.get(key);
    if (found instanceof BoltBucket) return found;
    checkKey(key);
    if (found !== undefined) throw new BoltError('KEY_IS_BUCKET', `key ${printable(key)} holds a value, so it cannot also be a bucket`);
    const child = new BoltBucket();
    this.entries.set(key, child);
    return child;
  }

  /** Sets `key` to `value`; the last put wins. */
  put(key: BoltBytes, value: BoltBytes): void {
    if (this.isRoot) throw new BoltError('INVALID_KEY', 'the root bucket holds only buckets; put values into a nested bucket');
    const k = toByteString(key);
    const found = this.entries.get(k);
    if (found === undefined) checkKey(k);
    else if (found instanceof BoltBucket) throw new BoltError('KEY_IS_BUCKET', `key ${printable(k)} is a bucket, so it cannot hold a value`);
    if (typeof value !== 'string' && value.byteLength > MAX_VALUE_SIZE) {
      throw new BoltError('TOO_LARGE', `value of ${value.byteLength} bytes is longer than bbolt's ${MAX_VALUE_SIZE}`);
    }
    this.entries.set(k, value);
  }
}

export function createBoltTree(): BoltBucket {
  return new BoltBucket(true);
}
