import { CatalogError } from '../../analyzer.js';

/*
 * One neutral view of an executable, whatever its container format: named sections and loadable
 * segments with their file ranges and virtual addresses. Addresses are JS numbers; an address over
 * 2^53 (no real executable maps one) is a malformed file.
 */

export type ExecutableFormat = 'elf' | 'pe' | 'macho';

export interface Section {
  readonly name: string;
  /** Mach-O segment name (__DATA…); absent for ELF and PE. */
  readonly segment?: string;
  readonly addr: number;
  /** Byte range in the file; size 0 for sections without file contents (ELF NOBITS, Mach-O zerofill). */
  readonly offset: number;
  readonly size: number;
  /** ELF sh_flags, PE Characteristics, Mach-O section flags. */
  readonly flags: number;
}

export interface Segment {
  /** Mach-O segment name; PE section name; '' for ELF program headers. */
  readonly name: string;
  /** ELF p_type (PT_LOAD = 1…); 0 for PE and Mach-O. */
  readonly type: number;
  readonly vaddr: number;
  readonly offset: number;
  /** Bytes present in the file. */
  readonly filesz: number;
  /** ELF p_flags (PF_X 1, PF_W 2, PF_R 4); PE Characteristics; Mach-O initprot. */
  readonly flags: number;
  /** Mach-O maxprot; 0 elsewhere. */
  readonly maxprot: number;
}

export interface Executable {
  readonly format: ExecutableFormat;
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  readonly sections: readonly Section[];
  /** ELF program headers, Mach-O segments, PE sections (addresses relative to imageBase). */
  readonly segments: readonly Segment[];
  /** PE ImageBase; 0 for ELF and Mach-O. */
  readonly imageBase: number;
  /** The bytes of this executable (a fat Mach-O slice is its own buffer). */
  readonly bytes: Buffer;
}

export function malformed(what: string): CatalogError {
  return new CatalogError('MALFORMED_FILE', what);
}

/** Bounds-checked little/big-endian reads; every read past the end is a MALFORMED_FILE error. */
export class ByteReader {
  constructor(readonly bytes: Buffer, readonly littleEndian: boolean, private readonly label: string) {}

  private check(offset: number, size: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + size > this.bytes.length) {
      throw malformed(`${this.label}: read of ${size} bytes at offset ${offset} is past the end (${this.bytes.length} bytes)`);
    }
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.littleEndian ? this.bytes.readUInt16LE(offset) : this.bytes.readUInt16BE(offset);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.littleEndian ? this.bytes.readUInt32LE(offset) : this.bytes.readUInt32BE(offset);
  }

  u64(offset: number): number {
    this.check(offset, 8);
    const value = this.littleEndian ? this.bytes.readBigUInt64LE(offset) : this.bytes.readBigUInt64BE(offset);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`${this.label}: 64-bit value ${value} at offset ${offset} is out of range`);
    return Number(value);
  }

  /** A pointer-sized value. */
  word(offset: number, bits: 32 | 64): number {
    return bits === 64 ? this.u64(offset) : this.u32(offset);
  }

  /** A fixed-size, NUL-padded name field. */
  fixedName(offset: number, size: number): string {
    this.check(offset, size);
    const field = this.bytes.subarray(offset, offset + size);
    const nul = field.indexOf(0);
    return field.subarray(0, nul < 0 ? size : nul).toString('latin1');
  }

  /** A NUL-terminated string starting at offset (bounded by the buffer end). */
  cString(offset: number): string {
    this.check(offset, 0);
    const nul = this.bytes.indexOf(0, offset);
    return this.bytes.subarray(offset, nul < 0 ? this.bytes.length : nul).toString('latin1');
  }
}

/** The file bytes of a section, or undefined when its range lies outside the file. */
export function sectionData(exe: Executable, section: Section): Buffer | undefined {
  const end = section.offset + section.size;
  if (section.offset < 0 || end > exe.bytes.length) return undefined;
  return exe.bytes.subarray(section.offset, end);
}

export function findSection(exe: Executable, name: string, segment?: string): Section | undefined {
  return exe.sections.find((s) => s.name === name && (segment === undefined || s.segment === segment));
}
