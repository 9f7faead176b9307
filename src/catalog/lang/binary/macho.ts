import { ByteReader, malformed, type Executable, type Section, type Segment } from './model.js';

/*
 * Mach-O (Apple's <mach-o/loader.h>, <mach-o/fat.h>): thin 32/64-bit files in either byte order,
 * read through their LC_SEGMENT / LC_SEGMENT_64 load commands and the sections inside them; and
 * universal ("fat") files, big-endian headers listing one slice per architecture.
 */

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;
const ZEROFILL_TYPES = new Set([0x1, 0xc, 0x12]); // S_ZEROFILL, S_GB_ZEROFILL, S_THREAD_LOCAL_ZEROFILL
const MAX_SLICES = 64;

/** The byte order and width a thin Mach-O magic announces, or undefined for another file. */
export function machoKind(bytes: Buffer): { bits: 32 | 64; littleEndian: boolean } | undefined {
  if (bytes.length < 4) return undefined;
  const be = bytes.readUInt32BE(0);
  if (be === 0xfeedface) return { bits: 32, littleEndian: false };
  if (be === 0xfeedfacf) return { bits: 64, littleEndian: false };
  if (be === 0xcefaedfe) return { bits: 32, littleEndian: true };
  if (be === 0xcffaedfe) return { bits: 64, littleEndian: true };
  return undefined;
}

/**
 * True for a universal binary header. 0xCAFEBABE is also a Java class file's magic; there the
 * next word holds the class file version (≥ 45), here the slice count (small), as file(1) tells them apart.
 */
export function isFatMacho(bytes: Buffer): boolean {
  if (bytes.length < 8) return false;
  const magic = bytes.readUInt32BE(0);
  return (magic === 0xcafebabe || magic === 0xcafebabf) && bytes.readUInt32BE(4) > 0 && bytes.readUInt32BE(4) < 20;
}

function readSection(r: ByteReader, at: number, bits: 32 | 64): Section {
  const name = r.fixedName(at, 16);
  const segment = r.fixedName(at + 16, 16);
  const addr = r.word(at + 32, bits);
  const size = r.word(at + (bits === 64 ? 40 : 36), bits);
  const fields = at + (bits === 64 ? 48 : 40);
  const offset = r.u32(fields);
  const flags = r.u32(fields + 16);
  const zerofill = ZEROFILL_TYPES.has(flags & 0xff);
  return { name, segment, addr, offset: zerofill ? 0 : offset, size: zerofill ? 0 : size, flags };
}

/** Parses a thin Mach-O file. */
export function parseMacho(bytes: Buffer): Executable {
  const kind = machoKind(bytes);
  if (kind === undefined) throw malformed('not a Mach-O file');
  const { bits, littleEndian } = kind;
  const r = new ByteReader(bytes, littleEndian, 'Mach-O');
  const ncmds = r.u32(16);
  let at = bits === 64 ? 32 : 28;
  const sections: Section[] = [];
  const segments: Segment[] = [];
  for (let i = 0; i < ncmds; i++) {
    const cmd = r.u32(at);
    const size = r.u32(at + 4);
    if (size < 8) throw malformed(`Mach-O load command ${i} has size ${size}`);
    if (cmd === LC_SEGMENT || cmd === LC_SEGMENT_64) {
      const wide: 32 | 64 = cmd === LC_SEGMENT_64 ? 64 : 32;
      const w = wide === 64 ? 8 : 4;
      const name = r.fixedName(at + 8, 16);
      const vaddr = r.word(at + 24, wide);
      const offset = r.word(at + 24 + 2 * w, wide);
      const filesz = r.word(at + 24 + 3 * w, wide);
      const fields = at + 24 + 4 * w;
      segments.push({ name, type: 0, vaddr, offset, filesz, maxprot: r.u32(fields), flags: r.u32(fields + 4) });
      const nsects = r.u32(fields + 8);
      const first = fields + 16;
      const sectionSize = wide === 64 ? 80 : 68;
      if (first + nsects * sectionSize > at + size) throw malformed(`Mach-O segment ${name} declares ${nsects} sections past its command`);
      for (let s = 0; s < nsects; s++) sections.push(readSection(r, first + s * sectionSize, wide));
    }
    at += size;
  }
  return { format: 'macho', bits, littleEndian, imageBase: 0, bytes, sections, segments };
}

/** The slices of a universal binary, each parsed as a thin Mach-O over its own byte range. */
export function parseFatMacho(bytes: Buffer): Executable[] {
  const r = new ByteReader(bytes, false, 'fat Mach-O');
  const wide = r.u32(0) === 0xcafebabf;
  const count = r.u32(4);
  if (count > MAX_SLICES) throw malformed(`fat Mach-O declares ${count} slices`);
  const slices: Executable[] = [];
  for (let i = 0; i < count; i++) {
    const at = 8 + i * (wide ? 32 : 20);
    const offset = wide ? r.u64(at + 8) : r.u32(at + 8);
    const size = wide ? r.u64(at + 16) : r.u32(at + 12);
    if (offset + size > bytes.length) throw malformed(`fat Mach-O slice ${i} (${size} bytes at ${offset}) is past the end`);
    slices.push(parseMacho(bytes.subarray(offset, offset + size)));
  }
  return slices;
}
