import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { apk, apkCompareFuzzy, apkCompareLoose } from './apk.js';
import { VersionError } from './scheme.js';

// Upstream apk-tools answer files, byte-exact (origin and licence: testdata/apk-SOURCE).
const testdata = (name: string): string => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

/** One line of apk-tools' version.data: `A op B` (op may be negated with '!'), `V` or `!V`. */
type DataLine =
  | { line: number; text: string; kind: 'compare'; a: string; op: string; b: string; negated: boolean }
  | { line: number; text: string; kind: 'validity'; version: string; negated: boolean };

/**
 * Reads version.data the way both upstream harnesses do: '#' starts a comment (apk 3; in apk 2
 * comments only ever follow the third field), fields are separated by whitespace.
 */
function readApkData(name: string): DataLine[] {
  const out: DataLine[] = [];
  readFileSync(testdata(name), 'utf8').split('\n').forEach((raw, index) => {
    const text = (raw.split('#')[0] ?? '').trim();
    if (text === '') return;
    const fields = text.split(/\s+/);
    const line = index + 1;
    if (fields.length === 3) {
      const [a = '', rawOp = '', b = ''] = fields;
      const negated = rawOp.startsWith('!');
      out.push({ line, text, kind: 'compare', a, op: negated ? rawOp.slice(1) : rawOp, b, negated });
    } else if (fields.length === 1) {
      const negated = text.startsWith('!');
      out.push({ line, text, kind: 'validity', version: negated ? text.slice(1) : text, negated });
    } else {
      throw new Error(`${name}:${line}: cannot read ${JSON.stringify(raw)}`);
    }
  });
  return out;
}

const BIT = { '<': 2, '=': 1, '>': 4 } as const;
const resultBit = (r: number): number => (r < 0 ? BIT['<'] : r > 0 ? BIT['>'] : BIT['=']);

function isValid(version: string): boolean {
  try {
    apk.parse(version);
    return true;
  } catch (error) {
    assert.ok(error instanceof VersionError && error.code === 'INVALID_VERSION', String(error));
    return false;
  }
}

/** Our answer to one line, read with apk 3's harness rules (op letters < = > ~, '~' = fuzzy). */
function holds(entry: DataLine): boolean {
  if (entry.kind === 'validity') return isValid(entry.version) !== entry.negated;
  let mask = 0;
  for (const ch of entry.op) mask |= ch === '~' ? 8 | BIT['='] : BIT[ch as keyof typeof BIT] ?? 0;
  const result = mask & 8 ? apkCompareFuzzy(entry.a, entry.b) : apkCompareLoose(entry.a, entry.b);
  return ((resultBit(result) & mask) !== 0) !== entry.negated;
}

/*
 * Lines of apk-tools 3 (HEAD) test data that apk 2.14.10 answers differently; we follow apk 2
 * (Alpine <= 3.22). Each was confirmed against apk-tools 2.14.10's and HEAD's src/version.c.
 */
const V3_ONLY = new Map<string, string>([
  // apk 3 sorts a leading-zero field as a string; apk 2 makes the zero run a token of its own.
  ['8.2.0 < 8.2.001', 'leading zeros: apk 2 says 8.2.0 > 8.2.001'],
  ['8.2.0015 < 8.2.002', 'leading zeros: apk 2 says 8.2.0015 > 8.2.002'],
  // `~hash` commit suffixes are new in apk 3; apk 2 stops at '~' (invalid), so only the prefix counts.
  ['1.0~1234 < 1.0~2345', '~hash: apk 2 sees 1.0 = 1.0'],
  ['1.0~1234-r1 < 1.0~2345-r0', '~hash: apk 2 sees 1.0 = 1.0'],
  ['1.0~1234-r1 > 1.0~1234-r0', '~hash: apk 2 sees 1.0 = 1.0'],
  ['0.1_pre2~1234abcd', '~hash: invalid in apk 2'],
  // apk 2's fuzzy match is symmetric: equal on the common token prefix.
  ['3.8 !~ 3.8.1', 'fuzzy: apk 2 says 3.8 ~ 3.8.1'],
  // apk 2 allows digits after the letter (1.0a1 = 1, 0, a, 1).
  ['!0.1a1', 'letter then digits: valid in apk 2'],
  // apk 2 lets a revision follow a revision.
  ['!0.1-r2-r3', 'repeated -rN: valid in apk 2'],
]);

