/*
 * Test support: minimal ELF, PE and Mach-O files written from the format specifications (the
 * counterpart of the readers here), for layouts no local toolchain produces — Go < 1.18 pointer
 * build info, cargo-auditable sections in PE and Mach-O, 32-bit big-endian Mach-O, fat files.
 * Only tests import this file.
 */

export interface SynthSection {
  readonly name: string;
  /** Mach-O segment of the section (default __DATA). */
  readonly segment?: string;
  readonly addr: number;
  readonly data: Buffer;
}

class Writer {
  readonly buf: Buffer;
  constructor(size: number, readonly little: boolean) {
    this.buf = Buffer.alloc(size);
  }
  u16(at: number, v: number): void {
    if (this.little) this.buf.writeUInt16LE(v, at);
    else this.buf.writeUInt16BE(v, at);
  }
  u32(at: number, v: number): void {
    if (this.little) this.buf.writeUInt32LE(v >>> 0, at);
    else this.buf.writeUInt32BE(v >>> 0, at);
  }
  word(at: number, v: number, bits: 32 | 64): void {
    if (bits === 32) return this.u32(at, v);
    if (this.little) this.buf.writeBigUInt64LE(BigInt(v), at);
    else this.buf.writeBigUInt64BE(BigInt(v), at);
  }
  name(at: number, text: string): void {
    this.buf.write(text, at, 'latin1');
  }
}

const DATA_OFFSET = 0x1000;

/**
 * An ELF with the given sections (contents laid out from file offset 0x1000, one PT_LOAD RW
 * segment covering them at the address of the first) and a .shstrtab.
 */
export function synthElf(bits: 32 | 64, little: boolean, sections: readonly SynthSection[]): Buffer {
  const names = Buffer.from(`\0${sections.map((s) => `${s.name}\0`).join('')}.shstrtab\0`, 'latin1');
  let offset = DATA_OFFSET;
  const placed = sections.map((s) => {
    const at = offset;
    offset += s.data.length;
    return { ...s, offset: at };
  });
  const namesOffset = offset;
  const shoff = (namesOffset + names.length + 7) & ~7;
  const shentsize = bits === 64 ? 64 : 40;
  const w = new Writer(shoff + shentsize * (sections.length + 2), little);
  w.name(0, '\x7fELF');
  w.buf[4] = bits === 64 ? 2 : 1;
  w.buf[5] = little ? 1 : 2;
  w.buf[6] = 1;
  const ph = bits === 64 ? 64 : 52;
  const first = placed[0];
  if (bits === 64) {
    w.word(32, ph, 64);
    w.word(40, shoff, 64);
    w.u16(54, 56);
    w.u16(56, 1);
    w.u16(58, 64);
    w.u16(60, sections.length + 2);
    w.u16(62, sections.length + 1);
    w.u32(ph, 1);
    w.u32(ph + 4, 6); // PF_R | PF_W
    w.word(ph + 8, DATA_OFFSET, 64);
    w.word(ph + 16, first?.addr ?? 0, 64);
    w.word(ph + 32, namesOffset - DATA_OFFSET, 64);
  } else {
    w.u32(28, ph);
    w.u32(32, shoff);
    w.u16(42, 32);
    w.u16(44, 1);
    w.u16(46, 40);
    w.u16(48, sections.length + 2);
    w.u16(50, sections.length + 1);
    w.u32(ph, 1);
    w.u32(ph + 4, DATA_OFFSET);
    w.u32(ph + 8, first?.addr ?? 0);
    w.u32(ph + 16, namesOffset - DATA_OFFSET);
    w.u32(ph + 24, 6);
  }
  let nameAt = 1;
  const header = (index: number, nameOff: number, type: number, addr: number, off: number, size: number) => {
    const at = shoff + index * shentsize;
    w.u32(at, nameOff);
    w.u32(at + 4, type);
    if (bits === 64) {
      w.word(at + 16, addr, 64);
      w.word(at + 24, off, 64);
      w.word(at + 32, size, 64);
    } else {
      w.u32(at + 12, addr);
      w.u32(at + 16, off);
      w.u32(at + 20, size);
    }
  };
  placed.forEach((s, i) => {
    s.data.copy(w.buf, s.offset);
    header(i + 1, nameAt, 1, s.addr, s.offset, s.data.length);
    nameAt += s.name.length + 1;
  });
  names.copy(w.buf, namesOffset);
  header(sections.length + 1, nameAt, 3, 0, namesOffset, names.length);
  return w.buf;
}

