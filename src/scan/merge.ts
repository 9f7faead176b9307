import { mergeDistroHints, type AnalyzerResult, type DistroHint } from '../catalog/index.js';
import { resolveInImage } from '../image/index.js';
import { finalizePackage, sortPackages, type Distro, type Package, type PackageDraft, type ScanIssue } from '../inventory/index.js';
import type { LayerFragment } from './fragment.js';
import { installedGroupsOf, reconcileDeclared } from './reconcile.js';

interface Version {
  readonly layer: string;
  readonly results: ReadonlyMap<string, AnalyzerResult>;
}

/** Every consecutive version of one path, oldest first, since it was last deleted. */
type History = Version[];

function isUnder(path: string, dir: string): boolean {
  return dir === '/' ? path !== '/' : path.startsWith(`${dir}/`);
}

function deletePaths<T>(map: Map<string, T>, dir: string, includeSelf: boolean): void {
  for (const key of [...map.keys()]) {
    if ((includeSelf && key === dir) || isUnder(key, dir)) map.delete(key);
  }
}

const packageKey = (p: PackageDraft): string => `${p.type}\u0000${p.namespace ?? ''}\u0000${p.name}\u0000${p.version}\u0000${p.arch ?? ''}`;

/**
 * The layer from which each package of the latest version of a file has been continuously present
 * in that file: walk the versions newest first while the package is still there. Key sets are
 * built once per version (a dpkg status file lists hundreds of packages; comparing lists pairwise
 * was quadratic).
 */
function introducedLayers(history: History, analyzer: string): (key: string) => string | undefined {
  const keySets: (Set<string> | undefined)[] = [];
  const keysAt = (i: number): Set<string> => {
    let keys = keySets[i];
    if (keys === undefined) {
      keys = new Set((history[i]!.results.get(analyzer)?.packages ?? []).map(packageKey));
      keySets[i] = keys;
    }
    return keys;
  };
  return (key) => {
    let layer: string | undefined;
    for (let i = history.length - 1; i >= 0; i--) {
      if (!keysAt(i).has(key)) break;
      layer = history[i]!.layer;
    }
    return layer;
  };
}

export interface Merged {
  readonly distro?: Distro;
  readonly packages: readonly Package[];
  readonly issues: readonly ScanIssue[];
}

/**
 * Overlays layer fragments in order as the container runtime would: a layer's whiteouts and
 * opaque directories hide what lower layers put there, then its own files replace lower ones.
 * The result is a pure function of the fragments, so a warm scan (fragments from the cache)
 * equals a cold one byte for byte.
 */
export function mergeFragments(fragments: readonly LayerFragment[], isPseudoLayer = false): Merged {
  const files = new Map<string, History>();
  const symlinks = new Map<string, string>();
  const issues: ScanIssue[] = [];
  for (const fragment of fragments) {
    for (const dir of fragment.opaqueDirs) {
      deletePaths(files, dir, false);
      deletePaths(symlinks, dir, false);
    }
    for (const path of fragment.whiteouts) {
      deletePaths(files, path, true);
      deletePaths(symlinks, path, true);
    }
    const byPath = new Map<string, Map<string, AnalyzerResult>>();
    for (const f of fragment.files) {
      const results = byPath.get(f.path) ?? new Map<string, AnalyzerResult>();
      results.set(f.analyzer, f.result);
      byPath.set(f.path, results);
    }
    for (const [path, target] of fragment.symlinks) {
      files.delete(path);
      symlinks.set(path, target);
    }
    for (const [path, results] of byPath) {
      symlinks.delete(path);
      const history = files.get(path) ?? [];
      files.set(path, [...history, { layer: fragment.layer, results }]);
    }
    issues.push(...fragment.issues);
  }
  const distro = pickDistro(files, symlinks);
  const packages: Package[] = [];
  for (const [, history] of [...files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const latest = history[history.length - 1]!;
    for (const [analyzer, result] of latest.results) {
      const introducedIn = isPseudoLayer ? undefined : introducedLayers(history, analyzer);
      for (const draft of result.packages ?? []) {
        const layer = introducedIn?.(packageKey(draft));
        packages.push(finalizePackage(draft, layer, distro));
      }
      issues.push(...(result.issues ?? []));
    }
  }
  const everInstalled = installedGroupsOf(fragments.flatMap((f) => f.files.flatMap((file) => file.result.packages ?? [])));
  const reconciled = sortPackages(reconcileDeclared(packages, everInstalled));
  return distro === undefined ? { packages: reconciled, issues } : { distro, packages: reconciled, issues };
}

// Every distro hint of the merged view; a path that is a symlink counts with its target's result
// (e.g. /etc/os-release → ../usr/lib/os-release). mergeDistroHints picks by priority, order-free.
function pickDistro(files: ReadonlyMap<string, History>, symlinks: ReadonlyMap<string, string>): Distro | undefined {
  const hints: DistroHint[] = [];
  const collect = (history: History | undefined) => {
    for (const result of history?.[history.length - 1]?.results.values() ?? []) {
      if (result.distro !== undefined) hints.push(result.distro);
    }
  };
  for (const history of files.values()) collect(history);
  for (const path of symlinks.keys()) collect(files.get(resolveInImage(path, symlinks)));
  return mergeDistroHints(hints);
}
