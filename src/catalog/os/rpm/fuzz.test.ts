import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { CatalogError } from '../../analyzer.js';
import { analyzeRpmdb } from './analyzer.js';

const fixture = (name: string): Buffer => {
  const bytes = readFileSync(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url)));
  return name.endsWith('.gz') ? gunzipSync(bytes) : bytes;
};

/** A seeded generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FILES = [
  'generated/bdb-hash-512/Packages.gz', 'generated/bdb-hash-be/Packages.gz', 'generated/bdb-btree/Packages.gz',
  'generated/sqlite/rpmdb.sqlite.gz', 'go-rpmdb/libuuid/Packages.gz', 'go-rpmdb/sle15-bci/Packages.db.gz',
];

describe('rpm analyzer on randomly damaged databases', () => {
  for (const file of FILES) {
    it(`returns packages and issues or a CatalogError, never anything else: ${file}`, () => {
      const original = fixture(file);
      const next = random(0x5eed);
      for (let round = 0; round < 150; round++) {
        const bytes = Buffer.from(original);
        // Damage the first pages more often: that is where the structure (meta, slots, index) lives.
        for (let flips = 1 + Math.floor(next() * 8); flips > 0; flips--) {
          const at = Math.floor(next() * (next() < 0.5 ? Math.min(bytes.length, 8192) : bytes.length));
          bytes[at] = Math.floor(next() * 256);
        }
        const cut = next() < 0.1 ? Math.floor(next() * bytes.length) : bytes.length;
        try {
          const result = analyzeRpmdb({ path: '/var/lib/rpm/Packages.gz', content: bytes.subarray(0, cut) });
          assert.ok(Array.isArray(result.packages));
        } catch (error) {
          assert.ok(error instanceof CatalogError, `round ${round}: ${String(error)}`);
        }
      }
    });
  }
});
