import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBoltTree, inspectBolt, writeBoltFile } from './index.js';

let dir: string;
let file: string;
let pages: number;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stella-bolt-inspect-'));
  file = join(dir, 'trivy.db');
  const root = createBoltTree();
  const debian = root.bucket('debian 12');
  debian.bucket('openssl').put('CVE-2024-0001', JSON.stringify({ FixedVersion: '3.0.13-1~deb12u1', Status: 3 }));
  debian.bucket('openssl').put('CVE-2024-0002', JSON.stringify({ Status: 2 }));
  debian.bucket('zlib').put('CVE-2022-37434', '{}');
  root.bucket('data-source').put('debian 12', JSON.stringify({ ID: 'debian', Name: 'Debian Security Tracker' }));
  const vulns = root.bucket('vulnerability');
  for (let i = 0; i < 1500; i++) vulns.put(`CVE-2024-${String(i).padStart(5, '0')}`, JSON.stringify({ Title: `t${i}` }));
  root.bucket(Buffer.from([0xff, 0xfe])).put(Buffer.from([0x00, 0x80]), Buffer.from([0xde, 0xad]));
  pages = (await writeBoltFile(root, file)).pages;
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('inspectBolt', () => {
  it('summarizes the top-level buckets with their direct counts', () => {
    assert.deepEqual(inspectBolt(file), {
      kind: 'file', pageSize: 4096, txid: '1', pages, bytes: pages * 4096,
      buckets: [
        { name: 'data-source', buckets: 0, keys: 1 },
        { name: 'debian 12', buckets: 2, keys: 0 },
        { name: 'vulnerability', buckets: 0, keys: 1500 },
        { name: 'hex:fffe', buckets: 0, keys: 1 },
      ],
    });
  });

  it('lists a bucket, truncated at the limit', () => {
    assert.deepEqual(inspectBolt(file, { bucket: ['debian 12'] }), {
      kind: 'bucket', bucket: ['debian 12'], found: true, bucketCount: 2, keyCount: 0, buckets: ['openssl', 'zlib'], keys: [], truncated: false,
    });
    const listing = inspectBolt(file, { bucket: ['vulnerability'], limit: 3 });
    assert.deepEqual(listing, {
      kind: 'bucket', bucket: ['vulnerability'], found: true, bucketCount: 0, keyCount: 1500,
      buckets: [], keys: ['CVE-2024-00000', 'CVE-2024-00001', 'CVE-2024-00002'], truncated: true,
    });
    assert.equal((inspectBolt(file, { bucket: ['vulnerability'] }) as { keys: string[] }).keys.length, 1000);
  });

  it('shows a value parsed as JSON, or in hex when it is not JSON', () => {
    assert.deepEqual(inspectBolt(file, { bucket: ['debian 12', 'openssl'], key: 'CVE-2024-0001' }), {
      kind: 'value', bucket: ['debian 12', 'openssl'], key: 'CVE-2024-0001', found: true, isBucket: false, size: 46,
      json: { FixedVersion: '3.0.13-1~deb12u1', Status: 3 },
    });
    assert.deepEqual(inspectBolt(file, { bucket: ['hex:fffe'], key: 'hex:0080' }), {
      kind: 'value', bucket: ['hex:fffe'], key: 'hex:0080', found: true, isBucket: false, size: 2, hex: 'dead',
    });
    assert.deepEqual(inspectBolt(file, { bucket: ['hex:fffe'] }), {
      kind: 'bucket', bucket: ['hex:fffe'], found: true, bucketCount: 0, keyCount: 1, buckets: [], keys: ['hex:0080'], truncated: false,
    });
  });

  it('says what is missing instead of guessing', () => {
    assert.equal((inspectBolt(file, { bucket: ['debian 11'] }) as { found: boolean }).found, false);
    assert.deepEqual(inspectBolt(file, { bucket: ['debian 12'], key: 'zlib' }), { kind: 'value', bucket: ['debian 12'], key: 'zlib', found: true, isBucket: true });
    assert.deepEqual(inspectBolt(file, { bucket: ['debian 12', 'zlib'], key: 'CVE-2022-3743' }), { kind: 'value', bucket: ['debian 12', 'zlib'], key: 'CVE-2022-3743', found: false, isBucket: false });
  });
});
