import { ByteReader, malformed, type Executable, type Section, type Segment } from './model.js';

/*
 * ELF (System V gABI): 32- and 64-bit, little- and big-endian. Reads the program headers and the
 * section headers with their names from the section-name string table, including the extended
 * numbering of files with ≥ 0xff00 sections (count in section 0's sh_size, index in its sh_link).
 */

const SHT_NOBITS = 8;
const SHN_XINDEX = 0xffff;
const MAX_HEADERS = 1 << 16;

interface Header {
  readonly bits: 32 | 64;
  readonly phoff: number;
  readonly shoff: number;
  readonly phentsize: number;
  readonly phnum: number;
  readonly shentsize: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

function readHeader(r: ByteReader, bits: 32 | 64): Header {
  if (bits === 64) {
    return { bits, phoff: r.u64(32), shoff: r.u64(40), phentsize: r.u16(54), phnum: r.u16(56), shentsize: r.u16(58), shnum: r.u16(60), shstrndx: r.u16(62) };
  }
  return { bits, phoff: r.u32(28), shoff: r.u32(32), phentsize: r.u16(42), phnum: r.u16(44), shentsize: r.u16(46), shnum: r.u16(48), shstrndx: r.u16(50) };
}

function readSegments(r: ByteReader, h: Header): Segment[] {
  const segments: Segment[] = [];
  if (h.phoff === 0 || h.phnum === 0) return segments;
  if (h.phentsize < (h.bits === 64 ? 56 : 32)) throw malformed(`ELF program header entry size ${h.phentsize} is too small`);
  for (let i = 0; i < h.phnum; i++) {
    const at = h.phoff + i * h.phentsize;
    segments.push(h.bits === 64
      ? { name: '', type: r.u32(at), flags: r.u32(at + 4), offset: r.u64(at + 8), vaddr: r.u64(at + 16), filesz: r.u64(at + 32), maxprot: 0 }
      : { name: '', type: r.u32(at), offset: r.u32(at + 4), vaddr: r.u32(at + 8), filesz: r.u32(at + 16), flags: r.u32(at + 24), maxprot: 0 });
  }
  return segments;
}

interface RawSection {
  readonly nameOffset: number;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
}

function readRawSection(r: ByteReader, h: Header, index: number): RawSection {
  const at = h.shoff + index * h.shentsize;
  if (h.bits === 64) {
    return { nameOffset: r.u32(at), type: r.u32(at + 4), flags: r.u64(at + 8), addr: r.u64(at + 16), offset: r.u64(at + 24), size: r.u64(at + 32), link: r.u32(at + 40) };
  }
  return { nameOffset: r.u32(at), type: r.u32(at + 4), flags: r.u32(at + 8), addr: r.u32(at + 12), offset: r.u32(at + 16), size: r.u32(at + 20), link: r.u32(at + 24) };
}

function readSections(r: ByteReader, h: Header): Section[] {
  if (h.shoff === 0) return [];
  if (h.shentsize < (h.bits === 64 ? 64 : 40)) throw malformed(`ELF section header entry size ${h.shentsize} is too small`);
  const first = readRawSection(r, h, 0);
  const count = h.shnum === 0 ? first.size : h.shnum;
  const strndx = h.shstrndx === SHN_XINDEX ? first.link : h.shstrndx;
  if (count > MAX_HEADERS) throw malformed(`ELF declares ${count} sections`);
  const raw: RawSection[] = [];
  for (let i = 0; i < count; i++) raw.push(readRawSection(r, h, i));
  const names = raw[strndx];
  const name = (s: RawSection): string => {
    if (names === undefined || s.nameOffset >= names.size) return '';
    return r.cString(names.offset + s.nameOffset);
  };
  return raw.map((s) => ({
    name: name(s), addr: s.addr, offset: s.offset, size: s.type === SHT_NOBITS ? 0 : s.size, flags: s.flags,
  }));
}

/** Parses an ELF file (its first four bytes are known to be "\x7fELF"). */
export function parseElf(bytes: Buffer): Executable {
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) throw malformed(`ELF class ${cls ?? 'missing'} is neither 32- nor 64-bit`);
  if (data !== 1 && data !== 2) throw malformed(`ELF data encoding ${data ?? 'missing'} is neither little- nor big-endian`);
  const bits = cls === 2 ? 64 : 32;
  const littleEndian = data === 1;
  const r = new ByteReader(bytes, littleEndian, 'ELF');
  const header = readHeader(r, bits);
  return { format: 'elf', bits, littleEndian, imageBase: 0, bytes, segments: readSegments(r, header), sections: readSections(r, header) };
}
