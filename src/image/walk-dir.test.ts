import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImageError } from './errors.js';
import { walkDirectory } from './walk-dir.js';

let root: string;
let outside: string;
before(async () => {
  outside = await mkdtemp(join(tmpdir(), 'stella-walkdir-outside-'));
  await writeFile(join(outside, 'secret'), 'do not read');
  root = await mkdtemp(join(tmpdir(), 'stella-walkdir-'));
  await mkdir(join(root, 'usr/lib'), { recursive: true });
  await mkdir(join(root, 'etc'));
  await mkdir(join(root, 'var/lib/dpkg'), { recursive: true });
  await writeFile(join(root, 'usr/lib/os-release'), 'ID=debian\n');
  await symlink('../usr/lib/os-release', join(root, 'etc/os-release'));
  await symlink(join(outside, 'secret'), join(root, 'etc/escape'));
  await symlink(outside, join(root, 'etc/escape-dir'));
  await writeFile(join(root, 'var/lib/dpkg/status'), 'Package: libc6\n');
  await link(join(root, 'var/lib/dpkg/status'), join(root, 'var/lib/dpkg/status-old'));
  spawnSync('mkfifo', [join(root, 'etc/fifo')]);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('walkDirectory', () => {
  it('reads wanted files, records symlinks without following them, and notes hardlinks', async () => {
    const layer = await walkDirectory(root, { wants: () => true });
    assert.deepEqual([...layer.files.keys()].sort(), ['/usr/lib/os-release', '/var/lib/dpkg/status', '/var/lib/dpkg/status-old']);
    assert.equal(layer.symlinks.get('/etc/os-release'), '../usr/lib/os-release');
    assert.equal(layer.symlinks.get('/etc/escape'), join(outside, 'secret'));
    assert.ok(![...layer.files.values()].some((content) => content.toString() === 'do not read'));
    assert.deepEqual([...layer.hardlinks], [['/var/lib/dpkg/status-old', '/var/lib/dpkg/status']]);
    assert.deepEqual(layer.whiteouts, []);
  });

  it('only reads what is wanted', async () => {
    const layer = await walkDirectory(root, { wants: (p) => p === '/var/lib/dpkg/status' });
    assert.deepEqual([...layer.files.keys()], ['/var/lib/dpkg/status']);
    assert.equal(layer.bytesRead, 'Package: libc6\n'.length);
  });

  it('applies the entry-count and file-size limits', async () => {
    await assert.rejects(walkDirectory(root, { wants: () => true, limits: { maxEntries: 3 } }), (e: unknown) => e instanceof ImageError && e.code === 'TOO_MANY_ENTRIES');
    const layer = await walkDirectory(root, { wants: () => true, maxFileSize: () => 4 });
    assert.ok(layer.skipped.some((s) => s.path === '/usr/lib/os-release' && s.limit === 4), JSON.stringify(layer.skipped));
  });

  it('refuses a root that is not a directory', async () => {
    await assert.rejects(walkDirectory(join(root, 'nope'), { wants: () => true }), (e: unknown) => e instanceof ImageError && e.code === 'NOT_FOUND');
  });
});
