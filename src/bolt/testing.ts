// Test and benchmark support (excluded from the build): builds testdata/boltgo/main.go against
// Debian's bbolt 1.3.6 sources offline, once per process, and runs it.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBboltProgram, goMissing } from '../../test/support/go-bbolt.js';
import { createBoltTree, type BoltBucket, type BoltBytes, type BoltReader } from './index.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'testdata/boltgo/main.go');

export { goMissing };

/** Path of the boltgo binary, built on first use. */
export function boltGo(): string {
  return buildBboltProgram('boltgo', SOURCE);
}

/** Runs boltgo with `args`; returns stdout (throws with stderr on failure). */
export function runBoltGo(args: string[]): string {
  const run = spawnSync(boltGo(), args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`boltgo ${args.join(' ')} failed: ${run.stderr}${run.error?.message ?? ''}`);
  return run.stdout;
}

export interface GoEntry {
  /** Bucket path, hex. */
  p: string[];
  k: string;
  /** Value hex, or null for a nested bucket. */
  v: string | null;
}

export interface GoBucketStats {
  p: string[];
  s: Record<string, number>;
  seq: number;
}

export interface GoDump {
  check: string[];
  walk: string[];
  pageSize: number;
  txid: number;
  size: number;
  entries: GoEntry[];
  stats: GoBucketStats[];
}

/** bbolt's view of a file: tx.Check() errors, a key-order walk, every entry, Stats() per bucket. */
export function goDump(file: string): GoDump {
  return JSON.parse(runBoltGo(['dump', file])) as GoDump;
}

/** Writes `entries` (in order) with real bbolt in one transaction. */
export function goWrite(entries: GoEntry[], file: string, options: { pageSize?: number; fill?: number } = {}): void {
  const spec = join(dirname(file), `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.spec.json`);
  writeFileSync(spec, JSON.stringify({ pageSize: options.pageSize ?? 4096, fill: options.fill ?? 0.5, entries }));
  try {
    runBoltGo(['write', spec, file]);
  } finally {
    rmSync(spec, { force: true });
  }
}

/* ---------- tree fixtures shared by the tests ---------- */

/** One step of building a tree: put `value` at path/key, or (value null) create bucket path/key. */
export interface TreeOp {
  path: BoltBytes[];
  key: BoltBytes;
  value: BoltBytes | null;
}

export function op(path: BoltBytes[], key: BoltBytes, value: BoltBytes | null): TreeOp {
  return { path, key, value };
}

const hexOf = (b: BoltBytes): string => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b)).toString('hex');

export function buildTree(ops: readonly TreeOp[]): BoltBucket {
  const root = createBoltTree();
  for (const o of ops) {
    let bucket = root;
    for (const name of o.path) bucket = bucket.bucket(name);
    if (o.value === null) bucket.bucket(o.key);
    else bucket.put(o.key, o.value);
  }
  return root;
}

/** The ops as boltgo `write` entries, in order. */
export function goEntriesOf(ops: readonly TreeOp[]): GoEntry[] {
  return ops.map((o) => ({ p: o.path.map(hexOf), k: hexOf(o.key), v: o.value === null ? null : hexOf(o.value) }));
}

type Model = Map<string, Model | string>;

/** What a dump of the tree built from `ops` must list: pre-order, keys sorted bytewise, last put wins. */
export function expectedEntries(ops: readonly TreeOp[]): GoEntry[] {
  const root: Model = new Map();
  const child = (m: Model, k: string): Model => {
    const found = m.get(k);
    if (found instanceof Map) return found;
    const made: Model = new Map();
    m.set(k, made);
    return made;
  };
  for (const o of ops) {
    let m = root;
    for (const name of o.path) m = child(m, hexOf(name));
    if (o.value === null) child(m, hexOf(o.key));
    else m.set(hexOf(o.key), hexOf(o.value));
  }
  const out: GoEntry[] = [];
  const walk = (m: Model, p: string[]) => {
    // Equal-width hex digits compare like the bytes they spell, prefixes first.
    for (const k of [...m.keys()].sort()) {
      const v = m.get(k)!;
      out.push({ p, k, v: typeof v === 'string' ? v : null });
      if (typeof v !== 'string') walk(v, [...p, k]);
    }
  };
  walk(root, []);
  return out;
}

/** Every entry the reader sees, in the same form and order as expectedEntries / boltgo dump. */
export function readerEntries(reader: BoltReader): GoEntry[] {
  const out: GoEntry[] = [];
  const walk = (path: Buffer[]) => {
    const p = path.map((b) => b.toString('hex'));
    for (const e of reader.entries(path)) {
      out.push({ p, k: e.key.toString('hex'), v: e.value === null ? null : e.value.toString('hex') });
      if (e.value === null) walk([...path, Buffer.from(e.key)]);
    }
  };
  walk([]);
  return out;
}

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
}

function bytes(next: () => number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = next() >>> 24;
  return out;
}

