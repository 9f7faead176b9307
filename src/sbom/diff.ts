import type { Inventory, Package, PackageType } from '../inventory/index.js';

/** A component present on one side only. */
export interface SbomDiffEntry {
  readonly type: PackageType;
  readonly namespace?: string;
  readonly name: string;
  readonly arch?: string;
  readonly version: string;
}

/** A component present on both sides with another version. */
export interface SbomDiffChange {
  readonly type: PackageType;
  readonly namespace?: string;
  readonly name: string;
  readonly arch?: string;
  readonly from: string;
  readonly to: string;
}

export interface SbomDiff {
  readonly added: readonly SbomDiffEntry[];
  readonly removed: readonly SbomDiffEntry[];
  readonly changed: readonly SbomDiffChange[];
}

interface Identity {
  readonly type: PackageType;
  readonly namespace: string;
  readonly name: string;
  readonly arch: string;
}

interface Group {
  readonly id: Identity;
  readonly versions: Set<string>;
}

/** pypi names compare normalized (PEP 503), as the purl spec says; other names exactly. */
function identity(pkg: Package): Identity {
  const name = pkg.type === 'pypi' ? pkg.name.toLowerCase().replace(/[-_.]+/g, '-') : pkg.name;
  return { type: pkg.type, namespace: pkg.namespace ?? '', name, arch: (pkg.arch ?? '').toLowerCase() };
}

function keyOf(id: Identity): string {
  return JSON.stringify([id.type, id.namespace, id.name, id.arch]);
}

function group(inventory: Inventory): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const pkg of inventory.packages) {
    const id = identity(pkg);
    const key = keyOf(id);
    const existing = groups.get(key);
    if (existing === undefined) groups.set(key, { id, versions: new Set([pkg.version]) });
    else existing.versions.add(pkg.version);
  }
  return groups;
}

/** Two identities that differ only where one side knows less: a generic type, no namespace, no arch. */
function compatible(a: Identity, b: Identity): boolean {
  const field = (x: string, y: string): boolean => x === y || x === '' || y === '';
  return a.name === b.name && (a.type === b.type || a.type === 'generic' || b.type === 'generic')
    && field(a.namespace, b.namespace) && field(a.arch, b.arch);
}

/** Pairs one-sided groups whose identities are compatible, when the pairing is unambiguous both ways. */
function loosePairs(onlyA: Group[], onlyB: Group[]): [Group, Group][] {
  const pairs: [Group, Group][] = [];
  for (const a of onlyA) {
    const candidates = onlyB.filter((b) => compatible(a.id, b.id));
    if (candidates.length !== 1) continue;
    const b = candidates[0] as Group;
    if (onlyA.filter((x) => compatible(x.id, b.id)).length === 1) pairs.push([a, b]);
  }
  return pairs;
}

/** The better-known identity of a paired group: the typed one, the one with namespace and arch. */
function merged(a: Identity, b: Identity): Identity {
  return {
    type: a.type === 'generic' ? b.type : a.type,
    namespace: a.namespace || b.namespace,
    name: a.name,
    arch: a.arch || b.arch,
  };
}

function label(id: Identity): { type: PackageType; namespace?: string; name: string; arch?: string } {
  return {
    type: id.type,
    ...(id.namespace === '' ? {} : { namespace: id.namespace }),
    name: id.name,
    ...(id.arch === '' ? {} : { arch: id.arch }),
  };
}

function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareEntries(x: SbomDiffEntry | SbomDiffChange, y: SbomDiffEntry | SbomDiffChange): number {
  const version = (e: SbomDiffEntry | SbomDiffChange): string => ('version' in e ? e.version : e.from);
  return compareText(x.type, y.type) || compareText(x.namespace ?? '', y.namespace ?? '') || compareText(x.name, y.name)
    || compareText(x.arch ?? '', y.arch ?? '') || compareText(version(x), version(y));
}

