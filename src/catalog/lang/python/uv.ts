import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { badEntry, hashesOf, insideSitePackages, isRecord, lockDraft, normalizeName, parseTomlFile, stringOf } from './common.js';

/*
 * uv.lock (version 1): `[[package]]` tables with name, version, `source`, `sdist`/`wheels`
 * hashes and dependency edges. Workspace members (source `editable` or `virtual`) are the
 * project itself, not components: they are not reported, but they are the roots of the graph.
 * uv marks no package dev; the lock says it through the members' `dev-dependencies` (dependency
 * groups, which `uv sync --no-dev` / non-default groups leave out): a package reachable from the
 * members through `dependencies` and `optional-dependencies` (extras are production) is not dev,
 * one reachable only through a dependency group is. Multiple versions of one name are told apart
 * by the `version` that edges carry when a name is ambiguous.
 */

const NAME = 'uv.lock';

interface Node {
  readonly name: string;
  readonly version?: string;
  readonly table: Record<string, unknown>;
}

type Edges = 'production' | 'all';

const isMember = (n: Node): boolean => isRecord(n.table.source) && ('editable' in n.table.source || 'virtual' in n.table.source);

function edgeLists(table: Record<string, unknown>, edges: Edges): unknown[][] {
  const lists: unknown[][] = [];
  if (Array.isArray(table.dependencies)) lists.push(table.dependencies);
  const groups = [table['optional-dependencies'], edges === 'all' ? table['dev-dependencies'] : undefined];
  for (const group of groups) {
    if (isRecord(group)) for (const list of Object.values(group)) if (Array.isArray(list)) lists.push(list);
  }
  return lists;
}

/** Every node reachable from the roots. */
function reachable(roots: readonly Node[], byName: ReadonlyMap<string, Node[]>, edges: Edges): Set<Node> {
  const seen = new Set<Node>(roots);
  const queue = [...roots];
  for (let node = queue.pop(); node !== undefined; node = queue.pop()) {
    for (const list of edgeLists(node.table, edges)) {
      for (const dep of list) {
        const name = isRecord(dep) ? stringOf(dep.name) : undefined;
        if (name === undefined || !isRecord(dep)) continue;
        const version = stringOf(dep.version);
        for (const target of byName.get(normalizeName(name)) ?? []) {
          if ((version !== undefined && target.version !== version) || seen.has(target)) continue;
          seen.add(target);
          queue.push(target);
        }
      }
    }
  }
  return seen;
}

function resolvedOf(source: unknown): string | undefined {
  if (!isRecord(source)) return undefined;
  const git = stringOf(source.git);
  return git !== undefined ? `git+${git}` : stringOf(source.url);
}

function readNodes(file: AnalyzerFile): { nodes: Node[]; issues: ScanIssue[] } {
  const doc = parseTomlFile(file.path, file.content, 'a uv.lock');
  if (doc.package === undefined && doc.distribution !== undefined) throw new CatalogError('UNSUPPORTED_FORMAT', `${file.path} uses the pre-release uv lock layout ([[distribution]])`);
  if (doc.version === undefined && doc.package === undefined) throw new CatalogError('MALFORMED_FILE', `${file.path} has neither "version" nor [[package]]: not a uv.lock`);
  if (doc.package !== undefined && !Array.isArray(doc.package)) throw new CatalogError('MALFORMED_FILE', `${file.path}: "package" is not an array of tables`);
  const nodes: Node[] = [];
  const issues: ScanIssue[] = [];
  (doc.package ?? []).forEach((table: unknown, i: number) => {
    const name = isRecord(table) ? stringOf(table.name) : undefined;
    if (!isRecord(table) || name === undefined) {
      issues.push(badEntry(file.path, `package #${i + 1} skipped: no name`));
      return;
    }
    const version = stringOf(table.version);
    nodes.push(version === undefined ? { name, table } : { name, version, table });
  });
  return { nodes, issues };
}

export function parseUvLock(file: AnalyzerFile): AnalyzerResult {
  const { nodes, issues } = readNodes(file);
  const byName = new Map<string, Node[]>();
  for (const node of nodes) byName.set(normalizeName(node.name), [...(byName.get(normalizeName(node.name)) ?? []), node]);
  const members = nodes.filter(isMember);
  const production = reachable(members, byName, 'production');
  const all = reachable(members, byName, 'all');
  const packages: PackageDraft[] = [];
  for (const node of nodes) {
    if (isMember(node)) continue;
    if (node.version === undefined) {
      issues.push(badEntry(file.path, `package ${node.name} skipped: no version`));
      continue;
    }
    const dev = members.length === 0 ? undefined : production.has(node) ? false : all.has(node) ? true : undefined;
    const sdist = isRecord(node.table.sdist) ? [node.table.sdist] : [];
    const hashes = [...hashesOf(sdist), ...hashesOf(node.table.wheels)];
    packages.push(lockDraft(file.path, pythonUvLockAnalyzer.name, { name: node.name, version: node.version, dev, hashes, resolved: resolvedOf(node.table.source) }));
  }
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const pythonUvLockAnalyzer: Analyzer = {
  name: 'python-uv-lock',
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith(`/${NAME}`) && !insideSitePackages(path),
  analyze: parseUvLock,
};
