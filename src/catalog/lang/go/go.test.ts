import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openExecutables } from '../binary/index.js';
import { synthElf, synthFat, synthMacho, synthPe } from '../binary/synth.js';
import { analyzeGoBinary, goBinaryAnalyzer } from './binary.js';
import { readRawBuildInfo } from './buildinfo.js';
import { parseModinfo } from './modinfo.js';
import { stdlibVersion } from './package.js';
import { framedModinfo, inlineBlob, pointerBlob } from './synth-buildinfo.js';

const MODINFO = [
  'path\texample.com/app/cmd/app',
  'mod\texample.com/app\t(devel)\t',
  'dep\tgithub.com/pkg/errors\tv0.9.1\th1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=',
  'dep\tgolang.org/x/sys\tv0.3.0',
  '=>\tgithub.com/fork/sys\tv0.3.1\th1:abc=',
  'dep\tk8s.io/api\tv0.0.0',
  '=>\t./staging/src/k8s.io/api\t(devel)\t',
  'build\tGOOS=linux',
  '',
].join('\n');

const summary = (file: Buffer) => (analyzeGoBinary({ path: '/usr/bin/app', content: file }).packages ?? [])
  .map((p) => `${p.namespace === undefined ? '' : `${p.namespace}/`}${p.name}@${p.version}`);

const EXPECTED = ['example.com/app@(devel)', 'github.com/pkg/errors@v0.9.1', 'github.com/fork/sys@v0.3.1', 'k8s.io/api@(devel)', 'stdlib@v1.17.13'];

describe('Go build info', () => {
  it('reads the Go ≥ 1.18 inline form from .go.buildinfo in ELF32 big-endian and ELF64 little-endian', () => {
    for (const [bits, little] of [[32, false], [64, true]] as const) {
      const blob = inlineBlob('go1.17.13', framedModinfo(MODINFO), bits === 64 ? 8 : 4, !little);
      assert.deepEqual(summary(synthElf(bits, little, [{ name: '.go.buildinfo', addr: 0x10000, data: blob }])), EXPECTED);
    }
  });

  it('reads the pre-1.18 pointer form through virtual addresses, 4- and 8-byte, both byte orders', () => {
    for (const [ptr, big] of [[4, true], [4, false], [8, true], [8, false]] as const) {
      const addr = 0x20000;
      // No .go.buildinfo section: found at the start of the first writable PT_LOAD segment.
      const file = synthElf(ptr === 8 ? 64 : 32, !big, [{ name: '.noptrdata', addr, data: pointerBlob(addr, 'go1.17.13', framedModinfo(MODINFO), ptr, big) }]);
      assert.deepEqual(summary(file), EXPECTED, `ptr ${ptr} big-endian ${big}`);
    }
  });

  it('finds the blob 16-byte aligned only, skipping a misaligned copy of the magic', () => {
    const blob = inlineBlob('go1.17.13', framedModinfo(MODINFO));
    const data = Buffer.concat([Buffer.alloc(3), Buffer.from('\xff Go buildinf:', 'latin1'), Buffer.alloc(15), blob]);
    assert.deepEqual(summary(synthElf(64, true, [{ name: '.go.buildinfo', addr: 0x10000, data }])), EXPECTED);
  });

  it('reads PE (first writable data section) and Mach-O (__go_buildinfo), and the first fat slice with build info', () => {
    const blob = inlineBlob('go1.17.13', framedModinfo(MODINFO));
    assert.deepEqual(summary(synthPe(64, 0x140000000, [{ name: '.data', addr: 0x140001000, data: blob }])), EXPECTED);
    assert.deepEqual(summary(synthPe(32, 0x400000, [{ name: '.data', addr: 0x401000, data: blob }])), EXPECTED);
    const macho = synthMacho(64, true, [{ name: '__go_buildinfo', segment: '__DATA', addr: 0x100000, data: blob }]);
    assert.deepEqual(summary(macho), EXPECTED);
    const notGo = synthMacho(64, true, [{ name: '__data', segment: '__DATA', addr: 0x100000, data: Buffer.alloc(64) }]);
    assert.deepEqual(summary(synthFat([notGo, macho])), EXPECTED);
  });

  it('without modinfo (GOPATH build) reports stdlib only; non-Go executables and scripts give nothing', () => {
    const blob = inlineBlob('go1.19.8', Buffer.from(''));
    assert.deepEqual(summary(synthElf(64, true, [{ name: '.go.buildinfo', addr: 0x10000, data: blob }])), ['stdlib@v1.19.8']);
    assert.deepEqual(summary(synthElf(64, true, [{ name: '.data', addr: 0x10000, data: Buffer.alloc(128) }])), []);
    assert.deepEqual(analyzeGoBinary({ path: '/x.sh', content: Buffer.from('#!/bin/sh\nexec /usr/bin/true "$@"\n') }), {});
  });

  it('marks the main module, replacements, directory replacements, sums and the project', () => {
    const blob = inlineBlob('go1.21rc2 X:boringcrypto', framedModinfo(MODINFO));
    const [exe] = openExecutables(synthElf(64, true, [{ name: '.go.buildinfo', addr: 0x10000, data: blob }]));
    assert.equal(readRawBuildInfo(exe!)?.goVersion, 'go1.21rc2 X:boringcrypto');
    const result = analyzeGoBinary({ path: '/usr/bin/app', content: exe!.bytes });
    const byName = new Map((result.packages ?? []).map((p) => [p.name, p]));
    const common = { 'stella:evidence': 'installed', 'stella:project': 'example.com/app' };
    assert.deepEqual(byName.get('app')?.properties, { ...common, 'stella:go-main': 'true' });
    assert.deepEqual(byName.get('errors')?.properties, { ...common, 'stella:integrity': 'h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=' });
    assert.deepEqual(byName.get('sys')?.properties, { ...common, 'stella:go-replaced-path': 'golang.org/x/sys', 'stella:go-replaced-version': 'v0.3.0', 'stella:integrity': 'h1:abc=' });
    assert.equal(byName.get('sys')?.namespace, 'github.com/fork');
    assert.deepEqual(byName.get('api')?.properties, { ...common, 'stella:go-replaced-path': 'k8s.io/api', 'stella:go-replaced-version': 'v0.0.0', 'stella:go-replace-dir': './staging/src/k8s.io/api' });
    assert.deepEqual(byName.get('stdlib'), { type: 'golang', name: 'stdlib', version: 'v1.21.0-rc.2', location: '/usr/bin/app', foundBy: 'go-binary', properties: { ...common, 'stella:go-toolchain': 'go1.21rc2 X:boringcrypto' } });
  });

  it('wants executables only', () => {
    assert.equal(goBinaryAnalyzer.wants('/usr/local/bin/app', { mode: 0o755, size: 5_000_000 }), true);
    assert.equal(goBinaryAnalyzer.wants('/usr/local/bin/app', { mode: 0o644, size: 5_000_000 }), false);
  });
});

