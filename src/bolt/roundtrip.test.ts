import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoltError, createBoltTree, openBolt, writeBolt, writeBoltFile } from './index.js';
import { BRANCH_PAGE, FREELIST_PAGE, LEAF_PAGE, META_PAGE } from './format.js';
import { Reader } from './reader.js';
import { BufferSource } from './pages.js';
import { buildTree, expectedEntries, FIXTURES, readerEntries, shuffled } from './testing.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stella-bolt-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function reader(bytes: Buffer): Reader {
  return new Reader(new BufferSource(bytes));
}

describe('writer → reader round trip', () => {
  for (const [name, make] of Object.entries(FIXTURES)) {
    it(`${name}: every entry reads back, check() is clean, file and memory bytes agree`, async () => {
      const ops = make();
      const tree = buildTree(ops);
      const bytes = writeBolt(tree);
      const expected = expectedEntries(ops);
      const mem = openBolt(bytes);
      assert.equal(mem.pageSize, 4096);
      assert.equal(mem.txid, 1n);
      assert.deepEqual(readerEntries(mem), expected);
      assert.deepEqual(mem.check(), []);
      for (const e of expected) {
        if (e.v === null) continue;
        const path = e.p.map((p) => Buffer.from(p, 'hex'));
        assert.equal(mem.get(path, Buffer.from(e.k, 'hex'))?.toString('hex'), e.v);
      }
      const file = join(dir, `${name}.db`);
      const result = await writeBoltFile(tree, file);
      assert.deepEqual(readFileSync(file), bytes, 'writeBoltFile and writeBolt give the same bytes');
      assert.deepEqual(result, { bytes: bytes.length, pages: bytes.length / 4096 });
      const disk = openBolt(file);
      assert.deepEqual(readerEntries(disk), expected);
      assert.deepEqual(disk.check(), []);
      disk.close();
    });
  }

  it('an empty root is exactly what bbolt db.init() writes: metas, empty freelist, empty leaf', () => {
    const bytes = writeBolt(createBoltTree());
    assert.equal(bytes.length, 4 * 4096);
    const flags = [0, 1, 2, 3].map((p) => bytes.readUInt16LE(p * 4096 + 8));
    assert.deepEqual(flags, [META_PAGE, META_PAGE, FREELIST_PAGE, LEAF_PAGE]);
    assert.equal(bytes.readUInt16LE(2 * 4096 + 10), 0, 'freelist count');
    assert.equal(bytes.readUInt16LE(3 * 4096 + 10), 0, 'root leaf count');
    const r = reader(bytes);
    assert.deepEqual({ root: r.meta.root, freelist: r.meta.freelist, pgid: r.meta.pgid }, { root: 3, freelist: 2n, pgid: 4 });
    assert.deepEqual(r.bucketNames(), []);
  });

  it('inlines a bucket exactly when it has no sub-buckets and 16 + Σ(16 + key + value) <= pageSize/4', () => {
    const r = reader(writeBolt(buildTree(FIXTURES.inline!())));
    const inline = (name: string[]) => typeof r.resolve(name) !== 'number';
    assert.equal(inline(['exact1024']), true);
    assert.equal(inline(['over1025']), false);
    assert.equal(inline(['many-1006']), true);
    assert.equal(inline(['many-1039']), false);
    assert.equal(inline(['empty']), true);
    assert.equal(inline(['parent']), false, 'a bucket with a sub-bucket is never inline');
    assert.equal(inline(['parent', 'child']), true);
    assert.equal(inline(['only-sub']), false);
    assert.equal(inline(['only-sub', 'empty']), true);
  });

  it('100,000 keys make a multi-level branch tree; gets and prefix seeks find them', () => {
    const r = reader(writeBolt(buildTree(FIXTURES.big!())));
    const root = r.resolve(['big']);
    assert.equal(typeof root, 'number');
    const top = r.pages.node(root as number);
    assert.equal(top.flags, BRANCH_PAGE);
    const child = r.pages.node(top.buf.readUInt32LE(top.base + 16 + 8));
    assert.equal(child.flags, BRANCH_PAGE, 'at least two branch levels');
    assert.equal(r.get(['big'], 'key-054321')?.toString(), 'v'.repeat(54321 % 37));
    assert.equal(r.get(['big'], 'key-100000'), undefined);
    const keys = (prefix: string) => [...r.entries(['big'], { prefix })].map((e) => e.key.toString());
    assert.deepEqual(keys('key-01234'), Array.from({ length: 10 }, (_, i) => `key-01234${i}`));
    assert.deepEqual(keys('key-099999'), ['key-099999']);
    assert.deepEqual(keys('key-0123400'), []);
    assert.deepEqual(keys('key-1'), []);
    assert.deepEqual(keys('a'), []);
    assert.equal(keys('').length, 100_000);
    assert.equal(keys('key-').length, 100_000);
  });

  it('bucketNames lists nested buckets sorted; missing paths and keys that are buckets read as absent', () => {
    const r = reader(writeBolt(buildTree(FIXTURES.inline!())));
    assert.deepEqual(r.bucketNames().map(String), ['empty', 'exact1024', 'many-1006', 'many-1039', 'only-sub', 'over1025', 'parent']);
    assert.deepEqual(r.bucketNames(['parent']).map(String), ['child']);
    assert.deepEqual(r.bucketNames(['nope']), []);
    assert.deepEqual(r.bucketNames(['parent', 'value']), [], 'a value is not a bucket');
    assert.equal(r.get(['parent'], 'child'), undefined);
    assert.equal(r.get(['parent'], 'value')?.toString(), 'v');
    assert.equal(r.get(['nope'], 'value'), undefined);
    assert.deepEqual([...r.entries(['nope'])], []);
    assert.deepEqual([...r.entries(['parent'])].map((e) => [e.key.toString(), e.value?.toString() ?? null]), [['child', null], ['value', 'v']]);
  });

  for (const pageSize of [1024, 65536]) {
    it(`page size ${pageSize} round-trips and checks clean`, () => {
      for (const name of ['deep', 'values', 'binary']) {
        const ops = FIXTURES[name]!();
        const r = openBolt(writeBolt(buildTree(ops), { pageSize }));
        assert.equal(r.pageSize, pageSize);
        assert.deepEqual(readerEntries(r), expectedEntries(ops), name);
        assert.deepEqual(r.check(), [], name);
      }
    });
  }

  it('keeps every page below 0xFFFF elements even when one page could hold more (2 MiB pages)', () => {
    const tree = createBoltTree();
    const b = tree.bucket('many');
    for (let i = 0; i < 130_000; i++) b.put(Buffer.from([i >> 16, (i >> 8) & 0xff, i & 0xff]), 'v');
    const r = reader(writeBolt(tree, { pageSize: 1 << 21 }));
    const root = r.pages.node(r.resolve(['many']) as number);
    assert.equal(root.flags, BRANCH_PAGE);
    const counts = Array.from({ length: root.count }, (_, i) => r.pages.node(root.buf.readUInt32LE(root.base + 16 + 16 * i + 8)).count);
    assert.ok(counts.every((c) => c < 0xffff), `leaf counts ${counts.join(', ')}`);
    assert.equal(counts.reduce((a, c) => a + c, 0), 130_000);
    assert.deepEqual(r.check(), []);
  });
});

