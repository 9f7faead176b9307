import type { Package } from '../inventory/index.js';

/** Lock-file facts copied onto the installed package they describe. */
const ENRICHING = ['stella:dev', 'stella:integrity', 'stella:resolved', 'stella:lockfile'] as const;

export const groupOf = (p: Pick<Package, 'type' | 'properties'>): string => `${p.type}\u0000${p.properties?.['stella:project'] ?? ''}`;
const identity = (p: Package): string => `${p.namespace ?? ''}\u0000${p.name}\u0000${p.version}`;

/**
 * Language analyzers mark packages `stella:evidence` = `installed` (a node_modules, site-packages,
 * vendor directory…) or `declared` (a lock file or manifest), with `stella:project` naming the
 * project both belong to ('' = the whole image). Where a project has installed packages, its
 * declared ones only enrich them (dev flag, integrity…) and are not reported: a package the lock
 * names but a later layer deleted is not in the image. Where nothing is installed, the lock file
 * is the inventory. `everInstalled` names groups that had installed packages in any layer, even
 * if a later layer deleted them all: their lock files still only enrich.
 */
export function reconcileDeclared(packages: readonly Package[], everInstalled: ReadonlySet<string> = new Set()): Package[] {
  const installedGroups = new Set<string>(everInstalled);
  const declared = new Map<string, Package>();
  for (const p of packages) {
    const evidence = p.properties?.['stella:evidence'];
    // A build-tool wrapper (gradle-wrapper.jar) in a source tree does not make its project "installed".
    if (evidence === 'installed' && p.properties?.['stella:build-tool'] !== 'true') installedGroups.add(groupOf(p));
    else if (evidence === 'declared') declared.set(`${groupOf(p)}\u0000${identity(p)}`, p);
  }
  const out: Package[] = [];
  for (const p of packages) {
    const evidence = p.properties?.['stella:evidence'];
    if (evidence === 'declared' && installedGroups.has(groupOf(p))) continue;
    if (evidence !== 'installed') {
      out.push(p);
      continue;
    }
    const lock = declared.get(`${groupOf(p)}\u0000${identity(p)}`);
    const extra: Record<string, string> = {};
    for (const key of ENRICHING) {
      const value = lock?.properties?.[key];
      if (value !== undefined && p.properties?.[key] === undefined) extra[key] = value;
    }
    out.push(Object.keys(extra).length === 0 ? p : { ...p, properties: { ...p.properties, ...extra } });
  }
  return out;
}

/** Groups with installed packages in any layer's results (deleted ones included). */
export function installedGroupsOf(drafts: Iterable<Pick<Package, 'type' | 'properties'>>): Set<string> {
  const groups = new Set<string>();
  for (const p of drafts) {
    if (p.properties?.['stella:evidence'] === 'installed' && p.properties['stella:build-tool'] !== 'true') groups.add(groupOf(p));
  }
  return groups;
}
