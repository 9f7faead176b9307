import { createHash } from 'node:crypto';

/*
 * Where each record and advisory lives in the export tree. Ids and source names are untrusted:
 * a file name is derived from the id alone by a mapping that is
 *   - safe: only [A-Za-z0-9._%~-], never starting with '.', no separators, no Windows device
 *     names, at most ~135 bytes;
 *   - injective, even on case-insensitive file systems: every other byte is %XX-escaped (upper-case
 *     hex, '%' itself included), and an id not in its preferred letter case (CVE-…, PYSEC-… in upper
 *     case; GHSA-xxxx-… with a lower-case body) gets `~<mask>`, the hex bit mask of which ASCII letters
 *     are upper case; an id whose name would be longer than 120 bytes (or that is not well-formed
 *     UTF-16) becomes `<first 64 escaped bytes>~~<sha256 of its UTF-16LE code units>`.
 * Directories are cosmetic fan-out (injectivity rests on the file name) and are computed from the
 * upper-cased id, so ids differing only in case share a directory:
 *   CVE-2021-1234 → 2021/   GHSA-p6mc-… → GHSA/p6/   PYSEC-2021-66 → PYSEC/2021/
 *   DSA-3029-1 → DSA/       anything else → _/
 */

const MAX_NAME = 120;
const LONG_PREFIX = 64;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function plainByte(byte: number, index: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x2d || byte === 0x5f || (byte === 0x2e && index > 0)
  );
}

function escapeBytes(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  bytes.forEach((byte, i) => {
    out += plainByte(byte, i) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  });
  if (out === '') return '%';
  // A Windows device name (NUL, CON.txt…): escape its first letter.
  if (RESERVED.test(out.split('.')[0] ?? '')) out = `%${out.charCodeAt(0).toString(16).toUpperCase()}${out.slice(1)}`;
  return out;
}

function upperAscii(text: string): string {
  return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
}

function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** The one spelling of an id that needs no case mask: upper case, except GHSA's lower-case body. */
export function preferredIdCase(id: string): string {
  const upper = upperAscii(id);
  return upper.startsWith('GHSA-') ? `GHSA-${lowerAscii(id.slice(5))}` : upper;
}

function caseMask(text: string): string {
  let bits = '';
  for (const ch of text) {
    if (ch >= 'A' && ch <= 'Z') bits += '1';
    else if (ch >= 'a' && ch <= 'z') bits += '0';
  }
  return BigInt(`0b${bits}`).toString(16);
}

/** The file or directory name (without extension) for an untrusted string; see the file comment. */
export function safeName(text: string, preferred: (text: string) => string): string {
  if (!LONE_SURROGATE.test(text)) {
    const escaped = escapeBytes(text);
    const name = text === preferred(text) ? escaped : `${escaped}~${caseMask(text)}`;
    if (name.length <= MAX_NAME) return name;
  }
  let prefix = escapeBytes(text).slice(0, LONG_PREFIX);
  const cut = prefix.lastIndexOf('%');
  if (cut >= 0 && cut >= prefix.length - 2) prefix = prefix.slice(0, cut);
  const digest = createHash('sha256').update(Buffer.from(text, 'utf16le')).digest('hex');
  return `${prefix}~~${digest}`;
}

const CVE = /^CVE-((?:19|20)\d\d)-\d+$/;
const GHSA = /^GHSA-([0-9A-Z]{2})[0-9A-Z]{2}(?:-[0-9A-Z]{4}){2}$/;
const PREFIX = /^([A-Z][A-Z0-9]{0,31})-(.*)$/s;
const YEAR = /^(?:[A-Z]+-)*((?:19|20)\d\d)(?:[-:_.]|$)/;

/** Fan-out directories for an id (from its upper-cased form only). */
export function idDirectories(id: string): string[] {
  const upper = upperAscii(id);
  const cve = CVE.exec(upper);
  if (cve !== null) return [cve[1] as string];
  const ghsa = GHSA.exec(upper);
  if (ghsa !== null) return ['GHSA', lowerAscii(ghsa[1] as string)];
  const prefixed = PREFIX.exec(upper);
  if (prefixed === null || RESERVED.test(prefixed[1] as string)) return ['_'];
  const year = YEAR.exec(prefixed[2] as string);
  return year === null ? [prefixed[1] as string] : [prefixed[1] as string, year[1] as string];
}

function idPath(id: string): string {
  return [...idDirectories(id), `${safeName(id, preferredIdCase)}.json`].join('/');
}

/** `advisories/<dirs>/<name>.json` for a canonical advisory key. */
export function advisoryPath(key: string): string {
  return `advisories/${idPath(key)}`;
}

/** `sources/<source>/<dirs>/<name>.json` for one source record. */
export function recordPath(source: string, recordId: string): string {
  return `sources/${safeName(source, lowerAscii)}/${idPath(recordId)}`;
}

export const MANIFEST_FILE = 'manifest.json';
export const INDEX_FILE = 'index.json';

const SEGMENT = /^[A-Za-z0-9_%~-][A-Za-z0-9._%~-]*$/;

/** A relative path this module could have written: the check applied to every path a manifest names. */
export function isSafeExportPath(path: string): boolean {
  if (path.length === 0 || path.length > 1024 || path === MANIFEST_FILE) return false;
  return path.split('/').every((segment) => SEGMENT.test(segment) && !RESERVED.test(segment.split('.')[0] ?? ''));
}
