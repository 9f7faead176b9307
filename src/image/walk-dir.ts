import { closeSync, constants, lstatSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from './errors.js';
import { DEFAULT_WALK_LIMITS, type RawLayer, type SkippedFile, type WalkLimits, type WalkOptions } from './walk.js';

export type DirectoryWalkOptions = Omit<WalkOptions, 'layerId'> & { readonly layerId?: string };

/**
 * A root filesystem on disk as one RawLayer: lstat walk in sorted order, symlinks recorded and
 * never followed (files are opened with O_NOFOLLOW), nothing outside `root` is touched. A second
 * name of an already seen inode is reported as a hardlink to the first.
 */
export async function walkDirectory(root: string, options: DirectoryWalkOptions): Promise<RawLayer> {
  const limits = { ...DEFAULT_WALK_LIMITS, ...options.limits };
  const top = await lstat(root).catch(() => undefined);
  if (top?.isDirectory() !== true) throw new ImageError('NOT_FOUND', `${root} is not a directory`);
  const walker = new DirWalker(root, options, limits);
  await walker.walk('');
  return walker.result();
}

class DirWalker {
  private readonly files = new Map<string, Buffer>();
  private readonly modes = new Map<string, number>();
  private readonly skipped: SkippedFile[] = [];
  private readonly symlinks = new Map<string, string>();
  private readonly hardlinks = new Map<string, string>();
  private readonly inodes = new Map<string, string>();
  private entryCount = 0;
  private bytesRead = 0;

  constructor(private readonly root: string, private readonly options: DirectoryWalkOptions, private readonly limits: WalkLimits) {}

  /**
   * `rel` is "" for the root, else "/a/b". Metadata calls are synchronous on purpose: a tree of
   * tens of thousands of small entries (a node_modules) walks several times faster without a
   * thread-pool round trip per lstat; file contents are still read asynchronously.
   */
  async walk(rel: string): Promise<void> {
    const entries = readdirSync(join(this.root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = `${rel}/${entry.name}`;
      if (++this.entryCount > this.limits.maxEntries) {
        throw new ImageError('TOO_MANY_ENTRIES', `directory ${this.root} entry "${path}": more than ${this.limits.maxEntries} entries`);
      }
      if (entry.isDirectory()) await this.walk(path);
      else if (entry.isSymbolicLink()) this.symlinks.set(path, readlinkSync(join(this.root, path)));
      else if (entry.isFile()) {
        const info = lstatSync(join(this.root, path));
        await this.file(path, info.size, info.mode & 0o7777, info.nlink > 1 ? `${info.dev}:${info.ino}` : undefined);
      }
    }
  }

  result(): RawLayer {
    return {
      files: this.files,
      symlinks: this.symlinks,
      hardlinks: this.hardlinks,
      whiteouts: [],
      opaqueDirs: [],
      entryCount: this.entryCount,
      bytesRead: this.bytesRead,
      modes: this.modes,
      skipped: this.skipped,
    };
  }

  private async file(path: string, size: number, mode: number, inode: string | undefined): Promise<void> {
    const first = inode === undefined ? undefined : this.inodes.get(inode);
    if (inode !== undefined && first === undefined) this.inodes.set(inode, path);
    if (first !== undefined) this.hardlinks.set(path, first);
    if (!this.options.wants(path, { size, mode })) return;
    const limit = Math.min(this.options.maxFileSize?.(path, { size, mode }) ?? this.limits.maxFileBytes, this.limits.maxFileBytes);
    if (size > limit) {
      this.skipped.push({ path, size, limit });
      return;
    }
    const content = size <= SYNC_READ_MAX ? readNoFollowSync(join(this.root, path)) : await readNoFollow(join(this.root, path));
    if (content.length > limit) throw new ImageError('FILE_TOO_LARGE', `directory ${this.root} entry "${path}": grew past the ${limit}-byte limit while read`);
    this.bytesRead += content.length;
    this.modes.set(path, mode);
    if (this.options.consumer !== undefined) this.options.consumer.file(path, content, mode);
    else this.files.set(path, content);
  }
}

/** Small files are read synchronously: four thread-pool round trips cost more than the read. */
const SYNC_READ_MAX = 1 << 20;
const NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function readNoFollowSync(file: string): Buffer {
  const fd = openSync(file, NO_FOLLOW);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function readNoFollow(file: string): Promise<Buffer> {
  const handle = await open(file, NO_FOLLOW);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
