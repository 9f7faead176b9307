import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkRange, parseRangeForScheme } from './range-parse.js';
import { canonicalVers, evaluate, formatVers, parseVers } from './range.js';
import type { VersionScheme } from './scheme.js';
import { gem } from './gem.js';
import { npm } from './npm.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';

const SPEC_SCHEMES: Readonly<Record<string, VersionScheme>> = { npm, gem, nuget, pypi: pep440 } as Record<string, VersionScheme>;
const specRows = readFileSync(new URL('./testdata/range-vers-spec.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => l.split('\t'));

describe('parseVers', () => {
  it('reads type and constraints, with = implied and percent-decoding once', () => {
    assert.deepEqual(parseVers('vers:npm/1.2.3|>=2.0.0|<5.0.0').constraints, [
      { comparator: '=', version: '1.2.3' }, { comparator: '>=', version: '2.0.0' }, { comparator: '<', version: '5.0.0' },
    ]);
    assert.deepEqual(parseVers('vers:npm/1.0%252F0').constraints, [{ comparator: '=', version: '1.0%2F0' }]);
    assert.equal(parseVers('vers:pep440/>=1.0').type, 'pypi');
    assert.equal(parseVers('vers:go/>=v1.0.0').type, 'golang');
  });

  it('rejects malformed vers strings', () => {
    for (const bad of ['vers:npm/', 'vers:npm/>=', 'vers:npm/>=1|', 'vers:npm/|1', 'vers:npm/1||2', 'vers:npm/ 1', 'vers:NPM/1', 'VERS:npm/1',
      'npm/1', 'vers:npm/1%2g', 'vers:npm/1%2F', 'vers:npm/*|1', 'vers:nope/1', 'vers:npm/=>1', 'vers:npm/1%2e0']) {
      assert.throws(() => parseVers(bad), { code: 'INVALID_RANGE' }, bad);
    }
  });

  it('follows the vers-spec parse test cases (except: unsorted input is accepted)', () => {
    for (const [kind, input, want] of specRows) {
      if (kind !== 'parse') continue;
      const ok = (() => { try { canonicalVers(parseVers(input as string), npm); return true; } catch { return false; } })();
      const syntaxOnly = (() => { try { parseVers(input as string); return true; } catch { return false; } })();
      // 1.0%2F0 is a valid vers but not an npm version: the syntax check is what the case is about.
      assert.equal(input?.includes('%25') ? syntaxOnly : ok, want === 'ok', input);
    }
  });
});

describe('formatVers and canonical form', () => {
  it('sorts, merges and prints holes as !=', () => {
    const canon = (s: VersionScheme, t: string) => formatVers(parseVers(t), s);
    assert.equal(canon(npm, 'vers:npm/>=2.0.0|<5.0.0|1.2.3'), 'vers:npm/1.2.3|>=2.0.0|<5.0.0');
    assert.equal(canon(gem, 'vers:gem/<2.3.0|!=2.2.1|>=2.2.0'), 'vers:gem/>=2.2.0|!=2.2.1|<2.3.0');
    assert.equal(canon(gem, 'vers:gem/!=1.0'), 'vers:gem/!=1.0');
    assert.equal(canon(npm, 'vers:npm/*'), 'vers:npm/*');
    assert.equal(canon(npm, 'vers:npm/>=1.0.0|!=0.5.0'), 'vers:npm/>=1.0.0');
    assert.equal(formatVers({ type: 'npm', constraints: [{ comparator: '=', version: 'a|b' }] }), 'vers:npm/a%7Cb');
  });

  it('rejects duplicate versions and broken < > alternation', () => {
    for (const bad of ['vers:npm/>=1.0.0|>=2.0.0', 'vers:npm/<1.0.0|<2.0.0', 'vers:npm/1.0.0|1.0.0', 'vers:npm/1.0.0|<2.0.0', 'vers:npm/>=1.0.0|<=1.0.0']) {
      assert.throws(() => canonicalVers(parseVers(bad), npm), { code: 'INVALID_RANGE' }, bad);
      assert.equal(evaluate(parseVers(bad), '1.5.0', npm), 'unknown', bad);
    }
  });

  it('reproduces the vers-spec from_native cases (our reading noted where it differs)', () => {
    for (const [kind, scheme, native, want, note] of specRows) {
      if (kind !== 'from_native') continue;
      const expected = note?.startsWith('# ours: ') ? note.slice(8, note.indexOf(' (')) : want;
      assert.equal(formatVers(parseRangeForScheme(SPEC_SCHEMES[scheme as string] as VersionScheme, native as string)), expected, native);
    }
  });
});

describe('evaluate', () => {
  it('answers the vers-spec containment cases', () => {
    for (const [kind, vers, version, want] of specRows) {
      if (kind !== 'containment') continue;
      const range = parseVers(vers as string);
      const scheme = SPEC_SCHEMES[range.type] as VersionScheme;
      assert.equal(evaluate(range, version as string, scheme), want === 'true' ? 'affected' : 'not-affected', `${vers} ${version}`);
    }
  });

  it('is unknown for an unparseable version, a foreign vers type or a bad bound', () => {
    assert.equal(evaluate(parseVers('vers:npm/>=1.0.0'), 'not a version', npm), 'unknown');
    assert.equal(evaluate(parseVers('vers:pypi/>=1.0'), '1.0.0', npm), 'unknown');
    assert.equal(evaluate(parseVers('vers:npm/>=1.0'), '1.0.0', npm), 'unknown');
    assert.equal(checkRange(npm, 'vers:pypi/>=1.0', '1.0.0'), 'unknown');
  });

  it('handles vers:all and vers:none for any scheme', () => {
    assert.equal(evaluate(parseVers('vers:all/*'), '1.0.0', npm), 'affected');
    assert.equal(evaluate(parseVers('vers:none/*'), '1.0.0', npm), 'not-affected');
    assert.equal(formatVers(parseRangeForScheme(npm, '>2.0.0 <1.0.0')), 'vers:none/*');
  });

  it('counts a pre-release inside an affected interval as affected', () => {
    assert.equal(checkRange(npm, '>=1.0.0 <2.0.0', '1.5.0-beta.1'), 'affected');
    assert.equal(checkRange(pep440, '>=1.0,<2.0', '1.5rc1'), 'affected');
    assert.equal(checkRange(gem, '>= 1.0, < 2.0', '1.5.pre'), 'affected');
  });
});
