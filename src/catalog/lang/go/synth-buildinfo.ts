/*
 * Test support: Go build info blobs as the Go linker lays them out (cmd/link's buildinfo), both the
 * inline-string form of Go ≥ 1.18 and the older pointer form. Only tests import this file.
 */

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** cmd/go/internal/modload's infoStart / infoEnd sentinels. */
export const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
export const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

function uvarint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

export function framedModinfo(text: string): Buffer {
  return Buffer.concat([INFO_START, Buffer.from(text), INFO_END]);
}

/** Go ≥ 1.18: header with flags bit 2, then two varint-prefixed strings (and padding). */
export function inlineBlob(goVersion: string, modinfo: Buffer, ptrSize: 4 | 8 = 8, bigEndian = false): Buffer {
  const header = Buffer.alloc(32);
  MAGIC.copy(header);
  header[14] = ptrSize;
  header[15] = 2 | (bigEndian ? 1 : 0);
  const v = Buffer.from(goVersion);
  return Buffer.concat([header, uvarint(v.length), v, uvarint(modinfo.length), modinfo, Buffer.alloc(16)]);
}

/** Go < 1.18: header with two pointers to string headers {data, len}, all inside one blob at `addr`. */
export function pointerBlob(addr: number, goVersion: string, modinfo: Buffer, ptrSize: 4 | 8, bigEndian: boolean): Buffer {
  const v = Buffer.from(goVersion);
  const headers = 32;
  const strings = headers + 4 * ptrSize;
  const blob = Buffer.alloc(strings + v.length + modinfo.length);
  MAGIC.copy(blob);
  blob[14] = ptrSize;
  blob[15] = bigEndian ? 1 : 0;
  const put = (at: number, value: number) => {
    if (ptrSize === 4) {
      if (bigEndian) blob.writeUInt32BE(value, at);
      else blob.writeUInt32LE(value, at);
    } else if (bigEndian) blob.writeBigUInt64BE(BigInt(value), at);
    else blob.writeBigUInt64LE(BigInt(value), at);
  };
  put(16, addr + headers);
  put(16 + ptrSize, addr + headers + 2 * ptrSize);
  put(headers, addr + strings);
  put(headers + ptrSize, v.length);
  put(headers + 2 * ptrSize, addr + strings + v.length);
  put(headers + 3 * ptrSize, modinfo.length);
  v.copy(blob, strings);
  modinfo.copy(blob, strings + v.length);
  return blob;
}