describe('determinism', () => {
  it('the same tree written twice, or built in another order, gives identical bytes', () => {
    for (const make of Object.values(FIXTURES)) {
      const ops = make();
      const first = writeBolt(buildTree(ops));
      assert.deepEqual(writeBolt(buildTree(ops)), first);
      // Reordering is only meaning-preserving among puts of distinct keys and creations.
      const distinct = new Set(ops.map((o) => JSON.stringify([o.path.map(String), String(o.key)]))).size === ops.length;
      if (distinct) assert.deepEqual(writeBolt(buildTree(shuffled(ops, 99))), first);
    }
  });
});

describe('metas', () => {
  const bytes = writeBolt(buildTree(FIXTURES.deep!()));
  const expected = expectedEntries(FIXTURES.deep!());
  const flip = (src: Buffer, ...offsets: number[]) => {
    const out = Buffer.from(src);
    for (const o of offsets) out[o]! ^= 0x40;
    return out;
  };

  it('a damaged meta 1 (the higher txid) makes the reader fall back to meta 0, and check() says so', () => {
    const r = openBolt(flip(bytes, 4096 + 16 + 48));
    assert.equal(r.txid, 0n);
    assert.deepEqual(readerEntries(r), expected);
    assert.deepEqual(r.check(), ['meta 1: meta at offset 0: checksum mismatch']);
  });

  it('a damaged meta 0 leaves meta 1 in use, also with 8 KiB pages', () => {
    assert.equal(openBolt(flip(bytes, 16 + 30)).txid, 1n);
    const big = writeBolt(buildTree(FIXTURES.deep!()), { pageSize: 8192 });
    const r = openBolt(flip(big, 16 + 8));
    assert.equal(r.pageSize, 8192);
    assert.deepEqual(readerEntries(r), expected);
  });

  it('both metas damaged: CHECKSUM (or INVALID_FILE for a bad magic)', () => {
    assert.throws(() => openBolt(flip(bytes, 16 + 60, 4096 + 16 + 60)), (e: unknown) => e instanceof BoltError && e.code === 'CHECKSUM');
    assert.throws(() => openBolt(flip(bytes, 16 + 20, 4096 + 16 + 40)), (e: unknown) => e instanceof BoltError && e.code === 'CHECKSUM');
    assert.throws(() => openBolt(flip(bytes, 16, 4096 + 16)), (e: unknown) => e instanceof BoltError && e.code === 'INVALID_FILE');
  });

  it('rejects files that are not bbolt files', () => {
    for (const junk of [Buffer.alloc(0), Buffer.alloc(100), Buffer.from('SQLite format 3\0'.repeat(1000))]) {
      assert.throws(() => openBolt(junk), (e: unknown) => e instanceof BoltError && e.code === 'INVALID_FILE');
    }
    assert.throws(() => openBolt(join(dir, 'missing.db')), /ENOENT/);
  });
});

