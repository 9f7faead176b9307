import { parse as parseYaml } from 'yaml';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { DraftCollector, insideNodeModules, isObject, projectOf, stringOr } from './common.js';

/*
 * yarn.lock, classic (v1: yarn's own indented format) and berry (yarn ≥ 2: YAML with a
 * `__metadata` block). Neither records whether a package is a dev dependency — that is only
 * known from the package.json next to it, which this one-file analyzer does not see — so these
 * packages carry no stella:dev (an installed node_modules, if any, is where the scan reports them from).
 */

export const wantsYarnLock = (path: string): boolean => path.endsWith('/yarn.lock') && !insideNodeModules(path);

/** "name@range" → [name, range]; a scoped name keeps its leading "@". */
function splitSpecifier(spec: string): [string, string] {
  const at = spec.indexOf('@', 1);
  return at < 0 ? [spec, ''] : [spec.slice(0, at), spec.slice(at + 1)];
}

const unquote = (text: string): string => (text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text);

interface ClassicEntry {
  readonly line: number;
  readonly specifiers: string[];
  readonly fields: Map<string, string>;
}

/** Classic entries: an unindented `spec, spec:` header, then two-space `key value` lines. */
function classicEntries(text: string, out: DraftCollector): ClassicEntry[] {
  const entries: ClassicEntry[] = [];
  let current: ClassicEntry | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (!line.startsWith(' ')) {
      current = undefined;
      if (!line.endsWith(':')) {
        out.issue(`line ${i + 1}: expected an entry header ending in ":", got ${JSON.stringify(line.slice(0, 80))}`);
        continue;
      }
      current = { line: i + 1, specifiers: line.slice(0, -1).split(',').map((s) => unquote(s.trim())), fields: new Map() };
      entries.push(current);
    } else if (current !== undefined && line.startsWith('  ') && line[2] !== ' ' && !line.endsWith(':')) {
      const space = line.indexOf(' ', 2);
      if (space > 2) current.fields.set(unquote(line.slice(2, space)), unquote(line.slice(space + 1).trim()));
    }
  }
  return entries;
}

/** The package an entry resolves to: the first specifier's name, or the target of an "npm:" alias. */
function classicName(specifier: string): { name: string; local: boolean } {
  const [name, range] = splitSpecifier(specifier);
  if (range.startsWith('npm:')) return { name: splitSpecifier(range.slice(4))[0], local: false };
  return { name, local: range.startsWith('file:') || range.startsWith('link:') || range.startsWith('portal:') };
}

function readClassic(text: string, out: DraftCollector, project: string): void {
  const entries = classicEntries(text, out);
  if (entries.length === 0 && !text.includes('yarn lockfile v1') && text.trim() !== '') {
    throw new CatalogError('MALFORMED_FILE', 'no yarn.lock entry found');
  }
  for (const entry of entries) {
    const { name, local } = classicName(entry.specifiers[0] ?? '');
    if (local) continue;
    const version = entry.fields.get('version');
    if (version === undefined) {
      out.issue(`entry at line ${entry.line} (${entry.specifiers[0] ?? ''}) has no version`);
      continue;
    }
    out.add({
      fullName: name, version, evidence: 'declared', project,
      integrity: entry.fields.get('integrity'), resolved: entry.fields.get('resolved'),
    }, `entry at line ${entry.line}`);
  }
}

/** Berry protocols that are no registry package of their own: workspaces, links, patched copies. */
const SKIPPED_PROTOCOLS = ['workspace:', 'link:', 'portal:', 'patch:', 'file:'];

function readBerry(doc: Record<string, unknown>, out: DraftCollector, project: string): void {
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    if (!isObject(entry)) {
      out.issue(`${JSON.stringify(key)} is not a mapping`);
      continue;
    }
    if (entry.linkType === 'soft') continue;
    const resolution = stringOr(entry.resolution);
    const version = entry.version === undefined || entry.version === null ? undefined : String(entry.version);
    if (resolution === undefined || version === undefined) {
      out.issue(`${JSON.stringify(key)} has no resolution or version`);
      continue;
    }
    const [name, reference] = splitSpecifier(resolution);
    if (SKIPPED_PROTOCOLS.some((p) => reference.startsWith(p))) continue;
    out.add({ fullName: name, version, evidence: 'declared', project }, JSON.stringify(key));
  }
}

const isBerry = (text: string): boolean => text.startsWith('__metadata:') || text.includes('\n__metadata:');

export function analyzeYarnLock(file: AnalyzerFile): AnalyzerResult {
  const text = file.content.toString('utf8').replace(/^\uFEFF/, '');
  const out = new DraftCollector(file, yarnLockAnalyzer.name);
  const project = projectOf(file.path);
  try {
    if (!isBerry(text)) readClassic(text, out, project);
    else {
      const doc: unknown = parseYaml(text, { maxAliasCount: 0, uniqueKeys: false });
      if (!isObject(doc)) throw new CatalogError('MALFORMED_FILE', 'not a YAML mapping');
      readBerry(doc, out, project);
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CatalogError('MALFORMED_FILE', `${file.path} is not a readable yarn.lock: ${detail}`, { cause: error });
  }
  return out.result();
}

export const yarnLockAnalyzer: Analyzer = {
  name: 'yarn-lock',
  version: 1,
  maxFileSize: 128 * 1024 * 1024,
  wants: wantsYarnLock,
  analyze: analyzeYarnLock,
};
