/*
 * The alias graph: which source records name the same vulnerability. Pure.
 *
 * Nodes are records (by `ref`) and ids. A record is joined to its own id and to each of its
 * `aliases`; to its `upstream` id only when it names exactly one (DEBIAN-CVE-2023-1 → CVE-2023-1).
 * A record naming several upstream ids (a DSA fixing five CVEs) is not joined to any of them —
 * that would fuse distinct CVEs; merge.ts fans its affected entries out instead. `related` never
 * joins anything.
 *
 * Transitive blow-ups: union is transitive, so one record listing two CVE ids as aliases (it
 * happens: a GHSA covering CVE-A and CVE-B, or a CVE later rejected as a duplicate of another)
 * puts both CVEs, and everything attached to either, into one component. That is allowed: the key
 * is the lowest CVE (chooseKey) and the other CVE ids become aliases of it.
 *
 * Placeholder ids such as Debian's `CVE-2023-XXXX` are kept as aliases but never join anything:
 * many unrelated issues share that text.
 */

export interface AliasNode {
  readonly ref: string;
  readonly id: string;
  readonly aliases: readonly string[];
  readonly upstream: readonly string[];
}

/** One connected component: its refs (sorted), its ids (sorted) and its key (chooseKey). */
export interface AliasComponent {
  readonly key: string;
  readonly refs: readonly string[];
  readonly ids: readonly string[];
}

/**
 * Trims an id and upper-cases well-known prefixes: `cve-2020-1` → `CVE-2020-1`; GHSA ids as GitHub
 * writes them (`GHSA-` upper, the rest lower case). Anything else is kept as written.
 */
export function normalizeAdvisoryId(id: string): string {
  const trimmed = id.trim();
  if (/^cve-/i.test(trimmed)) return trimmed.toUpperCase();
  if (/^ghsa-/i.test(trimmed)) return `GHSA-${trimmed.slice(5).toLowerCase()}`;
  const m = PREFIX.exec(trimmed);
  return m === null ? trimmed : `${m[0].toUpperCase()}${trimmed.slice(m[0].length)}`;
}

// Scheme prefixes, in the order chooseKey prefers them after CVE (OSV-native ids first, then
// distro advisories, then regional databases). `pattern` recognizes the (normalized) id.
const SCHEMES: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'GHSA', pattern: /^GHSA-/ },
  { name: 'PYSEC', pattern: /^PYSEC-/ },
  { name: 'GO', pattern: /^GO-/ },
  { name: 'RUSTSEC', pattern: /^RUSTSEC-/ },
  { name: 'HSEC', pattern: /^HSEC-/ },
  { name: 'PSF', pattern: /^PSF-/ },
  { name: 'GSD', pattern: /^GSD-/ },
  { name: 'MAL', pattern: /^MAL-/ },
  { name: 'OSV', pattern: /^OSV-/ },
  { name: 'DSA', pattern: /^DSA-/ },
  { name: 'DLA', pattern: /^DLA-/ },
  { name: 'DTSA', pattern: /^DTSA-/ },
  { name: 'USN', pattern: /^USN-/ },
  { name: 'RHSA', pattern: /^RHSA-/ },
  { name: 'DEBIAN', pattern: /^DEBIAN-/ },
  { name: 'UBUNTU', pattern: /^UBUNTU-/ },
  { name: 'ALSA', pattern: /^ALSA-/ },
  { name: 'RLSA', pattern: /^RLSA-/ },
  { name: 'ALAS', pattern: /^ALAS/ },
  { name: 'ELSA', pattern: /^ELSA-/ },
  { name: 'SUSE', pattern: /^(?:SUSE|OPENSUSE)-/ },
  { name: 'JVN', pattern: /^JVNDB-/ },
  { name: 'BDU', pattern: /^BDU:/ },
  { name: 'CNVD', pattern: /^CNVD-/ },
  { name: 'CNNVD', pattern: /^CNNVD-/ },
  { name: 'EUVD', pattern: /^EUVD-/ },
];

const PREFIX = /^(?:pysec|go|rustsec|hsec|psf|gsd|mal|osv|dsa|dla|dtsa|usn|rhsa|debian|ubuntu|alsa|rlsa|alas\d*|elsa|suse|opensuse|jvndb|cnvd|cnnvd|euvd)-|^bdu:/i;
const CVE = /^CVE-(\d{4})-(\d+)$/;
const PLACEHOLDER = /^CVE-\d{4}-X+$/;
const RANK: ReadonlyMap<string, number> = new Map(SCHEMES.map((s, i) => [s.name, i + 1]));

/** The id's scheme: 'CVE', 'GHSA', 'PYSEC', 'GO', 'RUSTSEC', 'DSA', …, 'JVN', 'BDU', … or 'OTHER'. */
export function idScheme(id: string): string {
  const normalized = normalizeAdvisoryId(id);
  if (CVE.test(normalized)) return 'CVE';
  return SCHEMES.find((s) => s.pattern.test(normalized))?.name ?? 'OTHER';
}