describe('apk (apk-tools 2.14.10 semantics)', () => {
  it('answers every line of apk-tools 2.14.10 test/version.data, in both directions', () => {
    const failures: string[] = [];
    const lines = readApkData('apk-version-v2.14.10.data');
    for (const entry of lines) {
      assert.ok(entry.kind === 'compare' && !entry.negated && entry.op in BIT, `line ${entry.line}: ${entry.text}`);
      const want = resultBit(entry.op === '<' ? -1 : entry.op === '>' ? 1 : 0);
      const back = resultBit(entry.op === '<' ? 1 : entry.op === '>' ? -1 : 0);
      if (resultBit(apkCompareLoose(entry.a, entry.b)) !== want) failures.push(`line ${entry.line}: ${entry.text}`);
      if (resultBit(apkCompareLoose(entry.b, entry.a)) !== back) failures.push(`line ${entry.line} reversed: ${entry.text}`);
    }
    assert.equal(lines.length, 733);
    assert.deepEqual(failures, []);
  });

  it('strict compare agrees with apk 2 where both versions are valid, and rejects the rest', () => {
    let strict = 0;
    const failures: string[] = [];
    for (const entry of readApkData('apk-version-v2.14.10.data')) {
      if (entry.kind !== 'compare') continue;
      if (isValid(entry.a) && isValid(entry.b)) {
        strict++;
        if (apk.compare(entry.a, entry.b) !== apkCompareLoose(entry.a, entry.b)) failures.push(entry.text);
      } else {
        assert.throws(() => apk.compare(entry.a, entry.b), VersionError);
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(strict > 700, `only ${strict} lines had two valid versions`);
  });

  it('answers apk-tools 3 test data like apk 3 except on the listed apk 2 / apk 3 differences', () => {
    const lines = readApkData('apk-version-v3-head.data');
    const differing = lines.filter((entry) => !holds(entry)).map((entry) => entry.text);
    assert.deepEqual(differing.sort(), [...V3_ONLY.keys()].sort());
    // Report the agreement ratio (776 of its 785 entries when written).
    process.stderr.write(`apk: ${lines.length - differing.length}/${lines.length} apk 3 lines agree\n`);
  });

  it('rejects what apk 2 rejects and its degenerate cases that apk 3 also rejects', () => {
    for (const bad of ['', 'a', '.1', '_pre1', '-r1', '1..2', '1.a', '1.0_', '1.0-r', '1.0bc', '1.0_foo', '1.0-1',
      '1.0~abc', '1.0 ', '1.0\0', '1.123456789012345678', 'Ⅰ.0']) {
      assert.throws(() => apk.parse(bad), (e: unknown) => e instanceof VersionError && e.code === 'INVALID_VERSION', bad);
    }
    for (const good of ['0', '1.2.3', '1.0a', '1.0a1', '1.0_alpha', '1.0_rc1_p2', '1.0_git20240101-r10',
      '1.12345678901234567']) {
      assert.doesNotThrow(() => apk.parse(good), good);
    }
  });

  it('orders suffixes, letters, revisions and very long numbers', () => {
    const ordered = ['1.0_alpha', '1.0_alpha1', '1.0_beta', '1.0_pre', '1.0_rc9', '1.0', '1.0-r1', '1.0_cvs',
      '1.0_svn', '1.0_git', '1.0_hg', '1.0_p', '1.0_p1', '1.0a', '1.0z', '1.0.1', '1.9007199254740993',
      '1.9007199254740994', '1.12345678901234567'];
    for (let i = 1; i < ordered.length; i++) {
      const [lo = '', hi = ''] = [ordered[i - 1], ordered[i]];
      assert.equal(apk.compare(lo, hi), -1, `${lo} < ${hi}`);
      assert.equal(apk.compare(hi, lo), 1, `${hi} > ${lo}`);
    }
    assert.equal(apk.compare('1.9007199254740993', '1.9007199254740993'), 0);
  });
});
