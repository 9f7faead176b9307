import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitNode } from './split.js';

describe('splitNode follows bbolt splitTwo/splitIndex with FillPercent 1.0', () => {
  it('does not split 4 or fewer elements, or a node under a page', () => {
    assert.deepEqual(splitNode([3000, 3000, 3000, 3000], 4, 4096), { ends: [4], sizes: [12016] });
    assert.deepEqual(splitNode([1000, 1000, 1000, 1000, 60], 5, 4096), { ends: [5], sizes: [4076] });
    assert.deepEqual(splitNode([], 0, 4096), { ends: [0], sizes: [16] });
  });

  it('splits a node of exactly a page (sizeLessThan is strict)', () => {
    assert.deepEqual(splitNode([1000, 1000, 1000, 1000, 80], 5, 4096).ends, [2, 5]);
  });

  it('keeps bbolt\'s quirk: without a break, the first node stops one element short of the loop end', () => {
    // splitIndex visits i = 0..2 without passing the threshold and returns index 2.
    assert.deepEqual(splitNode([1000, 1000, 1000, 1000, 1000], 5, 4096), { ends: [2, 5], sizes: [2016, 3016] });
  });

  it('takes at least MinKeysPerPage elements even when they overflow a page, and leaves at least two', () => {
    assert.deepEqual(splitNode([5000, 10, 10, 10, 10, 10], 6, 4096), { ends: [2, 6], sizes: [5026, 56] });
    assert.deepEqual(splitNode([100, 100, 100, 100, 100, 9000], 6, 4096), { ends: [3, 6], sizes: [316, 9216] });
  });

  it('packs pages full and splits the rest again', () => {
    const sizes = Array.from({ length: 1000 }, () => 40);
    const split = splitNode(sizes, 1000, 4096);
    assert.equal(split.ends[0], 102, '16 + 102 × 40 = 4096 fits exactly');
    assert.ok(split.sizes.every((s) => s <= 4096));
    assert.equal(split.ends.at(-1), 1000);
  });

  it('caps a page below 0xFFFF elements (bbolt would panic in node.write)', () => {
    const split = splitNode(new Array<number>(70_000).fill(17), 70_000, 1 << 24);
    assert.deepEqual(split.ends, [65534, 70_000]);
  });
});
