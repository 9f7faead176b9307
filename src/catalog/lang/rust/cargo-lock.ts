import { parse as parseToml } from 'smol-toml';
import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { crateDraft } from './package.js';

/*
 * Cargo.lock, every format cargo has written: v1 (checksums in the [metadata] table as
 * "checksum <name> <version> (<source>)" keys, and before 2017 a [root] table for the root crate),
 * v2 (no version key, inline checksum), v3 and v4 (`version = 3|4`). Each [[package]] is a
 * declared crate with stella:resolved = its source and stella:integrity = its sha256 checksum;
 * crates without a source are the workspace's own, marked stella:cargo-local.
 * stella:project is the lock's single root crate name — what a cargo-auditable binary built
 * from it names as its root — or, for a workspace with several members, the lock's directory.
 */

const NAME = 'cargo-lock';

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

function v1Checksums(doc: Table): Map<string, string> {
  const checksums = new Map<string, string>();
  const metadata = doc.metadata;
  if (!isTable(metadata)) return checksums;
  for (const [key, value] of Object.entries(metadata)) {
    // "checksum serde 1.0.130 (registry+https://github.com/rust-lang/crates.io-index)"
    if (!key.startsWith('checksum ') || typeof value !== 'string') continue;
    const [, name, version] = key.split(' ');
    if (name !== undefined && version !== undefined && value !== '<none>') checksums.set(`${name} ${version}`, value);
  }
  return checksums;
}

interface Entry {
  readonly name: string;
  readonly version: string;
  readonly source?: string;
  readonly checksum?: string;
}

function readEntry(raw: unknown, index: number): Entry | string {
  if (!isTable(raw)) return `[[package]] #${index + 1} is not a table`;
  const { name, version, source, checksum } = raw;
  if (typeof name !== 'string' || name === '') return `[[package]] #${index + 1} has no name`;
  if (typeof version !== 'string' || version === '') return `[[package]] ${name} has no version`;
  return {
    name, version,
    ...(typeof source === 'string' ? { source } : {}),
    ...(typeof checksum === 'string' ? { checksum } : {}),
  };
}

function parseDocument(file: AnalyzerFile): Table {
  try {
    return parseToml(file.content.toString('utf8')) as Table;
  } catch (cause) {
    throw new CatalogError('MALFORMED_FILE', `${file.path} is not valid TOML`, { cause });
  }
}

export function analyzeCargoLock(file: AnalyzerFile): AnalyzerResult {
  const doc = parseDocument(file);
  const list = doc.package ?? [];
  if (!Array.isArray(list)) throw new CatalogError('MALFORMED_FILE', `${file.path}: "package" is not an array of tables`);
  const raw: unknown[] = isTable(doc.root) ? [doc.root, ...list] : list;
  const checksums = v1Checksums(doc);
  const entries: Entry[] = [];
  const issues: ScanIssue[] = [];
  raw.forEach((item, i) => {
    const entry = readEntry(item, i);
    if (typeof entry === 'string') issues.push({ code: 'MALFORMED_RECORD', message: `Cargo.lock ${entry}; skipped`, path: file.path });
    else entries.push(entry);
  });
  const roots = entries.filter((e) => e.source === undefined);
  const project = roots.length === 1 ? (roots[0] as Entry).name : file.path.slice(0, file.path.lastIndexOf('/'));
  const packages: PackageDraft[] = entries.map((e) => {
    const properties: Record<string, string> = { 'stella:evidence': 'declared', 'stella:project': project };
    const checksum = e.checksum ?? checksums.get(`${e.name} ${e.version}`);
    if (e.source === undefined) properties['stella:cargo-local'] = 'true';
    else properties['stella:resolved'] = e.source;
    if (checksum !== undefined) properties['stella:integrity'] = `sha256:${checksum}`;
    return crateDraft(e.name, e.version, file.path, NAME, properties);
  });
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const cargoLockAnalyzer: Analyzer = {
  name: NAME,
  version: 1,
  maxFileSize: 16 * 1024 * 1024,
  // Crate sources unpacked by cargo (~/.cargo/registry, ~/.cargo/git) carry their own locks: not the image's projects.
  wants: (path: string): boolean => path.endsWith('/Cargo.lock') && !path.includes('/.cargo/registry/') && !path.includes('/.cargo/git/'),
  analyze: analyzeCargoLock,
};
