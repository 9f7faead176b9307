import { ImageError } from './errors.js';

/** Most symlinks followed while resolving one path (Linux's MAXSYMLINKS). */
const MAX_SYMLINK_HOPS = 40;

/**
 * Normalizes a path inside the image to absolute form ("/a/b"): "./" and duplicate slashes go,
 * ".." is resolved lexically. A leading "/" is taken relative to the image root (as Docker does).
 * Returns undefined when ".." climbs above the root.
 */
export function normalizeImagePath(raw: string): string | undefined {
  const out: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return '/' + out.join('/');
}

export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Where a symlink at `linkPath` points, lexically (absolute targets are relative to the image
 * root). Undefined when a relative target climbs above the root: Docker's own extraction rejects
 * such links as a breakout ("invalid symlink"), and so do we.
 */
export function symlinkTarget(linkPath: string, target: string): string | undefined {
  if (target.startsWith('/')) return normalizeImagePath(target);
  return normalizeImagePath(`${parentOf(linkPath)}/${target}`);
}

/**
 * Resolves symlinks in every component of `path` inside the image, as the kernel does in a chroot:
 * ".." never climbs above "/", absolute targets restart at the image root. Throws SYMLINK_LOOP
 * after 40 hops.
 */
export function resolveInImage(path: string, symlinks: ReadonlyMap<string, string>): string {
  let pending = splitParts(path);
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = '/' + [...done, part].join('/');
    const target = symlinks.get(candidate);
    if (target === undefined) {
      done.push(part);
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) {
      throw new ImageError('SYMLINK_LOOP', `resolving "${path}": more than ${MAX_SYMLINK_HOPS} symlinks (loop at "${candidate}")`);
    }
    if (target.startsWith('/')) done.length = 0;
    pending = [...splitParts(target), ...pending];
  }
  return '/' + done.join('/');
}

function splitParts(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}
