import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImageError } from './errors.js';
import { normalizeImagePath, resolveInImage, symlinkTarget } from './paths.js';

describe('normalizeImagePath', () => {
  it('makes entry names absolute and drops ./ and duplicate slashes', () => {
    assert.equal(normalizeImagePath('./etc//os-release'), '/etc/os-release');
    assert.equal(normalizeImagePath('etc/apt/'), '/etc/apt');
    assert.equal(normalizeImagePath('./'), '/');
  });
  it('treats a leading slash as relative to the image root, as Docker does', () => {
    assert.equal(normalizeImagePath('/etc/passwd'), '/etc/passwd');
  });
  it('resolves .. lexically and refuses to climb above the root', () => {
    assert.equal(normalizeImagePath('usr/lib/../share/x'), '/usr/share/x');
    assert.equal(normalizeImagePath('../../etc/passwd'), undefined);
    assert.equal(normalizeImagePath('a/../../b'), undefined);
  });
});

describe('symlinkTarget', () => {
  it('resolves relative targets from the link directory and keeps absolute ones in the image', () => {
    assert.equal(symlinkTarget('/etc/os-release', '../usr/lib/os-release'), '/usr/lib/os-release');
    assert.equal(symlinkTarget('/bin', 'usr/bin'), '/usr/bin');
    assert.equal(symlinkTarget('/etc/x', '/etc/y'), '/etc/y');
  });
  it('is undefined for relative targets escaping the root', () => {
    assert.equal(symlinkTarget('/etc/x', '../../etc/passwd'), undefined);
  });
});

describe('resolveInImage', () => {
  const links = new Map([
    ['/etc/os-release', '../usr/lib/os-release'],
    ['/lib', 'usr/lib'],
    ['/usr/lib/os-release.d', '/etc'],
    ['/abs', '/usr/lib'],
    ['/loop/a', 'b'],
    ['/loop/b', 'a'],
    ['/deep', '../../../../usr'],
  ]);
  it('follows /etc/os-release to /usr/lib/os-release', () => {
    assert.equal(resolveInImage('/etc/os-release', links), '/usr/lib/os-release');
  });
  it('follows links in intermediate components', () => {
    assert.equal(resolveInImage('/lib/apk/db/installed', links), '/usr/lib/apk/db/installed');
    assert.equal(resolveInImage('/abs/x', links), '/usr/lib/x');
  });
  it('clamps .. at the root as the kernel does in a chroot', () => {
    assert.equal(resolveInImage('/deep/bin', links), '/usr/bin');
    assert.equal(resolveInImage('/../../etc/hosts', links), '/etc/hosts');
  });
  it('leaves paths without links alone', () => {
    assert.equal(resolveInImage('/var/lib/dpkg/status', links), '/var/lib/dpkg/status');
  });
  it('throws SYMLINK_LOOP after 40 hops', () => {
    assert.throws(() => resolveInImage('/loop/a', links), (e: unknown) => e instanceof ImageError && e.code === 'SYMLINK_LOOP');
  });
});
