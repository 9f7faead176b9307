import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import { pack as tarPack, type Header, type Pack } from 'tar-stream';

type Headers = Partial<Header> & Pick<Header, 'name'>;

/*
 * Layers as a container builder makes them: the filesystem difference between two snapshots of
 * one root directory. New or changed paths become entries (with their parent directories), deleted
 * ones `.wh.<name>` whiteouts (only the topmost deleted path), and a directory listed as opaque
 * becomes `<dir>/.wh..wh..opq` plus everything it now holds. Entries are sorted, owned by 0:0, with
 * zeroed mtimes, so the same tree always gives the same tar (and diffID).
 */

interface Node {
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly mode: number;
  /** What "changed" compares: inode, size, mtime and ctime for files (dpkg renames new files in). */
  readonly stamp: string;
  readonly ino: bigint;
  readonly nlink: number;
  readonly size: number;
  readonly target?: string;
}

/** Relative POSIX path ("usr/bin/bash") → node. */
export type Snapshot = ReadonlyMap<string, Node>;

export function snapshot(root: string): Snapshot {
  const out = new Map<string, Node>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(root, path), { bigint: true });
      const mode = Number(st.mode & 0o7777n);
      if (st.isDirectory()) {
        out.set(path, { kind: 'dir', mode, stamp: `d${mode}`, ino: st.ino, nlink: 1, size: 0 });
        walk(path);
      } else if (st.isSymbolicLink()) {
        const target = readlinkSync(join(root, path));
        out.set(path, { kind: 'symlink', mode, stamp: `l${target}`, ino: st.ino, nlink: 1, size: 0, target });
      } else if (st.isFile()) {
        const stamp = `f${mode}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
        out.set(path, { kind: 'file', mode, stamp, ino: st.ino, nlink: Number(st.nlink), size: Number(st.size) });
      } else {
        throw new Error(`${path}: special files are not expected in a package root filesystem`);
      }
    }
  };
  walk('');
  return out;
}

const isUnder = (path: string, dir: string): boolean => path.startsWith(`${dir}/`);

type Entry =
  | { readonly path: string; readonly node: Node; readonly linkTo?: string }
  | { readonly path: string; readonly marker: true };

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let dir = posix.dirname(path); dir !== '.'; dir = posix.dirname(dir)) out.push(dir);
  return out;
}

/** The entries of the layer that turns `lower` into `upper`, sorted by path. */
export function diffSnapshots(lower: Snapshot, upper: Snapshot, opaqueDirs: readonly string[] = []): Entry[] {
  const opaque = (path: string) => opaqueDirs.some((dir) => path === dir || isUnder(path, dir));
  const entries = new Map<string, Entry>();
  const add = (path: string): void => {
    const node = upper.get(path);
    if (node === undefined) throw new Error(`${path} is not in the upper snapshot`);
    entries.set(path, { path, node });
    for (const dir of ancestors(path)) if (!entries.has(dir)) entries.set(dir, { path: dir, node: upper.get(dir)! });
  };
  for (const [path, node] of upper) {
    if (opaque(path) || lower.get(path)?.stamp !== node.stamp) add(path);
  }
  for (const dir of opaqueDirs) {
    if (upper.get(dir)?.kind !== 'dir') throw new Error(`opaque ${dir} is not a directory of the upper snapshot`);
    entries.set(`${dir}/.wh..wh..opq`, { path: `${dir}/.wh..wh..opq`, marker: true });
  }
  for (const path of lower.keys()) {
    if (upper.has(path) || opaque(path)) continue;
    const parent = posix.dirname(path);
    // A deleted ancestor's whiteout, or a directory turned into a file or link, hides it already.
    if (parent !== '.' && upper.get(parent)?.kind !== 'dir') continue;
    const marker = `${parent === '.' ? '' : `${parent}/`}.wh.${posix.basename(path)}`;
    entries.set(marker, { path: marker, marker: true });
    if (parent !== '.') add(parent);
  }
  return linkHardlinks([...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
}

/** A file whose inode was already written in this layer becomes a hard link to the first path. */
function linkHardlinks(entries: Entry[]): Entry[] {
  const first = new Map<bigint, string>();
  return entries.map((entry) => {
    if ('marker' in entry || entry.node.kind !== 'file' || entry.node.nlink < 2) return entry;
    const seen = first.get(entry.node.ino);
    if (seen === undefined) {
      first.set(entry.node.ino, entry.path);
      return entry;
    }
    return { ...entry, linkTo: seen };
  });
}

function hashing(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

async function addEntry(pack: Pack, root: string, entry: Entry): Promise<void> {
  const base: Headers = { name: entry.path, uid: 0, gid: 0, mtime: new Date(0), mode: 0o644 };
  if ('marker' in entry) {
    await new Promise<void>((resolve, reject) => pack.entry({ ...base, type: 'file', size: 0 }, Buffer.alloc(0), (e) => (e ? reject(e) : resolve())));
    return;
  }
  const { node } = entry;
  const header: Headers = { ...base, mode: node.mode };
  if (node.kind === 'dir') header.type = 'directory';
  else if (node.kind === 'symlink') Object.assign(header, { type: 'symlink', linkname: node.target, mode: 0o777 });
  else if (entry.linkTo !== undefined) Object.assign(header, { type: 'link', linkname: entry.linkTo });
  if (node.kind !== 'file' || entry.linkTo !== undefined) {
    await new Promise<void>((resolve, reject) => pack.entry({ ...header, size: 0 }, Buffer.alloc(0), (e) => (e ? reject(e) : resolve())));
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const sink = pack.entry({ ...header, type: 'file', size: node.size }, (e) => (e ? reject(e) : resolve()));
    createReadStream(join(root, entry.path)).on('error', reject).pipe(sink);
  });
}

export interface WrittenLayer {
  /** sha256 of the uncompressed tar. */
  readonly diffId: string;
  /** sha256 of the gzip blob. */
  readonly digest: string;
  readonly size: number;
  readonly entries: number;
}

/** Writes the entries, read from `root`, as a gzip-compressed tar at `out`. */
export async function writeLayer(root: string, entries: readonly Entry[], out: string): Promise<WrittenLayer> {
  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  let size = 0;
  const pack = tarPack();
  const written = pipeline(pack, hashing(tarHash), createGzip({ level: zlibConstants.Z_BEST_SPEED }), hashing(gzHash),
    new Transform({ transform(chunk: Buffer, _e, cb) { size += chunk.length; cb(null, chunk); } }), createWriteStream(out));
  for (const entry of entries) await addEntry(pack, root, entry);
  pack.finalize();
  await written;
  return { diffId: `sha256:${tarHash.digest('hex')}`, digest: `sha256:${gzHash.digest('hex')}`, size, entries: entries.length };
}
