import type { PackageDraft } from '../../../inventory/index.js';

/** Go's purl: namespace = module path up to the last "/", name = the last element. */
export function goDraft(modulePath: string, version: string, location: string, foundBy: string, properties: Record<string, string>): PackageDraft {
  const slash = modulePath.lastIndexOf('/');
  const name = modulePath.slice(slash + 1);
  const base = { type: 'golang' as const, name, version, location, foundBy, properties };
  return slash > 0 ? { ...base, namespace: modulePath.slice(0, slash) } : base;
}

/**
 * A replacement target that is a directory, not a module (golang.org/x/mod/modfile.IsDirectoryPath):
 * "./x", "../x", "/x", ".", "..", and Windows forms (".\x", "C:\x").
 */
export function isDirectoryPath(path: string): boolean {
  if (path === '.' || path === '..' || path.startsWith('./') || path.startsWith('../') || path.startsWith('/')) return true;
  if (path.startsWith('.\\') || path.startsWith('..\\')) return true;
  return path.length >= 3 && /^[A-Za-z]:[\\/]/.test(path.slice(0, 3));
}

const RELEASE = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?$/;

/**
 * The Go toolchain as the `stdlib` module version the Go vulnerability database uses:
 * "go1.19.8" → "v1.19.8", "go1.20" → "v1.20.0", "go1.21rc2" → "v1.21.0-rc.2"; a GOEXPERIMENT
 * suffix ("go1.23.1 X:nocoverageredesign") is dropped. Anything else (a "devel …" toolchain) → undefined.
 */
export function stdlibVersion(goVersion: string): string | undefined {
  const head = goVersion.split(' ', 1)[0] ?? '';
  const m = RELEASE.exec(head);
  if (m === null) return undefined;
  const pre = m[4] === undefined ? '' : `-${m[4]}.${m[5] ?? ''}`;
  return `v${m[1] ?? ''}.${m[2] ?? ''}.${m[3] ?? '0'}${pre}`;
}
