import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RpmdbError } from './errors.js';
import { parseHeader, RPMTAG } from './header.js';

const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url)));

type Value = { tag: number; type: number; data: Buffer; count: number };
const str = (tag: number, s: string): Value => ({ tag, type: 6, data: Buffer.from(`${s}\0`), count: 1 });
const int32 = (tag: number, n: number): Value => {
  const data = Buffer.alloc(4);
  data.writeUInt32BE(n);
  return { tag, type: 4, data, count: 1 };
};

/**
 * Writes a header blob as rpm stores it: an immutable region (tag 63) holding `region`, then the
 * `dribbles` rpm appends at install time. `region: undefined` writes a legacy header without one.
 */
function build(region: Value[] | undefined, dribbles: Value[] = []): Buffer {
  const parts: Buffer[] = [];
  const index: Buffer[] = [];
  let offset = 0;
  const place = (v: Value): void => {
    const align = v.type === 4 ? 4 : 1;
    const pad = (align - (offset % align)) % align;
    parts.push(Buffer.alloc(pad));
    offset += pad;
    const entry = Buffer.alloc(16);
    entry.writeInt32BE(v.tag, 0);
    entry.writeUInt32BE(v.type, 4);
    entry.writeInt32BE(offset, 8);
    entry.writeUInt32BE(v.count, 12);
    index.push(entry);
    parts.push(v.data);
    offset += v.data.length;
  };
  (region ?? []).forEach(place);
  if (region !== undefined) {
    const ril = region.length + 1;
    const trailer = Buffer.alloc(16);
    trailer.writeInt32BE(63, 0);
    trailer.writeUInt32BE(7, 4);
    trailer.writeInt32BE(-ril * 16, 8);
    trailer.writeUInt32BE(16, 12);
    const head = Buffer.alloc(16);
    head.writeInt32BE(63, 0);
    head.writeUInt32BE(7, 4);
    head.writeInt32BE(offset, 8);
    head.writeUInt32BE(16, 12);
    index.unshift(head);
    parts.push(trailer);
    offset += 16;
  }
  dribbles.forEach(place);
  const preamble = Buffer.alloc(8);
  preamble.writeUInt32BE(index.length, 0);
  preamble.writeUInt32BE(offset, 4);
  return Buffer.concat([preamble, ...index, ...parts]);
}

const rejects = (blob: Uint8Array, pattern: RegExp): void => {
  assert.throws(() => parseHeader(blob), (e: unknown) => e instanceof RpmdbError && e.code === 'MALFORMED_RECORD' && pattern.test(e.message));
};

describe('rpm header blobs', () => {
  it('reads a real header blob (go-rpmdb blob.bin, Fedora 35)', () => {
    const header = parseHeader(fixture('go-rpmdb/blob.bin'));
    assert.equal(header.string(RPMTAG.NAME), 'publicsuffix-list-dafsa');
    assert.equal(header.string(RPMTAG.VERSION), '20210518');
    assert.equal(header.string(RPMTAG.RELEASE), '2.fc35');
    assert.equal(header.string(RPMTAG.ARCH), 'noarch');
    assert.equal(header.string(RPMTAG.SOURCERPM), 'publicsuffix-list-20210518-2.fc35.src.rpm');
    assert.equal(header.string(RPMTAG.LICENSE), 'MPLv2.0');
    assert.equal(header.has(RPMTAG.EPOCH), false);
  });

  it('reads region entries, and a dribble replaces the region entry of the same tag', () => {
    const blob = build([str(1000, 'pkg'), str(1001, '1.0'), str(1002, '1'), int32(1003, 3)], [str(1001, '2.0')]);
    const header = parseHeader(blob);
    assert.equal(header.string(1000), 'pkg');
    assert.equal(header.string(1001), '2.0');
    assert.deepEqual(header.numbers(1003), [3]);
    assert.equal(header.numbers(1000), undefined, 'a string tag is no number');
    assert.equal(header.string(1003), undefined, 'a number tag is no string');
  });

  it('reads a legacy header without a region', () => {
    const header = parseHeader(build(undefined, [str(1000, 'old'), int32(1003, 0)]));
    assert.equal(header.string(1000), 'old');
    assert.deepEqual(header.numbers(1003), [0]);
  });

  it('rejects blobs whose sizes, offsets or region do not add up', () => {
    const good = build([str(1000, 'pkg'), int32(1003, 1)]);
    rejects(good.subarray(0, 4), /shorter than the 8-byte preamble/);
    rejects(good.subarray(0, good.length - 1), /its preamble says/);
    rejects(Buffer.concat([good, Buffer.alloc(1)]), /its preamble says/);
    const zero = Buffer.from(good);
    zero.writeUInt32BE(0, 0);
    rejects(zero, /0 index entries/);
    const misaligned = Buffer.from(good);
    misaligned.writeInt32BE(5, 8 + 16 * 2 + 8); // EPOCH (INT32) at an odd offset
    rejects(misaligned, /misaligned/);
    const outside = Buffer.from(good);
    outside.writeInt32BE(10_000, 8 + 16 + 8);
    rejects(outside, /outside/);
    const badType = Buffer.from(good);
    badType.writeUInt32BE(42, 8 + 16 + 4);
    rejects(badType, /unknown type 42/);
    const trailer = Buffer.from(good);
    trailer.writeInt32BE(-16 * 9, good.length - 8); // trailer claims 9 region entries of 3
    rejects(trailer, /region trailer/);
  });

  it('rejects a string that runs past the data', () => {
    const blob = build([str(1000, 'pkg')]);
    const unterminated = Buffer.from(blob);
    unterminated.writeUInt32BE(50, 8 + 16 + 12); // NAME as STRING with count 50
    rejects(unterminated, /STRING|count|runs past/);
    const array = Buffer.from(blob);
    array.writeUInt32BE(8, 8 + 16 + 4); // NAME as STRING_ARRAY
    array.writeUInt32BE(20, 8 + 16 + 12); // of 20 strings: "pkg" and the trailer hold fewer NULs
    rejects(array, /runs past/);
  });
});
