import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ecosystemUrl, instantKey, newerRows, readCursor, toCursorJson } from './bucket.js';

describe('bucket layout helpers', () => {
  it('percent-encodes ecosystem directories and record ids', () => {
    const base = 'https://osv-vulnerabilities.storage.googleapis.com';
    assert.equal(ecosystemUrl(base, 'Rocky Linux', 'all.zip'), `${base}/Rocky%20Linux/all.zip`);
    assert.equal(ecosystemUrl(base, 'Debian:12', 'modified_id.csv'), `${base}/Debian%3A12/modified_id.csv`);
    assert.equal(ecosystemUrl(base, 'AlmaLinux', 'ALSA-2025:10073.json'), `${base}/AlmaLinux/ALSA-2025%3A10073.json`);
    assert.equal(ecosystemUrl(base, '[EMPTY]', 'all.zip'), `${base}/%5BEMPTY%5D/all.zip`);
  });

  it('orders RFC 3339 timestamps by instant, to the nanosecond', () => {
    const ordered = [
      '0001-01-01T00:00:00Z',
      '2024-01-02T03:04:05Z',
      '2024-01-02T03:04:05.000000001Z',
      '2024-01-02T03:04:05.5Z',
      '2024-01-02T05:04:05.6+02:00', // 03:04:05.6Z
      '2024-01-02T03:04:06Z',
    ];
    const keys = ordered.map((t) => instantKey(t));
    assert.ok(keys.every((k) => k !== undefined));
    assert.deepEqual([...keys].sort(), keys);
    assert.equal(instantKey('2024-01-02T03:04:05.5Z'), instantKey('2024-01-02T03:04:05.500000000Z'));
    assert.equal(instantKey('2024-01-02'), undefined);
    assert.equal(instantKey('yesterday'), undefined);
  });

  it('reads modified_id.csv rows newer than the cursor and stops at the first older one', () => {
    // Rows as osv.dev's exporter writes them (Go encoding/csv, RFC3339Nano), plus a quoted field and CRLF.
    const csv = [
      '2025-07-01T19:42:01.123456Z,ALSA-2025:10073',
      '2025-07-01T19:42:01Z,"GHSA-odd,id"\r',
      'not-a-time,GHSA-bad',
      '2025-06-30T00:00:00Z,DSA-1',
      '2025-06-01T00:00:00Z,DSA-0',
      '2025-07-02T00:00:00Z,AFTER-STOP',
      '',
    ].join('\n');
    const { rows, bad } = newerRows(csv, instantKey('2025-06-01T00:00:00Z'));
    assert.deepEqual(rows.map((r) => [r.modified, r.id]), [
      ['2025-07-01T19:42:01.123456Z', 'ALSA-2025:10073'],
      ['2025-07-01T19:42:01Z', 'GHSA-odd,id'],
      ['2025-06-30T00:00:00Z', 'DSA-1'],
    ]);
    assert.deepEqual(bad, ['not-a-time,GHSA-bad']);
    assert.equal(newerRows(csv, undefined).rows.length, 5);
  });

  it('round-trips the cursor deterministically and reads a foreign cursor as empty', () => {
    const cursor = { ecosystems: { npm: { modified: '2024-01-01T00:00:00Z', csvEtag: '"c"', zipEtag: '"z"' }, Debian: { zipLastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' } } };
    const json = toCursorJson(readCursor(cursor));
    assert.equal(JSON.stringify(json), '{"ecosystems":{"Debian":{"zipLastModified":"Mon, 01 Jan 2024 00:00:00 GMT"},"npm":{"modified":"2024-01-01T00:00:00Z","zipEtag":"\\"z\\"","csvEtag":"\\"c\\""}}}');
    assert.deepEqual(readCursor(null), { ecosystems: {} });
    assert.deepEqual(readCursor('2024-01-01T00:00:00Z'), { ecosystems: {} });
    assert.deepEqual(readCursor({ ecosystems: { npm: { modified: 'soon', zipEtag: 7 } } }), { ecosystems: { npm: {} } });
  });
});
