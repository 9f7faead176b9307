import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogError } from '../analyzer.js';
import { normalizeLicense } from '../license.js';
import { apkAnalyzer, parseApkInstalled } from './apk.js';

const PATH = '/lib/apk/db/installed';
const fixture = (scenario: string): Buffer => readFileSync(fileURLToPath(new URL(`./testdata/apk/${scenario}/installed`, import.meta.url)));
const parse = (content: Buffer | string) => parseApkInstalled({ path: PATH, content: typeof content === 'string' ? Buffer.from(content) : content });

describe('apk analyzer on real installed databases', () => {
  it('reads every package of an Alpine 3.16 base image with origin as source', () => {
    const result = parse(fixture('alpine-3.16'));
    assert.equal(result.issues, undefined);
    assert.equal(result.packages?.length, 14);
    assert.deepEqual(result.packages?.find((p) => p.name === 'libssl1.1'), {
      type: 'apk', name: 'libssl1.1', version: '1.1.1q-r0', arch: 'x86_64', location: PATH, foundBy: 'apk',
      source: { name: 'openssl' }, licenses: ['OpenSSL'],
    });
    assert.deepEqual(result.packages?.find((p) => p.name === 'ca-certificates-bundle')?.licenses, ['MPL-2.0 AND MIT']);
  });

  it('keeps the raw license when it is not an SPDX expression', () => {
    const musl = parse(fixture('alpine-3.16')).packages?.find((p) => p.name === 'musl-utils');
    assert.equal(musl?.licenses, undefined);
    assert.deepEqual(musl?.properties, { 'stella:license-raw': 'MIT BSD GPL2+' });
  });

  it('reads Alpine 3.19 SPDX licenses unchanged', () => {
    const packages = parse(fixture('alpine-3.19')).packages ?? [];
    assert.deepEqual(packages.map((p) => [p.name, p.version, p.licenses?.[0], p.properties]), [
      ['bash', '5.2.21-r0', 'GPL-3.0-or-later', undefined],
      ['busybox-binsh', '1.36.1-r15', 'GPL-2.0-only', undefined],
      ['musl', '1.2.4_git20230717-r4', 'MIT', undefined],
      ['readline', '8.2.1-r2', 'GPL-2.0-or-later', undefined],
    ]);
  });

  it('skips a corrupt record with an issue and keeps the rest', () => {
    const result = parse(fixture('corrupt'));
    assert.deepEqual(result.packages?.map((p) => p.name), ['alpine-baselayout-data']);
    assert.equal(result.issues?.length, 1);
    assert.equal(result.issues?.[0]?.code, 'MALFORMED_RECORD');
    assert.equal(result.issues?.[0]?.path, PATH);
  });

  it('skips a record without a version', () => {
    const result = parse(fixture('trivy-licenses'));
    assert.equal(result.packages?.length, 15);
    assert.match(result.issues?.[0]?.message ?? '', /invalidPackageWithoutAVersion: missing V:/);
  });

  it('reads CRLF and a missing final newline alike', () => {
    const text = fixture('alpine-3.16').toString();
    const expected = parse(text).packages;
    assert.deepEqual(parse(text.replace(/\n/g, '\r\n')).packages, expected);
    assert.deepEqual(parse(text.trimEnd()).packages, expected);
  });

  it('rejects a file that is not an apk database, and reads an empty one as no packages', () => {
    const malformed = (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE';
    assert.throws(() => parse(fixture('not-apk')), malformed);
    assert.throws(() => parse(Buffer.from([0, 1, 2, 3])), malformed);
    assert.deepEqual(parse('').packages, []);
  });

  it('wants only the installed database', () => {
    assert.ok(apkAnalyzer.wants(PATH));
    assert.ok(!apkAnalyzer.wants('/lib/apk/db/installed.old'));
    assert.ok(!apkAnalyzer.wants('/usr/lib/apk/db/installed'));
  });
});

describe('normalizeLicense', () => {
  const cases: [string, string | undefined][] = [
    ['MIT', 'MIT'],
    ['MIT AND BSD-2-Clause', 'MIT AND BSD-2-Clause'],
    ['( Apache-2.0 OR MIT ) AND MPL-2.0', '(Apache-2.0 OR MIT) AND MPL-2.0'],
    ['MIT OR Apache-2.0 AND BSD-3-Clause', 'MIT OR (Apache-2.0 AND BSD-3-Clause)'],
    ['GPL-2.0-or-later WITH Linux-syscall-note', 'GPL-2.0-or-later WITH Linux-syscall-note'],
    ['GPL2', 'GPL-2.0-only'],
    ['zlib', 'Zlib'],
    ['GPL-2.0-only and zlib', 'GPL-2.0-only AND Zlib'],
    ['GPL', undefined],
    ['BSD', undefined],
    ['MIT BSD GPL2+', undefined],
    ['Public-Domain', undefined],
    ['', undefined],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${String(expected)}`, () => assert.equal(normalizeLicense(raw), expected));
  }
});