/** A PE32 (bits 32) or PE32+ file; section names over 8 bytes go to a COFF string table. */
export function synthPe(bits: 32 | 64, imageBase: number, sections: readonly (SynthSection & { flags?: number })[]): Buffer {
  const pe = 0x80;
  const optionalSize = bits === 64 ? 240 : 224;
  const table = pe + 24 + optionalSize;
  let offset = DATA_OFFSET;
  const placed = sections.map((s) => {
    const at = offset;
    offset += (s.data.length + 0x1ff) & ~0x1ff;
    return { ...s, offset: at };
  });
  const strings: string[] = [];
  const symtab = offset;
  const stringTable = Buffer.from(`\0\0\0\0${sections.filter((s) => s.name.length > 8).map((s) => `${s.name}\0`).join('')}`, 'latin1');
  const w = new Writer(symtab + stringTable.length, true);
  w.name(0, 'MZ');
  w.u32(0x3c, pe);
  w.name(pe, 'PE\0\0');
  w.u16(pe + 4, bits === 64 ? 0x8664 : 0x14c);
  w.u16(pe + 6, sections.length);
  w.u32(pe + 12, symtab);
  w.u32(pe + 16, 0);
  w.u16(pe + 20, optionalSize);
  w.u16(pe + 24, bits === 64 ? 0x20b : 0x10b);
  if (bits === 64) w.word(pe + 24 + 24, imageBase, 64);
  else w.u32(pe + 24 + 28, imageBase);
  let stringAt = 4;
  placed.forEach((s, i) => {
    const at = table + i * 40;
    if (s.name.length > 8) {
      w.name(at, `/${stringAt}`);
      strings.push(s.name);
      stringAt += s.name.length + 1;
    } else w.name(at, s.name);
    w.u32(at + 8, s.data.length);
    w.u32(at + 12, s.addr - imageBase);
    w.u32(at + 16, s.data.length);
    w.u32(at + 20, s.offset);
    w.u32(at + 36, s.flags ?? 0xc0000040);
    s.data.copy(w.buf, s.offset);
  });
  stringTable.writeUInt32LE(stringTable.length, 0);
  stringTable.copy(w.buf, symtab);
  return w.buf;
}

/** A thin Mach-O with one segment per distinct section segment name (RW, maxprot RW). */
export function synthMacho(bits: 32 | 64, little: boolean, sections: readonly SynthSection[]): Buffer {
  const segments = [...new Set(sections.map((s) => s.segment ?? '__DATA'))];
  const segSize = bits === 64 ? 72 : 56;
  const sectSize = bits === 64 ? 80 : 68;
  const headerSize = bits === 64 ? 32 : 28;
  let offset = DATA_OFFSET;
  const placed = sections.map((s) => {
    const at = offset;
    offset += s.data.length;
    return { ...s, segment: s.segment ?? '__DATA', offset: at };
  });
  const w = new Writer(offset, little);
  w.u32(0, bits === 64 ? 0xfeedfacf : 0xfeedface);
  w.u32(16, segments.length);
  let at = headerSize;
  for (const seg of segments) {
    const inside = placed.filter((s) => s.segment === seg);
    const size = segSize + inside.length * sectSize;
    const lo = Math.min(...inside.map((s) => s.addr));
    const hi = Math.max(...inside.map((s) => s.addr + s.data.length));
    const fileoff = Math.min(...inside.map((s) => s.offset));
    w.u32(at, bits === 64 ? 0x19 : 0x1);
    w.u32(at + 4, size);
    w.name(at + 8, seg);
    const k = bits === 64 ? 8 : 4;
    w.word(at + 24, lo, bits);
    w.word(at + 24 + k, hi - lo, bits);
    w.word(at + 24 + 2 * k, fileoff, bits);
    w.word(at + 24 + 3 * k, hi - lo, bits);
    const fields = at + 24 + 4 * k;
    w.u32(fields, 3);
    w.u32(fields + 4, 3);
    w.u32(fields + 8, inside.length);
    inside.forEach((s, i) => {
      const sa = fields + 16 + i * sectSize;
      w.name(sa, s.name);
      w.name(sa + 16, seg);
      w.word(sa + 32, s.addr, bits);
      w.word(sa + 32 + k, s.data.length, bits);
      w.u32(sa + 32 + 2 * k, s.offset);
      s.data.copy(w.buf, s.offset);
    });
    at += size;
  }
  w.u32(20, at - headerSize);
  return w.buf;
}

/** A universal binary of the given thin slices (32-bit fat_arch entries, 4 KiB aligned). */
export function synthFat(slices: readonly Buffer[]): Buffer {
  let offset = DATA_OFFSET;
  const placed = slices.map((s) => {
    const at = offset;
    offset += (s.length + 0xfff) & ~0xfff;
    return at;
  });
  const w = new Writer(offset, false);
  w.u32(0, 0xcafebabe);
  w.u32(4, slices.length);
  slices.forEach((s, i) => {
    const at = 8 + i * 20;
    w.u32(at + 8, placed[i] as number);
    w.u32(at + 12, s.length);
    w.u32(at + 16, 12);
    s.copy(w.buf, placed[i] as number);
  });
  return w.buf;
}
