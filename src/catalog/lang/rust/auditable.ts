import { inflateSync } from 'node:zlib';
import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult, type FileInfo } from '../../analyzer.js';
import { EXECUTABLE_MAX_SIZE, findSection, openExecutables, sectionData, wantsExecutable, type Executable } from '../binary/index.js';
import { crateDraft } from './package.js';

/*
 * Rust executables built with cargo-auditable: a section ".dep-v0" (ELF, PE; "__DATA,.dep-v0"
 * in Mach-O) holding zlib-compressed JSON {"packages": [{name, version, source, kind?,
 * dependencies?, root?}]} (schema: cargo-auditable.schema.json). Every package is installed;
 * `kind: "build"` ones (build scripts, proc-macros: they ran at build time, their code is not in the
 * binary) are kept but marked stella:cargo-kind = build and stella:dev = true; `source: "local"`
 * ones are marked stella:cargo-local. stella:project = the root package's name (as Cargo.lock's).
 */

const NAME = 'cargo-auditable';
const SECTION = '.dep-v0';
/** auditable-info's default limit on the decompressed JSON. */
const MAX_JSON = 8 * 1024 * 1024;

function auditData(exe: Executable): Buffer | undefined {
  const section = exe.format === 'macho' ? findSection(exe, SECTION, '__DATA') : findSection(exe, SECTION);
  return section === undefined ? undefined : sectionData(exe, section);
}

function decode(data: Buffer, path: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(inflateSync(data, { maxOutputLength: MAX_JSON }).toString('utf8'));
  } catch (cause) {
    throw new CatalogError('MALFORMED_FILE', `${path}: ${SECTION} is not zlib-compressed JSON within ${MAX_JSON} bytes`, { cause });
  }
  const packages = (json as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(packages)) throw new CatalogError('MALFORMED_FILE', `${path}: ${SECTION} JSON has no "packages" array`);
  return packages;
}

interface AuditPackage {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly build: boolean;
  readonly root: boolean;
}

function readPackage(raw: unknown, index: number): AuditPackage | string {
  const p = raw as { name?: unknown; version?: unknown; source?: unknown; kind?: unknown; root?: unknown } | null;
  if (typeof p?.name !== 'string' || p.name === '') return `package #${index + 1} has no name`;
  if (typeof p.version !== 'string' || p.version === '') return `package ${p.name} has no version`;
  const source = typeof p.source === 'string' ? p.source : '';
  return { name: p.name, version: p.version, source, build: p.kind === 'build', root: p.root === true };
}

function toDrafts(list: unknown[], path: string): AnalyzerResult {
  const issues: ScanIssue[] = [];
  const crates: AuditPackage[] = [];
  list.forEach((raw, i) => {
    const p = readPackage(raw, i);
    if (typeof p === 'string') issues.push({ code: 'MALFORMED_RECORD', message: `cargo-auditable data: ${p}; skipped`, path });
    else crates.push(p);
  });
  const project = crates.find((c) => c.root)?.name ?? path;
  const packages: PackageDraft[] = crates.map((c) => {
    const properties: Record<string, string> = { 'stella:evidence': 'installed', 'stella:project': project };
    if (c.source === 'local') properties['stella:cargo-local'] = 'true';
    else if (c.source !== '') properties['stella:cargo-source'] = c.source;
    if (c.build) {
      properties['stella:cargo-kind'] = 'build';
      properties['stella:dev'] = 'true';
    }
    return crateDraft(c.name, c.version, path, NAME, properties);
  });
  return issues.length > 0 ? { packages, issues } : { packages };
}

export function analyzeAuditableBinary(file: AnalyzerFile): AnalyzerResult {
  for (const exe of openExecutables(file.content)) {
    const data = auditData(exe);
    if (data !== undefined) return toDrafts(decode(data, file.path), file.path);
  }
  return {};
}

export const cargoAuditableAnalyzer: Analyzer = {
  name: NAME,
  version: 1,
  maxFileSize: EXECUTABLE_MAX_SIZE,
  wants: (_path: string, info?: FileInfo): boolean => wantsExecutable(info),
  analyze: analyzeAuditableBinary,
};
