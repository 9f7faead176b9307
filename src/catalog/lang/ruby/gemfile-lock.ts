import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { gemDraft } from './gem.js';

/*
 * Bundler's Gemfile.lock. Source sections (GEM, GIT, PATH, PLUGIN SOURCE) carry `remote:`,
 * `revision:`… and under `specs:` one gem per 4-space line, `name (version)` or
 * `name (version-platform)` (split at the first "-", as bundler's own parser does), its
 * dependencies at 6 spaces. DEPENDENCIES names the Gemfile's direct gems; CHECKSUMS (bundler ≥
 * 2.5) their sha256. The lock has no notion of dev gems (Gemfile groups are not written to it),
 * so `stella:dev` is never set. A gem locked for several platforms is one package, platforms listed.
 */

const FOUND_BY = 'gemfile-lock';
const SOURCES = new Set(['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE']);
const KNOWN = new Set([...SOURCES, 'PLATFORMS', 'DEPENDENCIES', 'RUBY VERSION', 'BUNDLED WITH', 'CHECKSUMS']);
const SPEC = /^ {4}([^ (]+) \(([^)]+)\)$/;
const DEPENDENCY = /^ {2}([^ (!]+)/;
const CHECKSUM = /^ {2}([^ (]+) \(([^)]+)\)(?: (.*))?$/;

interface Spec {
  readonly name: string;
  readonly version: string;
  readonly platforms: Set<string>;
  readonly resolved?: string;
}

interface Lock {
  readonly specs: Map<string, Spec>;
  readonly direct: Set<string>;
  readonly checksums: Map<string, string>;
  readonly issues: ScanIssue[];
  /** Sections bundler knows; a file with text but none of them is not a lock. */
  known: number;
}

function splitVersion(text: string): { version: string; platform: string } {
  const dash = text.indexOf('-');
  return dash < 0 ? { version: text, platform: 'ruby' } : { version: text.slice(0, dash), platform: text.slice(dash + 1) };
}

/** sha256=<hex> as a Subresource Integrity string (sha256-<base64>), the form npm locks use. */
function integrityOf(list: string | undefined): string | undefined {
  const sha = /(?:^|,)sha256=([0-9a-f]{64})(?:,|$)/.exec(list ?? '');
  return sha === null ? undefined : `sha256-${Buffer.from(sha[1] ?? '', 'hex').toString('base64')}`;
}

function resolvedOf(section: string, attrs: ReadonlyMap<string, string>): string | undefined {
  const remote = attrs.get('remote');
  if (remote === undefined) return undefined;
  if (section === 'GIT') return `git+${remote}${attrs.has('revision') ? `#${attrs.get('revision')}` : ''}`;
  return section === 'PATH' ? `path:${remote}` : undefined;
}

function readSource(lines: readonly string[], start: number, section: string, lock: Lock): number {
  const attrs = new Map<string, string>();
  let i = start;
  for (; i < lines.length && (lines[i] ?? '').startsWith('  '); i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith('    ')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(2, colon) !== 'specs') attrs.set(line.slice(2, colon), line.slice(colon + 1).trim());
      continue;
    }
    if (line.startsWith('      ')) continue;
    const match = SPEC.exec(line);
    if (match === null) {
      lock.issues.push({ code: 'MALFORMED_RECORD', message: `Gemfile.lock line ${i + 1} skipped: expected "    name (version)"` });
      continue;
    }
    const { version, platform } = splitVersion(match[2] ?? '');
    const key = `${match[1]}\u0000${version}`;
    const resolved = resolvedOf(section, attrs);
    const spec = lock.specs.get(key) ?? { name: match[1] ?? '', version, platforms: new Set<string>(), ...(resolved === undefined ? {} : { resolved }) };
    spec.platforms.add(platform);
    lock.specs.set(key, spec);
  }
  return i;
}

function readList(lines: readonly string[], start: number, onLine: (line: string) => void): number {
  let i = start;
  for (; i < lines.length && (lines[i] ?? '').startsWith('  '); i++) onLine(lines[i] ?? '');
  return i;
}

function parseLock(text: string, path: string): Lock {
  const lock: Lock = { specs: new Map(), direct: new Set(), checksums: new Map(), issues: [], known: 0 };
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let i = 0;
  while (i < lines.length) {
    const header = lines[i] ?? '';
    i++;
    if (header.trim() === '') continue;
    if (header.startsWith('<<<<<<<') || header.startsWith(' ')) {
      throw new CatalogError('MALFORMED_FILE', `${path} line ${i}: ${header.startsWith('<') ? 'merge conflict' : 'indented line outside a section'}: not a Gemfile.lock`);
    }
    if (KNOWN.has(header)) lock.known++;
    if (SOURCES.has(header)) i = readSource(lines, i, header, lock);
    else if (header === 'DEPENDENCIES') i = readList(lines, i, (l) => lock.direct.add(DEPENDENCY.exec(l)?.[1] ?? ''));
    else if (header === 'CHECKSUMS') {
      i = readList(lines, i, (l) => {
        const m = CHECKSUM.exec(l);
        const integrity = integrityOf(m?.[3]);
        if (m !== null && integrity !== undefined) lock.checksums.set(`${m[1]}\u0000${splitVersion(m[2] ?? '').version}`, integrity);
      });
    } else i = readList(lines, i, () => undefined);
  }
  return lock;
}

export function parseGemfileLock(file: AnalyzerFile): AnalyzerResult {
  const text = file.content.toString('utf8');
  if (text.includes('\u0000')) throw new CatalogError('MALFORMED_FILE', `${file.path} is binary, not a Gemfile.lock`);
  const lock = parseLock(text, file.path);
  if (lock.known === 0 && text.trim() !== '') {
    throw new CatalogError('MALFORMED_FILE', `${file.path} has no section bundler writes (GEM, GIT, PATH, DEPENDENCIES…): not a Gemfile.lock`);
  }
  const packages: PackageDraft[] = [...lock.specs.entries()].map(([key, spec]) => {
    const platforms = [...spec.platforms].sort();
    return gemDraft({
      name: spec.name, version: spec.version, path: file.path, foundBy: FOUND_BY, evidence: 'declared',
      extra: {
        'stella:direct': String(lock.direct.has(spec.name)),
        'stella:platform': platforms.length === 1 && platforms[0] === 'ruby' ? undefined : platforms.join(','),
        'stella:resolved': spec.resolved,
        'stella:integrity': lock.checksums.get(key),
      },
    });
  });
  const issues = lock.issues.map((issue) => ({ ...issue, path: file.path }));
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const gemfileLockAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 16 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith('/Gemfile.lock') || path.endsWith('/gems.locked'),
  analyze: parseGemfileLock,
};
