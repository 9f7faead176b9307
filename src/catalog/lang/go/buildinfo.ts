import type { Executable } from '../binary/index.js';

/*
 * The build information the Go linker embeds in every executable, read as Go's own
 * debug/buildinfo reads it (what `go version -m` prints): a 32-byte header "\xff Go buildinf:",
 * pointer size, flags, found 16-byte aligned near the start of the .go.buildinfo section (ELF),
 * the __go_buildinfo section (Mach-O) or the first writable data segment/section. With flag bit 2
 * (Go ≥ 1.18) two varint-prefixed strings follow the header; before that, two pointers to Go
 * string headers {data, len} in the pointer size and byte order the flags give.
 */

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const ALIGN = 16;
const HEADER_SIZE = 32;
const SEARCH_WINDOW = 64 * 1024;

export interface RawBuildInfo {
  /** runtime.buildVersion, e.g. "go1.19.8" or "go1.23.1 X:nocoverageredesign". */
  readonly goVersion: string;
  /** runtime.modinfo without its 16-byte sentinels; '' for a binary built outside module mode. */
  readonly modinfo: string;
}

const PF_X = 1;
const PF_W = 2;
const PT_LOAD = 1;
const PE_DATA = 0xc0000040; // CNT_INITIALIZED_DATA | MEM_READ | MEM_WRITE
const PE_ALIGN_32 = 0x600000;
const VM_RW = 3;

/** The virtual address where the linker put the build info blob (debug/buildinfo's DataStart). */
function dataStart(exe: Executable): number {
  if (exe.format === 'elf') {
    const section = exe.sections.find((s) => s.name === '.go.buildinfo');
    if (section !== undefined) return section.addr;
    return exe.segments.find((p) => p.type === PT_LOAD && (p.flags & (PF_X | PF_W)) === PF_W)?.vaddr ?? 0;
  }
  if (exe.format === 'pe') {
    const data = exe.segments.find((s) => s.vaddr !== 0 && s.filesz !== 0 && (s.flags & ~PE_ALIGN_32) >>> 0 === PE_DATA);
    return data === undefined ? 0 : data.vaddr + exe.imageBase;
  }
  const section = exe.sections.find((s) => s.name === '__go_buildinfo');
  if (section !== undefined) return section.addr;
  return exe.segments.find((s) => s.vaddr !== 0 && s.filesz !== 0 && s.flags === VM_RW && s.maxprot === VM_RW)?.vaddr ?? 0;
}

/** Up to `size` file bytes mapped at virtual address `addr` (debug/buildinfo's ReadData). */
export function readVirtual(exe: Executable, addr: number, size: number): Buffer | undefined {
  const rel = addr - exe.imageBase;
  for (const seg of exe.segments) {
    if (seg.filesz === 0 || rel < seg.vaddr || rel > seg.vaddr + seg.filesz - 1) continue;
    if (exe.format === 'macho' && seg.name === '__PAGEZERO') continue;
    const start = seg.offset + (rel - seg.vaddr);
    const end = start + Math.min(size, seg.vaddr + seg.filesz - rel);
    if (end > exe.bytes.length) return undefined;
    return exe.bytes.subarray(start, end);
  }
  return undefined;
}

function findHeader(data: Buffer): Buffer | undefined {
  let from = 0;
  for (;;) {
    const i = data.indexOf(MAGIC, from);
    if (i < 0 || data.length - i < HEADER_SIZE) return undefined;
    if (i % ALIGN === 0) return data.subarray(i);
    from = i + ALIGN - (i % ALIGN);
  }
}

/** encoding/binary.Uvarint: the value and the bytes it took, or n ≤ 0 on overflow / truncation. */
function uvarint(data: Buffer, at: number): { value: number; n: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10 && at + i < data.length; i++) {
    const b = data[at + i] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value > Number.MAX_SAFE_INTEGER ? { value: 0, n: -1 } : { value, n: i + 1 };
    scale *= 128;
  }
  return { value: 0, n: 0 };
}

// debug/buildinfo's decodeString, including its rule that the string may not end the buffer.
function decodeString(data: Buffer, at: number): { bytes: Buffer; next: number } | undefined {
  const { value, n } = uvarint(data, at);
  if (n <= 0 || value >= data.length - at - n) return undefined;
  const start = at + n;
  return { bytes: data.subarray(start, start + value), next: start + value };
}

const EMPTY = Buffer.alloc(0);

function readGoString(exe: Executable, header: Buffer, slot: number): Buffer {
  const ptrSize = header[14] === 4 ? 4 : 8;
  const little = header[15] === 0;
  const word = (b: Buffer, at: number): number => {
    if (ptrSize === 4) return little ? b.readUInt32LE(at) : b.readUInt32BE(at);
    const v = little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
  };
  const addr = word(header, 16 + slot * ptrSize);
  const stringHeader = addr < 0 ? undefined : readVirtual(exe, addr, 2 * ptrSize);
  if (stringHeader === undefined || stringHeader.length < 2 * ptrSize) return EMPTY;
  const dataAddr = word(stringHeader, 0);
  const length = word(stringHeader, ptrSize);
  const bytes = dataAddr < 0 || length < 0 ? undefined : readVirtual(exe, dataAddr, length);
  return bytes === undefined || bytes.length < length ? EMPTY : bytes;
}

/** Strips cmd/go's modload.infoStart / infoEnd sentinels (16 binary bytes each) around the module info. */
function stripSentinels(mod: Buffer): string {
  return mod.length >= 33 && mod[mod.length - 17] === 0x0a ? mod.subarray(16, mod.length - 16).toString('utf8') : '';
}

/** The Go build info of one executable, or undefined when it is not a Go executable. */
export function readRawBuildInfo(exe: Executable): RawBuildInfo | undefined {
  const data = readVirtual(exe, dataStart(exe), SEARCH_WINDOW);
  const header = data === undefined ? undefined : findHeader(data);
  if (header === undefined) return undefined;
  let version: Buffer;
  let mod: Buffer;
  if (((header[15] as number) & 2) !== 0) {
    const first = decodeString(header, HEADER_SIZE);
    version = first?.bytes ?? EMPTY;
    mod = (first === undefined ? undefined : decodeString(header, first.next))?.bytes ?? EMPTY;
  } else {
    version = readGoString(exe, header, 0);
    mod = readGoString(exe, header, 1);
  }
  return version.length === 0 ? undefined : { goVersion: version.toString('utf8'), modinfo: stripSentinels(mod) };
}
