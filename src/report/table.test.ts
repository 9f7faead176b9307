import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shuffle } from '../../test/support/shuffle.js';
import type { Finding } from '../match/index.js';
import { writeReport } from './index.js';
import { PACKAGES, puttyFinding, syntheticFindings, syntheticInput, syntheticInventory } from './testing.js';

// Inputs are SYNTHETIC findings built from real GHSA, NVD and Debian records (see testing.ts).

function sections(text: string): string[][] {
  return text.trimEnd().split('\n\n').map((block) => block.split('\n'));
}

/** The start column of each header word, to check every row lines up under it. */
function columnStarts(header: string): number[] {
  return [...header.matchAll(/\S+/g)].map((m) => m.index);
}

describe('table report', () => {
  test('one section per target, OS packages first, each with its severity summary', () => {
    const text = writeReport('table', syntheticInput());
    const headings = text.split('\n').filter((line, i, all) => /^=+$/.test(all[i + 1] ?? ''));
    assert.deepEqual(headings, ['docker-archive:app.tar (debian 11)', 'app/package-lock.json', 'Suppressed']);
    assert.match(text, /^Total: 2 \(CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 1, UNKNOWN: 0\)$/m);
    assert.match(text, /^Total: 2 \(CRITICAL: 0, HIGH: 2, MEDIUM: 0, LOW: 0, UNKNOWN: 0\)$/m);
    assert.doesNotMatch(text, /requests/, 'a target without findings gets no section');
    assert.ok(!text.includes('\u001b'), 'no colour escapes');
  });

  test('rows are sorted by severity and show installed and fixed versions', () => {
    const text = writeReport('table', syntheticInput());
    const osRows = sections(text)[1] ?? [];
    assert.equal(osRows[0]?.startsWith('PACKAGE '), true);
    assert.match(osRows[2] ?? '', /^zlib1g\s+CVE-2023-45853\s+CRITICAL\s+unknown\s+1:1\.2\.11\.dfsg-2\+deb11u2\s+-\s+MiniZip/);
    assert.match(osRows[3] ?? '', /^putty\s+CVE-2021-36367\s+LOW\s+will_not_fix\s+0\.74-1\+deb11u1\s+-\s+PuTTY through 0\.75/);
    const langRows = sections(text)[3] ?? [];
    assert.equal(langRows[0]?.startsWith('LIBRARY '), true);
    assert.match(langRows[2] ?? '', /^lodash\s+CVE-2020-8203\s+HIGH\s+fixed\s+4\.17\.15\s+4\.17\.20\s+Prototype Pollution in lodash$/);
  });

  test('columns line up and long titles are cut to 60 characters', () => {
    const text = writeReport('table', syntheticInput());
    for (const block of sections(text).filter((b) => /^(PACKAGE|LIBRARY) /.test(b[0] ?? ''))) {
      const starts = columnStarts(block[0] ?? '');
      for (const row of block.slice(1)) {
        for (const start of starts.slice(1)) assert.equal(row[start - 1], ' ', `column boundary at ${start} in ${JSON.stringify(row)}`);
        assert.ok(row.length - (starts.at(-1) ?? 0) <= 60, `title cell at most 60 chars: ${row}`);
      }
    }
    assert.match(text, /MiniZip in zlib through 1\.3 has an integer overflow and r\.\.\./);
  });

  test('fixed versions are never cut, however many (RUSTSEC-2020-0071 lists a fix per 0.2.x line)', () => {
    const fixed = ['0.2.0', '0.2.1', '0.2.2', '0.2.3', '0.2.4', '0.2.5', '0.2.6', '0.2.23'];
    const many: Finding = { ...puttyFinding(), fixedVersions: fixed, status: 'fixed' };
    const text = writeReport('table', syntheticInput({ findings: [many], suppressed: [] }));
    assert.ok(text.includes(` ${fixed.join(', ')} `), text);
  });

  test('NONE is summarized only when present, after LOW', () => {
    const none: Finding = { ...puttyFinding(), id: 'CVE-2021-36367-NONE', severity: 'NONE', ratings: [] };
    const text = writeReport('table', syntheticInput({ findings: [puttyFinding(), none], suppressed: [] }));
    assert.match(text, /Total: 2 \(CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 1, NONE: 1, UNKNOWN: 0\)/);
    assert.ok(text.indexOf('CVE-2021-36367 ') < text.indexOf('CVE-2021-36367-NONE'));
  });

  test('suppressed findings are listed with the reason and justification', () => {
    const text = writeReport('table', syntheticInput());
    assert.match(text, /^ant\s+CVE-2021-36373\s+LOW\s+vex:not_affected\s+vulnerable_code_not_in_execute_path: The ant CLI/m);
    const ignored = writeReport('table', syntheticInput({ suppressed: [{ finding: puttyFinding(), reason: 'ignore-file', statement: 'accepted until the next release' }] }));
    assert.match(ignored, /^putty\s+CVE-2021-36367\s+LOW\s+ignore-file\s+accepted until the next release$/m);
  });

  test('no findings: the target and a zero summary', () => {
    const text = writeReport('table', syntheticInput({ findings: [], suppressed: [] }));
    assert.equal(text, 'docker-archive:app.tar\n======================\nTotal: 0 (CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0)\n');
  });

  test('the same findings in any order give the same bytes', () => {
    const expected = writeReport('table', syntheticInput());
    for (const seed of [1, 2, 3]) {
      const inventory = { ...syntheticInventory(), packages: shuffle(Object.values(PACKAGES), seed) };
      assert.equal(writeReport('table', syntheticInput({ inventory, findings: shuffle(syntheticFindings(), seed) })), expected);
    }
  });
});
