/*
 * Our files against the real bbolt library (Debian's go.etcd.io/bbolt 1.3.6, built offline by
 * testing.ts): bbolt's tx.Check() and a full walk of what it reads, BucketStats compared with the
 * same tree written by bbolt itself (FillPercent 1.0, so splits and inlining must match page for
 * page), and our reader on files bbolt wrote (default fill, freelist with freed pages).
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBoltTree, openBolt, writeBoltFile } from './index.js';
import { Reader } from './reader.js';
import { FileSource } from './pages.js';
import { missingPrerequisite } from '../../test/support/tools.js';
import {
  boltGo, buildTree, expectedEntries, FIXTURES, goDump, goEntriesOf, goMissing, goWrite, op, readerEntries, sortedForGo, type TreeOp,
} from './testing.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stella-bolt-go-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** True when the Go program is built; otherwise skips loudly (fails under CI=true). */
function haveGo(t: TestContext): boolean {
  const missing = goMissing();
  if (missing !== undefined) return missingPrerequisite(t, `${missing}: cannot run the real bbolt library`);
  boltGo();
  return true;
}

async function ours(name: string, ops: TreeOp[], pageSize = 4096): Promise<string> {
  const file = join(dir, `${name}-${pageSize}.ours.db`);
  await writeBoltFile(buildTree(ops), file, { pageSize });
  return file;
}

function bboltWrites(name: string, ops: TreeOp[], options: { pageSize?: number; fill?: number }): string {
  const file = join(dir, `${name}-${options.pageSize ?? 4096}-${options.fill ?? 0.5}.go.db`);
  goWrite(sortedForGo(goEntriesOf(ops)), file, options);
  return file;
}

describe('bbolt 1.3.6 reads our files', () => {
  for (const [name, make] of Object.entries(FIXTURES)) {
    it(`${name}: tx.Check() is clean and bbolt sees exactly the tree we wrote`, async (t) => {
      if (!haveGo(t)) return;
      const ops = make();
      const file = await ours(name, ops);
      const dump = goDump(file);
      assert.deepEqual(dump.check, []);
      assert.deepEqual(dump.walk, [], 'keys strictly increasing, Get() agrees with ForEach');
      assert.deepEqual(dump.entries, expectedEntries(ops));
      assert.equal(dump.txid, 1);
      assert.equal(dump.pageSize, 4096);
      assert.equal(dump.size, statSync(file).size, 'file is exactly HWM × pageSize');
    });

    it(`${name}: same BucketStats as bbolt writing the same tree with FillPercent 1.0 (splits, overflow, inlining)`, async (t) => {
      if (!haveGo(t)) return;
      const ops = make();
      const mine = goDump(await ours(name, ops));
      const theirs = goDump(bboltWrites(name, ops, { fill: 1.0 }));
      assert.deepEqual(theirs.entries, mine.entries);
      assert.deepEqual(mine.stats, theirs.stats);
    });
  }

  for (const pageSize of [1024, 16384]) {
    it(`page size ${pageSize}: clean check and the same BucketStats as bbolt`, async (t) => {
      if (!haveGo(t)) return;
      for (const name of ['inline', 'values', 'deep']) {
        const ops = FIXTURES[name]!();
        const mine = goDump(await ours(name, ops, pageSize));
        assert.deepEqual([mine.check, mine.walk, mine.pageSize], [[], [], pageSize], name);
        assert.deepEqual(mine.stats, goDump(bboltWrites(name, ops, { pageSize, fill: 1.0 })).stats, name);
      }
    });
  }

  it('2 MiB pages with 130,000 keys (pages capped below 0xFFFF elements) pass tx.Check()', async (t) => {
    if (!haveGo(t)) return;
    const tree = createBoltTree();
    for (let i = 0; i < 130_000; i++) tree.bucket('many').put(Buffer.from([i >> 16, (i >> 8) & 0xff, i & 0xff]), 'v');
    const file = join(dir, 'huge-pages.db');
    await writeBoltFile(tree, file, { pageSize: 1 << 21 });
    const dump = goDump(file);
    assert.deepEqual([dump.check, dump.walk, dump.pageSize], [[], [], 1 << 21]);
    assert.equal(dump.entries.length, 130_001);
  });

  it('bbolt can open our file read-write, commit more, and both still agree', async (t) => {
    if (!haveGo(t)) return;
    const ops = FIXTURES.deep!();
    const file = await ours('amended', ops);
    const more = [op(['level-0'], 'a-value', 'replaced by bbolt'), op(['added'], 'k', 'v'), op(['level-0', 'level-1'], 'new', 'x'.repeat(3000))];
    goWrite(goEntriesOf(more), file);
    const dump = goDump(file);
    assert.deepEqual([dump.check, dump.walk, dump.txid], [[], [], 2]);
    const r = new Reader(new FileSource(file));
    assert.equal(r.txid, 2n);
    assert.deepEqual(readerEntries(r), expectedEntries([...ops, ...more]));
    assert.deepEqual(r.check(), []);
    r.close();
  });
});

describe('our reader reads files bbolt wrote', () => {
  for (const [name, make] of Object.entries(FIXTURES)) {
    it(`${name}: every entry, clean check(), from a path and from a buffer`, (t) => {
      if (!haveGo(t)) return;
      const ops = make();
      const file = bboltWrites(name, ops, {});
      const expected = expectedEntries(ops);
      const fromPath = openBolt(file);
      assert.deepEqual(readerEntries(fromPath), expected);
      assert.deepEqual(fromPath.check(), []);
      assert.equal(fromPath.txid, 2n, 'db.init() wrote txids 0 and 1; the Update is txid 2');
      fromPath.close();
      const fromBuffer = openBolt(readFileSync(file));
      assert.deepEqual(readerEntries(fromBuffer), expected);
      assert.deepEqual(fromBuffer.check(), []);
    });
  }

  it('a bbolt file with freed pages: check() accounts for the freelist', (t) => {
    if (!haveGo(t)) return;
    const file = bboltWrites('freed', FIXTURES.inline!(), {});
    goWrite(goEntriesOf([op(['over1025'], 'k', 'short now'), op(['exact1024'], 'k2', 'grows')]), file);
    const r = new Reader(new FileSource(file));
    assert.notEqual(r.meta.freelist, 0xffffffffffffffffn);
    const freelist = r.pages.get(Number(r.meta.freelist));
    assert.ok(freelist.count > 0, 'bbolt freed pages in the second transaction');
    assert.deepEqual(r.check(), []);
    assert.equal(r.get(['over1025'], 'k')?.toString(), 'short now');
    r.close();
  });
});
