import { parseElf } from './elf.js';
import { isFatMacho, machoKind, parseFatMacho, parseMacho } from './macho.js';
import type { Executable } from './model.js';
import { parsePe } from './pe.js';
import type { FileInfo } from '../../analyzer.js';

export { findSection, sectionData, type Executable, type ExecutableFormat, type Section, type Segment } from './model.js';

// An "MZ" file is a PE only when e_lfanew points at "PE\0\0" (a bare DOS program is not read).
function hasPeSignature(bytes: Buffer): boolean {
  if (bytes.length < 0x40) return false;
  const at = bytes.readUInt32LE(0x3c);
  return at + 4 <= bytes.length && bytes.readUInt32LE(at) === 0x00004550;
}

/** True when the first bytes are those of an ELF, PE, thin or fat Mach-O file: a few byte compares. */
export function looksExecutable(bytes: Buffer): boolean {
  if (bytes.length < 16) return false;
  const b0 = bytes[0];
  if (b0 === 0x7f) return bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
  if (b0 === 0x4d) return bytes[1] === 0x5a && hasPeSignature(bytes);
  return machoKind(bytes) !== undefined || isFatMacho(bytes);
}

/**
 * The executables in a file: one for ELF, PE and thin Mach-O, one per slice of a fat Mach-O, none
 * for anything else (checked from the magic bytes before any parsing). A file whose magic matches
 * but whose headers do not hold together throws CatalogError MALFORMED_FILE.
 */
export function openExecutables(bytes: Buffer): Executable[] {
  if (!looksExecutable(bytes)) return [];
  if (bytes[0] === 0x7f) return [parseElf(bytes)];
  if (bytes[0] === 0x4d) return [parsePe(bytes)];
  return isFatMacho(bytes) ? parseFatMacho(bytes) : [parseMacho(bytes)];
}

const EXECUTABLE_MIN_SIZE = 4 * 1024;
/** Largest executable read (the layer walk's default capture limit). */
export const EXECUTABLE_MAX_SIZE = 256 * 1024 * 1024;

/**
 * wants() of the binary analyzers: files with an x permission bit, between 4 KiB and 256 MiB.
 * Without info (the scan asking for a path's size limit), yes: the size check is done here.
 */
export function wantsExecutable(info: FileInfo | undefined): boolean {
  return info === undefined || ((info.mode & 0o111) !== 0 && info.size >= EXECUTABLE_MIN_SIZE && info.size <= EXECUTABLE_MAX_SIZE);
}