/** Deterministic shuffle (Fisher-Yates over an LCG). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const next = lcg(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Inline boundaries: a bucket's inline size is 16 (page header) + Σ(16 + key + value); bbolt
 * inlines it when that is <= pageSize/4 = 1024 and it has no sub-buckets.
 */
function inlineOps(): TreeOp[] {
  const ops = [
    op(['exact1024'], 'k', 'x'.repeat(1024 - 16 - 16 - 1)),
    op(['over1025'], 'k', 'x'.repeat(1024 - 16 - 16)),
    op([], 'empty', null),
    op(['parent'], 'value', 'v'),
    op(['parent', 'child'], 'k', 'v'),
    op(['only-sub', 'empty-child'], 'k', 'v'),
    op(['only-sub'], 'empty', null),
  ];
  for (let i = 0; i < 30; i++) ops.push(op(['many-1006'], `k${String(i).padStart(2, '0')}`, 'v'.repeat(14)));
  for (let i = 0; i < 31; i++) ops.push(op(['many-1039'], `k${String(i).padStart(2, '0')}`, 'v'.repeat(14)));
  return ops;
}

function deepOps(): TreeOp[] {
  const ops: TreeOp[] = [];
  const path: string[] = [];
  for (let level = 0; level < 12; level++) {
    path.push(`level-${level}`);
    ops.push(op([...path], 'a-value', `at ${level}`), op([...path], 'z-value', 'x'.repeat(level * 40)));
    if (level === 5) for (let i = 0; i < 300; i++) ops.push(op([...path], `key-${i}`, `value ${i} `.repeat(3)));
    if (level % 3 === 0) ops.push(op([...path], `empty-${level}`, null));
  }
  return ops;
}

function bigOps(): TreeOp[] {
  const ops: TreeOp[] = [];
  for (let i = 0; i < 100_000; i++) ops.push(op(['big'], `key-${String(i).padStart(6, '0')}`, 'v'.repeat(i % 37)));
  return [op(['small'], 'k', 'v'), ...shuffled(ops, 7)];
}

function valueOps(): TreeOp[] {
  const next = lcg(3);
  return [
    op(['sizes'], 'v0', ''),
    op(['sizes'], 'v4095', bytes(next, 4095)),
    op(['sizes'], 'v4096', bytes(next, 4096)),
    op(['sizes'], 'v4097', bytes(next, 4097)),
    op(['sizes'], 'v3mb', bytes(next, 3 * 1024 * 1024)),
    op(['sizes'], 'w-small', 'after the big ones'),
    op(['solo'], 'only', bytes(next, 4097)),
    op(['empty-values'], 'a', ''),
    op(['empty-values'], 'b', new Uint8Array(0)),
    op(['max-key'], 'k'.repeat(32768), 'v'),
    op(['max-key'], 'l', 'w'),
    ...Array.from({ length: 7 }, (_, i) => op(['five-k'], `k${i}`, bytes(next, 5000))),
  ];
}

function binaryOps(): TreeOp[] {
  const next = lcg(11);
  const name = Buffer.from([0xff, 0x00]);
  const ops = [[0x00], [0x00, 0x00], [0x01], [0x7f], [0x80], [0xff], [0xff, 0xff], [0xff, 0x00], [0x00, 0xff]]
    .map((k) => op([name], Buffer.from(k), bytes(next, 1 + (next() % 40))));
  for (let i = 0; i < 400; i++) ops.push(op([name], bytes(next, 1 + (next() % 24)), bytes(next, next() % 200)));
  ops.push(op([name, Buffer.from([0x00, 0x01])], Buffer.from([0x02]), Buffer.from([0x03])));
  ops.push(op([Buffer.from([0x80])], new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6])));
  return ops;
}

function utf8Ops(): TreeOp[] {
  const bucket = 'ünïcödé 🌍';
  return [
    ...['é', 'e', 'z', '日本語', '😀', 'Ω', 'a\u0000b', 'ascii', 'e\u0301'].map((k, i) => op([bucket], k, `value ${i} ✓`)),
    op([bucket], Buffer.from('é', 'utf8'), 'last put wins (Buffer form of é)'),
    op([bucket], '日本語', Buffer.from('replaced', 'utf8')),
    op([bucket, '子'], 'ключ', 'значение'),
  ];
}

export const FIXTURES: Record<string, () => TreeOp[]> = {
  empty: () => [],
  tiny: () => [op(['a'], 'k', 'v')],
  inline: inlineOps,
  deep: deepOps,
  big: bigOps,
  values: valueOps,
  binary: binaryOps,
  utf8: utf8Ops,
};

/**
 * Entries ordered by bucket path then key (stable, so repeated puts keep their order): bbolt
 * keeps a transaction's new keys in one node until commit, and out-of-order puts shift it.
 */
export function sortedForGo(entries: readonly GoEntry[]): GoEntry[] {
  const cmp = (a: string[], b: string[]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length - b.length;
  };
  return [...entries].sort((a, b) => cmp([...a.p, a.k], [...b.p, b.k]));
}