describe('damaged data pages', () => {
  it('a truncated file opens but check() and reads report it', () => {
    const bytes = writeBolt(buildTree(FIXTURES.big!()));
    const r = openBolt(bytes.subarray(0, bytes.length - 3 * 4096));
    assert.match(r.check().join('\n'), /high-water mark/);
    assert.throws(() => readerEntries(r), (e: unknown) => e instanceof BoltError && e.code === 'CORRUPT');
  });

  it('random byte flips yield BoltErrors or check() findings, never a crash', () => {
    const bytes = writeBolt(buildTree([...FIXTURES.deep!(), ...FIXTURES.inline!()]));
    let next = 5;
    let findings = 0;
    for (let round = 0; round < 300; round++) {
      const damaged = Buffer.from(bytes);
      for (let i = 0; i < 3; i++) {
        next = (Math.imul(next, 1664525) + 1013904223) >>> 0;
        const at = 2 * 4096 + (next % (bytes.length - 2 * 4096));
        damaged[at] = next >>> 24;
      }
      try {
        const r = openBolt(damaged);
        if (r.check().length > 0) findings++;
        readerEntries(r);
      } catch (err) {
        assert.ok(err instanceof BoltError, `round ${round}: ${String(err)}`);
      }
    }
    assert.ok(findings > 0, 'some flips are found by check()');
  });
});

describe('bad input to the writer', () => {
  const code = (c: string) => (e: unknown) => e instanceof BoltError && e.code === c;

  it('rejects empty and over-long keys and values in the root', () => {
    const root = createBoltTree();
    assert.throws(() => root.bucket(''), code('INVALID_KEY'));
    assert.throws(() => root.bucket('b').put(new Uint8Array(0), 'v'), code('INVALID_KEY'));
    assert.throws(() => root.bucket('b').put('k'.repeat(32769), 'v'), code('INVALID_KEY'));
    assert.throws(() => root.put('k', 'v'), code('INVALID_KEY'));
    root.bucket('b').put('k'.repeat(32768), 'v');
  });

  it('a key is either a value or a bucket', () => {
    const b = createBoltTree().bucket('b');
    b.put('value', 'v');
    b.bucket('sub');
    assert.throws(() => b.put('sub', 'v'), code('KEY_IS_BUCKET'));
    assert.throws(() => b.bucket('value'), code('KEY_IS_BUCKET'));
    assert.throws(() => b.put(Buffer.from('sub'), 'v'), code('KEY_IS_BUCKET'), 'string and byte keys are the same key');
  });

  it('rejects page sizes bbolt cannot use and trees that are not roots', () => {
    assert.throws(() => writeBolt(createBoltTree(), { pageSize: 3000 }), code('INVALID_FILE'));
    assert.throws(() => writeBolt(createBoltTree(), { pageSize: 256 }), code('INVALID_FILE'));
    assert.throws(() => writeBolt(createBoltTree().bucket('x')), code('INVALID_KEY'));
  });

  it('removes a partly written file when writing fails', async () => {
    const file = join(dir, 'fails.db');
    await assert.rejects(writeBoltFile(createBoltTree().bucket('not-a-root'), file), code('INVALID_KEY'));
    assert.throws(() => readFileSync(file), /ENOENT/);
  });
});

it('the value fixture has the sizes the format cares about', () => {
  const sizes = FIXTURES.values!().map((o) => (o.value === null ? -1 : Buffer.byteLength(o.value as string | Uint8Array)));
  for (const size of [0, 4095, 4096, 4097, 3 * 1024 * 1024]) assert.ok(sizes.includes(size), `value of ${size} bytes`);
});
