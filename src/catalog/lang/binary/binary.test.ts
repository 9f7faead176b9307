import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CatalogError } from '../../analyzer.js';
import { findSection, looksExecutable, openExecutables, sectionData, wantsExecutable } from './index.js';
import { synthElf, synthFat, synthMacho, synthPe } from './synth.js';

const payload = Buffer.from('hello section');

describe('openExecutables', () => {
  for (const [bits, little] of [[32, true], [32, false], [64, true], [64, false]] as const) {
    it(`reads sections and segments of a ${bits}-bit ${little ? 'little' : 'big'}-endian ELF`, () => {
      const [exe] = openExecutables(synthElf(bits, little, [{ name: '.dep-v0', addr: 0x4000, data: payload }]));
      assert.equal(exe?.format, 'elf');
      assert.equal(exe?.bits, bits);
      assert.equal(exe?.littleEndian, little);
      const section = findSection(exe!, '.dep-v0');
      assert.deepEqual(sectionData(exe!, section!), payload);
      assert.equal(section?.addr, 0x4000);
      assert.equal(exe?.segments[0]?.vaddr, 0x4000);
      assert.ok(findSection(exe!, '.shstrtab'));
    });
  }

  for (const bits of [32, 64] as const) {
    it(`reads a PE${bits === 64 ? '32+' : '32'} with a long section name from the COFF string table`, () => {
      const [exe] = openExecutables(synthPe(bits, 0x400000, [
        { name: '.dep-v0', addr: 0x401000, data: payload },
        { name: '.debug_abbrev', addr: 0x402000, data: Buffer.from('x') },
      ]));
      assert.equal(exe?.format, 'pe');
      assert.equal(exe?.bits, bits);
      assert.equal(exe?.imageBase, 0x400000);
      assert.deepEqual(sectionData(exe!, findSection(exe!, '.dep-v0')!), payload);
      assert.equal(findSection(exe!, '.debug_abbrev')?.addr, 0x402000);
    });
  }

  for (const [bits, little] of [[32, false], [64, true], [64, false]] as const) {
    it(`reads a thin ${bits}-bit ${little ? 'little' : 'big'}-endian Mach-O`, () => {
      const [exe] = openExecutables(synthMacho(bits, little, [{ name: '.dep-v0', segment: '__DATA', addr: 0x2000, data: payload }]));
      assert.equal(exe?.format, 'macho');
      assert.deepEqual(sectionData(exe!, findSection(exe!, '.dep-v0', '__DATA')!), payload);
      assert.equal(findSection(exe!, '.dep-v0', '__TEXT'), undefined);
      assert.deepEqual(exe?.segments.map((s) => [s.name, s.vaddr, s.flags, s.maxprot]), [['__DATA', 0x2000, 3, 3]]);
    });
  }

  it('reads every slice of a fat Mach-O', () => {
    const a = synthMacho(64, true, [{ name: 'a', addr: 0x1000, data: Buffer.from('A') }]);
    const b = synthMacho(64, true, [{ name: 'b', addr: 0x1000, data: Buffer.from('B') }]);
    const slices = openExecutables(synthFat([a, b]));
    assert.deepEqual(slices.map((s) => s.sections[0]?.name), ['a', 'b']);
  });

  it('returns nothing for non-executables, without parsing', () => {
    assert.deepEqual(openExecutables(Buffer.from('#!/bin/sh\necho hello world, this is a script\n')), []);
    assert.deepEqual(openExecutables(Buffer.alloc(0)), []);
    // A Java class file shares 0xCAFEBABE with fat Mach-O; its next word is the version (major 52).
    assert.equal(looksExecutable(Buffer.from('cafebabe000000340000000000000000', 'hex')), false);
    // "MZ" without a PE header (a DOS program, or text) is not read.
    assert.deepEqual(openExecutables(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)])), []);
  });

  it('throws MALFORMED_FILE for truncated headers', () => {
    const elf = synthElf(64, true, [{ name: '.x', addr: 0x1000, data: payload }]);
    assert.throws(() => openExecutables(elf.subarray(0, 0x1000)), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE');
    const macho = synthMacho(64, true, [{ name: 'x', addr: 0x1000, data: payload }]);
    assert.throws(() => openExecutables(macho.subarray(0, 40)), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE');
  });
});

describe('wantsExecutable', () => {
  it('wants files with an x bit between 4 KiB and 256 MiB, and answers yes to a size-limit query', () => {
    assert.equal(wantsExecutable({ mode: 0o755, size: 2_000_000 }), true);
    assert.equal(wantsExecutable({ mode: 0o100, size: 5000 }), true);
    assert.equal(wantsExecutable({ mode: 0o644, size: 2_000_000 }), false);
    assert.equal(wantsExecutable({ mode: 0o755, size: 100 }), false);
    assert.equal(wantsExecutable({ mode: 0o755, size: 300 * 1024 * 1024 }), false);
    assert.equal(wantsExecutable(undefined), true);
  });
});
