import { ByteReader, malformed, type Executable, type Section, type Segment } from './model.js';

/*
 * PE/COFF (Microsoft PE format): the DOS stub's e_lfanew, the "PE\0\0" signature, the COFF file
 * header, the optional header (PE32 or PE32+, for ImageBase) and the section table. Section names
 * longer than 8 bytes ("/123") are read from the COFF string table, as Go's debug/pe does. A
 * section's file bytes are its raw data (SizeOfRawData at PointerToRawData).
 */

const PE32 = 0x10b;
const PE32_PLUS = 0x20b;
const SECTION_HEADER_SIZE = 40;
const SYMBOL_SIZE = 18;

function longName(r: ByteReader, name: string, symbolTable: number, symbols: number): string {
  if (!name.startsWith('/') || symbolTable === 0) return name;
  const offset = Number.parseInt(name.slice(1), 10);
  const table = symbolTable + symbols * SYMBOL_SIZE;
  if (!Number.isSafeInteger(offset) || table + offset >= r.bytes.length) return name;
  return r.cString(table + offset);
}

/** Parses a PE file (its first two bytes are known to be "MZ"). */
export function parsePe(bytes: Buffer): Executable {
  const r = new ByteReader(bytes, true, 'PE');
  const pe = r.u32(0x3c);
  if (r.u32(pe) !== 0x00004550) throw malformed(`PE signature missing at offset ${pe}`);
  const coff = pe + 4;
  const sectionCount = r.u16(coff + 2);
  const symbolTable = r.u32(coff + 8);
  const symbols = r.u32(coff + 12);
  const optionalSize = r.u16(coff + 16);
  const optional = coff + 20;
  let imageBase = 0;
  let bits: 32 | 64 = 32;
  if (optionalSize > 0) {
    const magic = r.u16(optional);
    if (magic === PE32) imageBase = r.u32(optional + 28);
    else if (magic === PE32_PLUS) {
      bits = 64;
      imageBase = r.u64(optional + 24);
    } else throw malformed(`PE optional header magic 0x${magic.toString(16)} is neither PE32 nor PE32+`);
  }
  const table = optional + optionalSize;
  const sections: Section[] = [];
  const segments: Segment[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const at = table + i * SECTION_HEADER_SIZE;
    const name = longName(r, r.fixedName(at, 8), symbolTable, symbols);
    const vaddr = r.u32(at + 12);
    const rawSize = r.u32(at + 16);
    const rawOffset = r.u32(at + 20);
    const flags = r.u32(at + 36);
    sections.push({ name, addr: imageBase + vaddr, offset: rawOffset, size: rawSize, flags });
    segments.push({ name, type: 0, vaddr, offset: rawOffset, filesz: rawSize, flags, maxprot: 0 });
  }
  return { format: 'pe', bits, littleEndian: true, imageBase, bytes, sections, segments };
}
