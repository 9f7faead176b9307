// inspectBolt: a JSON-able look into a bbolt file for `stella db inspect`. Names and keys are
// shown as text when they are valid UTF-8, else as "hex:<hex>"; the same spelling is accepted
// for bucket names and keys in the options.
import { FileSource } from './pages.js';
import { Reader, type BoltReader } from './reader.js';

export interface BoltInspectOptions {
  /** Bucket path; with neither bucket nor key, the top-level buckets are summarized. */
  bucket?: string[];
  /** A key in `bucket`: its value is returned. */
  key?: string;
  /** Most keys and bucket names listed for a bucket (1000 by default). */
  limit?: number;
}

export interface BoltFileSummary {
  kind: 'file';
  pageSize: number;
  txid: string;
  /** Pages in use (the high-water mark) and their bytes. */
  pages: number;
  bytes: number;
  /** Top-level buckets with the number of buckets and values directly inside each. */
  buckets: Array<{ name: string; buckets: number; keys: number }>;
}

export interface BoltBucketListing {
  kind: 'bucket';
  bucket: string[];
  found: boolean;
  bucketCount: number;
  keyCount: number;
  buckets: string[];
  keys: string[];
  /** True when more than `limit` names exist and only the first are listed. */
  truncated: boolean;
}

export interface BoltValue {
  kind: 'value';
  bucket: string[];
  key: string;
  found: boolean;
  /** True when the key names a nested bucket (then there is no value). */
  isBucket: boolean;
  size?: number;
  /** The value parsed as JSON, when it is JSON. */
  json?: unknown;
  /** The value in hex, when it is not JSON. */
  hex?: string;
}

export type BoltInspection = BoltFileSummary | BoltBucketListing | BoltValue;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text when they are valid UTF-8 (and not themselves spelled like hex:…), else hex:<hex>. */
export function nameText(bytes: Uint8Array): string {
  try {
    const text = utf8.decode(bytes);
    if (!text.startsWith('hex:')) return text;
  } catch {
    // not UTF-8: spelled in hex below
  }
  return `hex:${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

export function nameBytes(text: string): Buffer {
  const hex = /^hex:((?:[0-9a-fA-F]{2})+)$/.exec(text);
  return hex === null ? Buffer.from(text, 'utf8') : Buffer.from(hex[1]!, 'hex');
}

function summary(reader: BoltReader, pages: number): BoltFileSummary {
  const buckets = reader.bucketNames().map((name) => {
    let sub = 0;
    let keys = 0;
    for (const entry of reader.entries([name])) {
      if (entry.value === null) sub++;
      else keys++;
    }
    return { name: nameText(name), buckets: sub, keys };
  });
  return { kind: 'file', pageSize: reader.pageSize, txid: reader.txid.toString(), pages, bytes: pages * reader.pageSize, buckets };
}

function listing(reader: BoltReader, path: Buffer[], names: string[], limit: number): BoltBucketListing {
  const out: BoltBucketListing = { kind: 'bucket', bucket: names, found: path.length === 0, bucketCount: 0, keyCount: 0, buckets: [], keys: [], truncated: false };
  for (const entry of reader.entries(path)) {
    out.found = true;
    const isBucket = entry.value === null;
    const count = isBucket ? ++out.bucketCount : ++out.keyCount;
    if (count <= limit) (isBucket ? out.buckets : out.keys).push(nameText(entry.key));
    else out.truncated = true;
  }
  if (!out.found) out.found = reader.bucketNames(path.slice(0, -1)).some((n) => n.equals(path[path.length - 1]!));
  return out;
}

function value(reader: BoltReader, path: Buffer[], names: string[], key: string): BoltValue {
  const k = nameBytes(key);
  const out: BoltValue = { kind: 'value', bucket: names, key, found: false, isBucket: false };
  for (const entry of reader.entries(path, { prefix: k })) {
    if (!entry.key.equals(k)) break;
    out.found = true;
    if (entry.value === null) {
      out.isBucket = true;
      return out;
    }
    out.size = entry.value.length;
    try {
      out.json = JSON.parse(utf8.decode(entry.value)) as unknown;
    } catch {
      out.hex = entry.value.toString('hex');
    }
  }
  return out;
}

/** Summarizes a bbolt file, lists a bucket, or shows one value (see BoltInspectOptions). */
export function inspectBolt(path: string, options: BoltInspectOptions = {}): BoltInspection {
  const reader = new Reader(new FileSource(path));
  try {
    const names = options.bucket ?? [];
    const bucket = names.map(nameBytes);
    if (options.key !== undefined) return value(reader, bucket, names, options.key);
    if (options.bucket !== undefined) return listing(reader, bucket, names, options.limit ?? 1000);
    return summary(reader, reader.meta.pgid);
  } finally {
    reader.close();
  }
}
