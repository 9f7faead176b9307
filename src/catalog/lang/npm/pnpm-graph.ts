import { isObject } from './common.js';

/*
 * pnpm lockfile v9 no longer marks packages dev or not: the importers (the workspace projects)
 * list their dependencies, devDependencies and optionalDependencies, and `snapshots` give each
 * resolved package's own dependencies. A package is dev when only devDependencies reach it.
 */

const PROD_SECTIONS = ['dependencies', 'optionalDependencies'] as const;
const DEV_SECTIONS = ['devDependencies'] as const;

/** "name@1.0.0(peer@2)" → "name@1.0.0": the `packages` key of a snapshot. */
const packageKeyOf = (snapshotKey: string): string => {
  const paren = snapshotKey.indexOf('(');
  return paren >= 0 ? snapshotKey.slice(0, paren) : snapshotKey;
};

/** An importer's dependency value: v9 `{specifier, version}`, or a bare version string. */
const versionOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : isObject(value) && typeof value.version === 'string' ? value.version : undefined;

/** The snapshot a dependency points to: "name@version", or an alias's "real@version"; none for links. */
function snapshotOf(snapshots: Record<string, unknown>, name: string, value: unknown): string | undefined {
  const version = versionOf(value);
  if (version === undefined) return undefined;
  const direct = `${name}@${version}`;
  if (direct in snapshots) return direct;
  return version in snapshots ? version : undefined;
}

function roots(importers: Record<string, unknown>, snapshots: Record<string, unknown>, sections: readonly string[]): string[] {
  const out: string[] = [];
  for (const importer of Object.values(importers)) {
    if (!isObject(importer)) continue;
    for (const section of sections) {
      const deps = importer[section];
      if (!isObject(deps)) continue;
      for (const [name, value] of Object.entries(deps)) {
        const key = snapshotOf(snapshots, name, value);
        if (key !== undefined) out.push(key);
      }
    }
  }
  return out;
}

/** Every snapshot reachable from `start` through dependencies and optionalDependencies. */
function reach(snapshots: Record<string, unknown>, start: readonly string[]): Set<string> {
  const seen = new Set<string>(start);
  const queue = [...start];
  while (queue.length > 0) {
    const snapshot = snapshots[queue.pop()!];
    if (!isObject(snapshot)) continue;
    for (const section of PROD_SECTIONS) {
      const deps = snapshot[section];
      if (!isObject(deps)) continue;
      for (const [name, value] of Object.entries(deps)) {
        const key = snapshotOf(snapshots, name, value);
        if (key !== undefined && !seen.has(key)) {
          seen.add(key);
          queue.push(key);
        }
      }
    }
  }
  return seen;
}

/**
 * `name@version` → dev flag, for lock files with `snapshots` (v9); empty otherwise. A package
 * reached from production roots is not dev, whatever else reaches it; one reached from nothing
 * gets no flag.
 */
export function pnpmDevFlags(doc: Record<string, unknown>): Map<string, boolean> {
  const flags = new Map<string, boolean>();
  if (!isObject(doc.snapshots) || !isObject(doc.importers)) return flags;
  const { snapshots, importers } = doc;
  const prod = reach(snapshots, roots(importers, snapshots, PROD_SECTIONS));
  const dev = reach(snapshots, roots(importers, snapshots, DEV_SECTIONS));
  for (const key of dev) flags.set(packageKeyOf(key), true);
  for (const key of prod) flags.set(packageKeyOf(key), false);
  return flags;
}