/**
 * Components added, removed and changed in version from `a` to `b`. A component is identified by
 * (purl type, namespace, name, arch); every other purl qualifier (distro, repository_url…) is
 * ignored, and a deb/rpm epoch is part of the version. Versions are compared as sets per identity,
 * so a package listed twice (two locations) is one component. Where one side knows less (no purl,
 * hence type generic; no namespace; no arch) an otherwise equal identity is matched when that is
 * unambiguous, so the same image read from CycloneDX and from SPDX gives no difference.
 */
export function diffSboms(a: Inventory, b: Inventory): SbomDiff {
  const groupsA = group(a);
  const groupsB = group(b);
  const pairs: [Identity, Set<string>, Set<string>][] = [];
  for (const [key, ga] of groupsA) {
    const gb = groupsB.get(key);
    if (gb !== undefined) pairs.push([ga.id, ga.versions, gb.versions]);
  }
  const onlyA = [...groupsA].filter(([key]) => !groupsB.has(key)).map(([, g]) => g);
  const onlyB = [...groupsB].filter(([key]) => !groupsA.has(key)).map(([, g]) => g);
  const paired = new Set<Group>();
  for (const [ga, gb] of loosePairs(onlyA, onlyB)) {
    pairs.push([merged(ga.id, gb.id), ga.versions, gb.versions]);
    paired.add(ga).add(gb);
  }
  const added: SbomDiffEntry[] = [];
  const removed: SbomDiffEntry[] = [];
  const changed: SbomDiffChange[] = [];
  for (const [id, va, vb] of pairs) {
    const gone = [...va].filter((v) => !vb.has(v));
    const come = [...vb].filter((v) => !va.has(v));
    if (gone.length === 1 && come.length === 1) changed.push({ ...label(id), from: gone[0] as string, to: come[0] as string });
    else {
      for (const version of gone) removed.push({ ...label(id), version });
      for (const version of come) added.push({ ...label(id), version });
    }
  }
  for (const g of onlyA) if (!paired.has(g)) for (const version of g.versions) removed.push({ ...label(g.id), version });
  for (const g of onlyB) if (!paired.has(g)) for (const version of g.versions) added.push({ ...label(g.id), version });
  return { added: added.sort(compareEntries), removed: removed.sort(compareEntries), changed: changed.sort(compareEntries) };
}

export function isEmptyDiff(diff: SbomDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

const OS_TYPES: ReadonlySet<PackageType> = new Set(['deb', 'rpm', 'apk']);

/** The name as people write it: OS packages without the distro namespace, others with it. */
function displayName(e: SbomDiffEntry | SbomDiffChange): string {
  return e.namespace === undefined || OS_TYPES.has(e.type) ? e.name : `${e.namespace}/${e.name}`;
}

function shown(version: string): string {
  return version === '' ? '(no-version)' : version;
}

function suffix(e: SbomDiffEntry | SbomDiffChange): string {
  return e.arch === undefined ? `(${e.type})` : `(${e.type} ${e.arch})`;
}

/** "+ name version (type arch)", "- …", "~ name a -> b (…)", one line each, by type then shown name. */
export function formatDiffText(diff: SbomDiff): string {
  const lines: [SbomDiffEntry | SbomDiffChange, string][] = [
    ...diff.added.map((e): [SbomDiffEntry, string] => [e, `+ ${displayName(e)} ${shown(e.version)} ${suffix(e)}`]),
    ...diff.removed.map((e): [SbomDiffEntry, string] => [e, `- ${displayName(e)} ${shown(e.version)} ${suffix(e)}`]),
    ...diff.changed.map((e): [SbomDiffChange, string] => [e, `~ ${displayName(e)} ${shown(e.from)} -> ${shown(e.to)} ${suffix(e)}`]),
  ];
  lines.sort(([x, lx], [y, ly]) => compareText(x.type, y.type) || compareText(displayName(x), displayName(y)) || compareEntries(x, y) || compareText(lx, ly));
  return lines.map(([, line]) => `${line}\n`).join('');
}

/** Deterministic JSON: fixed key order, sorted lists, two-space indent, final newline. */
export function formatDiffJson(diff: SbomDiff): string {
  return `${JSON.stringify({ added: diff.added, removed: diff.removed, changed: diff.changed }, null, 2)}\n`;
}
