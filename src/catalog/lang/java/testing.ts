import { zipSync, type Zippable } from 'fflate';

/** Test helper: a zip (jar/war) of the given entries, deflated; Buffer values are stored as given. */
export function buildZip(files: Readonly<Record<string, string | Uint8Array>>, level: 0 | 6 = 6): Buffer {
  const entries: Zippable = {};
  for (const [name, content] of Object.entries(files)) entries[name] = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return Buffer.from(zipSync(entries, { level, mtime: new Date('1980-01-01T00:00:00Z') }));
}

/** Rewrites a central-directory field of the entry `name` (offsets per APPNOTE 4.3.12: 10 method, 24 uncompressed size). */
export function patchCentralEntry(zip: Buffer, name: string, field: 'method' | 'size', value: number): Buffer {
  const out = Buffer.from(zip);
  for (let at = out.indexOf(Buffer.from('PK\u0001\u0002', 'latin1')); at >= 0; at = out.indexOf(Buffer.from('PK\u0001\u0002', 'latin1'), at + 4)) {
    const nameLength = out.readUInt16LE(at + 28);
    if (out.toString('utf8', at + 46, at + 46 + nameLength) !== name) continue;
    if (field === 'method') out.writeUInt16LE(value, at + 10);
    else out.writeUInt32LE(value, at + 24);
    return out;
  }
  throw new Error(`no central directory entry ${name}`);
}