/** Orders ids as chooseKey prefers them: CVE (year, then number, numerically), schemes, lexically. */
export function compareIds(a: string, b: string): number {
  const rankA = schemeRank(a);
  const rankB = schemeRank(b);
  if (rankA !== rankB) return rankA - rankB;
  if (rankA === 0) {
    const ma = CVE.exec(a);
    const mb = CVE.exec(b);
    if (ma !== null && mb !== null) {
      const byNumbers = compareDigits(ma[1] ?? '', mb[1] ?? '') || compareDigits(ma[2] ?? '', mb[2] ?? '');
      if (byNumbers !== 0) return byNumbers;
    }
  }
  return compareText(a, b);
}

/** The canonical key among a component's ids (see compareIds). Throws on an empty list. */
export function chooseKey(ids: Iterable<string>): string {
  let best: string | undefined;
  for (const raw of ids) {
    const id = normalizeAdvisoryId(raw);
    if (id !== '' && (best === undefined || compareIds(id, best) < 0)) best = id;
  }
  if (best === undefined) throw new RangeError('chooseKey: no ids given');
  return best;
}

/**
 * Connected components of records that name the same vulnerability, as arrays of refs (each
 * sorted), the list sorted by the component's key. Deterministic regardless of input order.
 */
export function groupByAlias(nodes: Iterable<AliasNode>): string[][] {
  return aliasComponents(nodes).map((c) => [...c.refs]);
}

/** Like groupByAlias, with each component's ids and key (merge.ts needs them for the fan-out). */
export function aliasComponents(nodes: Iterable<AliasNode>): AliasComponent[] {
  const sets = new DisjointSets();
  const idsOfRef = new Map<string, Set<string>>();
  for (const node of nodes) {
    const refKey = `ref\u0000${node.ref}`;
    sets.add(refKey);
    const ids = idsOfRef.get(node.ref) ?? new Set<string>();
    idsOfRef.set(node.ref, ids);
    for (const id of joinedIds(node)) {
      ids.add(id);
      if (!isPlaceholderId(id)) sets.union(refKey, `id\u0000${id}`);
    }
  }
  const byRoot = new Map<string, { refs: string[]; ids: Set<string> }>();
  for (const [ref, ids] of idsOfRef) {
    const root = sets.find(`ref\u0000${ref}`);
    const entry = byRoot.get(root) ?? { refs: [], ids: new Set<string>() };
    byRoot.set(root, entry);
    entry.refs.push(ref);
    for (const id of ids) entry.ids.add(id);
  }
  const components = [...byRoot.values()].map(({ refs, ids }) => ({
    key: chooseKey(ids),
    refs: refs.sort(compareText),
    ids: [...ids].sort(compareText),
  }));
  return components.sort((a, b) => compareIds(a.key, b.key) || compareText(a.refs[0] ?? '', b.refs[0] ?? ''));
}

/** The ids a record is joined to: its id, its aliases, and its upstream id when it names just one. */
export function joinedIds(node: Pick<AliasNode, 'id' | 'aliases' | 'upstream'>): string[] {
  const own = normalizeAdvisoryId(node.id);
  const ids = new Set<string>([own]);
  for (const alias of node.aliases) ids.add(normalizeAdvisoryId(alias));
  const upstream = upstreamIds(node);
  if (upstream.length === 1 && upstream[0] !== undefined) ids.add(upstream[0]);
  ids.delete('');
  return [...ids];
}

/** The distinct upstream ids a record names besides its own id and aliases, sorted. */
export function upstreamIds(node: Pick<AliasNode, 'id' | 'aliases' | 'upstream'>): string[] {
  const own = new Set([node.id, ...node.aliases].map(normalizeAdvisoryId));
  const ids = new Set(node.upstream.map(normalizeAdvisoryId).filter((id) => id !== '' && !own.has(id)));
  return [...ids].sort(compareText);
}

/** Placeholder ids (Debian's `CVE-2023-XXXX`) are shared by unrelated issues: they never join. */
export function isPlaceholderId(id: string): boolean {
  return PLACEHOLDER.test(normalizeAdvisoryId(id));
}

/** UTF-16 code unit order (never locale-dependent). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function schemeRank(id: string): number {
  const scheme = idScheme(id);
  if (scheme === 'CVE') return 0;
  return RANK.get(scheme) ?? SCHEMES.length + 1;
}

/** Compares two runs of decimal digits by value, whatever their length. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length - y.length || compareText(x, y);
}

/** Union-find over string keys, with path halving and union by size. */
class DisjointSets {
  private readonly parent = new Map<string, string>();
  private readonly size = new Map<string, number>();

  add(key: string): void {
    if (!this.parent.has(key)) {
      this.parent.set(key, key);
      this.size.set(key, 1);
    }
  }

  find(key: string): string {
    this.add(key);
    let current = key;
    for (;;) {
      const parent = this.parent.get(current) ?? current;
      if (parent === current) return current;
      const grandparent = this.parent.get(parent) ?? parent;
      this.parent.set(current, grandparent);
      current = grandparent;
    }
  }

  union(a: string, b: string): void {
    let rootA = this.find(a);
    let rootB = this.find(b);
    if (rootA === rootB) return;
    const sizeA = this.size.get(rootA) ?? 1;
    const sizeB = this.size.get(rootB) ?? 1;
    if (sizeA < sizeB) [rootA, rootB] = [rootB, rootA];
    this.parent.set(rootB, rootA);
    this.size.set(rootA, sizeA + sizeB);
  }
}