describe('parseModinfo', () => {
  it('keeps the good lines and reports the bad ones, as ParseBuildInfo would refuse them', () => {
    const info = parseModinfo('path\tx\nmod\tx\n=>\tstray\tv1\t\ndep\ta\tv1.0.0\ndep\tb\tv1\textra\tcolumn\n=>\tc\tv2\t\nunknown\tline\ndep\td\tv4\n');
    assert.deepEqual(info.deps.map((d) => d.path), ['a', 'd']);
    assert.deepEqual(info.errors, [
      'line 2: expected 2 or 3 columns; got 1',
      'line 3: replacement with no module on previous line',
      'line 5: expected 2 or 3 columns; got 4',
      'line 6: replacement with no module on previous line',
    ]);
  });

  it('ignores a last line without a newline, as Go does', () => {
    assert.deepEqual(parseModinfo('dep\ta\tv1\ndep\tb\tv2').deps.map((d) => d.path), ['a']);
  });
});

describe('stdlibVersion', () => {
  const vectors: [string, string | undefined][] = [
    ['go1.19.8', 'v1.19.8'], ['go1.20', 'v1.20.0'], ['go1.21.0', 'v1.21.0'], ['go1.21rc2', 'v1.21.0-rc.2'],
    ['go1.18beta1', 'v1.18.0-beta.1'], ['go1.23.1 X:nocoverageredesign', 'v1.23.1'], ['devel go1.23-abcdef Tue', undefined], ['', undefined],
  ];
  for (const [input, expected] of vectors) it(`${JSON.stringify(input)} → ${String(expected)}`, () => assert.equal(stdlibVersion(input), expected));
});
