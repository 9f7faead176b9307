import type { Package } from './model.js';

function byText(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The one package order used everywhere output must be deterministic. */
export function comparePackages(a: Package, b: Package): number {
  return byText(a.type, b.type) || byText(a.namespace, b.namespace) || byText(a.name, b.name)
    || byText(a.version, b.version) || byText(a.arch, b.arch) || byText(a.location, b.location) || byText(a.purl, b.purl);
}

export function sortPackages(packages: readonly Package[]): Package[] {
  return [...packages].sort(comparePackages);
}
