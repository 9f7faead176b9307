import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { advisoryPath, isSafeExportPath, recordPath, safeName, preferredIdCase } from './paths.js';

/*
 * The id → path mapping: readable for the id shapes feeds use, safe and injective (also with
 * letter case ignored) for anything else.
 */

const HOSTILE = [
  '../../x', '..', '.', '.hidden', '/etc/passwd', 'C:\\Windows\\win.ini', 'a/../../b', 'x\u0000y', 'x\u0000z', '',
  ' ', 'NUL', 'nul', 'CON.json', 'com1', 'LPT9.txt', 'a%2Fb', 'a/b', 'a~1', 'a~~b', 'ä', 'a\u0308', 'ÄB', 'äb',
  '\uD800', '\uFFFD', '\uDC00x', 'GHSA-p6mc-m468-83gw', 'GHSA-P6MC-M468-83GW', 'ghsa-p6mc-m468-83gw',
  'CVE-2021-1234', 'cve-2021-1234', 'Cve-2021-1234', 'A'.repeat(300), 'A'.repeat(299) + 'a', 'a'.repeat(300),
  `${'B'.repeat(200)}1`, `${'B'.repeat(200)}2`, '%'.repeat(100), '\u00e9'.repeat(80), 'x'.repeat(119), 'X'.repeat(121),
];

/** A deterministic pseudo-random string generator (xorshift32), for the property test below. */
function randomIds(count: number): string[] {
  let state = 0x9e3779b9;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  const alphabet = ['a', 'A', 'b', 'B', '.', '/', '\\', '-', '_', '%', '~', ':', '\u0000', 'é', 'É', '\uD83D', '\uDE00', ' ', '1', 'G', 'H', 'S'];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = Math.floor(next() * (i % 50 === 0 ? 200 : 12));
    let id = '';
    for (let j = 0; j < length; j++) id += alphabet[Math.floor(next() * alphabet.length)];
    ids.push(id);
  }
  return ids;
}

function assertSafeAndDistinct(ids: readonly string[]): void {
  const unique = [...new Set(ids)];
  const seen = new Map<string, string>();
  for (const id of unique) {
    for (const path of [advisoryPath(id), recordPath('osv', id)]) {
      assert.ok(isSafeExportPath(path), `${JSON.stringify(id)} → unsafe ${path}`);
      for (const segment of path.split('/')) assert.ok(Buffer.byteLength(segment) <= 140, `${JSON.stringify(id)}: ${segment.length}-byte name`);
    }
    const fold = advisoryPath(id).toLowerCase();
    const other = seen.get(fold);
    assert.equal(other, undefined, `${JSON.stringify(id)} and ${JSON.stringify(other)} share ${fold} (case ignored)`);
    seen.set(fold, id);
  }
}

describe('export paths', () => {
  test('the id shapes feeds use get readable, year/prefix fanned-out paths', () => {
    assert.equal(advisoryPath('CVE-2021-44906'), 'advisories/2021/CVE-2021-44906.json');
    assert.equal(recordPath('nvd', 'CVE-2020-8203'), 'sources/nvd/2020/CVE-2020-8203.json');
    assert.equal(recordPath('ghsa', 'GHSA-p6mc-m468-83gw'), 'sources/ghsa/GHSA/p6/GHSA-p6mc-m468-83gw.json');
    assert.equal(recordPath('osv', 'PYSEC-2021-66'), 'sources/osv/PYSEC/2021/PYSEC-2021-66.json');
    assert.equal(recordPath('osv', 'GO-2022-0969'), 'sources/osv/GO/2022/GO-2022-0969.json');
    assert.equal(recordPath('osv', 'RUSTSEC-2020-0071'), 'sources/osv/RUSTSEC/2020/RUSTSEC-2020-0071.json');
    assert.equal(recordPath('osv', 'UBUNTU-CVE-2025-38094'), 'sources/osv/UBUNTU/2025/UBUNTU-CVE-2025-38094.json');
    assert.equal(recordPath('osv', 'ALSA-2025:10073'), 'sources/osv/ALSA/2025/ALSA-2025%3A10073.json');
    assert.equal(recordPath('osv', 'DSA-3029-1'), 'sources/osv/DSA/DSA-3029-1.json');
  });

  test('hostile ids stay one safe file name, inside the tree', () => {
    assert.equal(recordPath('osv', '../../x'), 'sources/osv/_/%2E.%2F..%2Fx~0.json');
    assert.equal(recordPath('osv', '/etc/passwd'), 'sources/osv/_/%2Fetc%2Fpasswd~0.json');
    assert.equal(recordPath('osv', 'x\u0000y'), 'sources/osv/_/x%00y~0.json');
    assert.equal(recordPath('osv', 'NUL'), 'sources/osv/_/%4EUL.json');
    assert.equal(recordPath('../../evil', 'CVE-2021-1'), 'sources/%2E.%2F..%2Fevil/2021/CVE-2021-1.json');
    assert.match(recordPath('osv', 'A'.repeat(300)), /^sources\/osv\/_\/A{64}~~[0-9a-f]{64}\.json$/);
    assertSafeAndDistinct(HOSTILE);
  });

  test('ids differing only in letter case get names that differ with case ignored', () => {
    const variants = ['GHSA-p6mc-m468-83gw', 'GHSA-P6MC-M468-83GW', 'ghsa-p6mc-m468-83gw', 'Ghsa-p6mc-m468-83gw'];
    assert.equal(preferredIdCase('ghsa-P6MC-m468-83gw'), 'GHSA-p6mc-m468-83gw');
    assert.equal(advisoryPath(variants[0] as string), 'advisories/GHSA/p6/GHSA-p6mc-m468-83gw.json');
    const dirs = new Set(variants.map((v) => advisoryPath(v).split('/').slice(0, -1).join('/')));
    assert.deepEqual([...dirs], ['advisories/GHSA/p6'], 'case variants share one directory');
    assertSafeAndDistinct(variants);
    assert.notEqual(safeName('OSV', (s) => s.toLowerCase()).toLowerCase(), safeName('osv', (s) => s.toLowerCase()).toLowerCase());
  });

  test('property: 20,000 pseudo-random ids map to safe, case-insensitively distinct paths', () => {
    assertSafeAndDistinct(randomIds(20_000));
  });

  test('isSafeExportPath refuses what no export writes', () => {
    for (const path of ['', '/abs', 'a//b', '../x', 'a/./b', 'a/../b', '.x', 'a\\b', 'manifest.json', 'NUL/x.json', 'a/con.json', 'a b']) {
      assert.equal(isSafeExportPath(path), false, path);
    }
    assert.equal(isSafeExportPath('advisories/2021/CVE-2021-1.json'), true);
  });
});
