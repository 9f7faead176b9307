import type { PackageDraft, ScanIssue } from '../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../analyzer.js';
import { decodeText, parseStanzas, type Stanza } from './stanza.js';

/*
 * dpkg's package database: /var/lib/dpkg/status (one stanza per package) and the distroless layout
 * /var/lib/dpkg/status.d/<package> (one `dpkg-deb --field` stanza per file, no Status field, next to
 * <package>.md5sums and maintainer scripts that are not stanzas).
 *
 * Which packages: exactly those `dpkg-query -W` lists, minus `config-files`. dpkg-query -W (dpkg
 * 1.21, checked with --admindir on crafted status files) lists every package whose current state is
 * not `not-installed` — including `config-files` (removed, configuration left behind), which we skip
 * as the scanner's issue asks: its software is gone. `unpacked`, `half-installed`, `half-configured`,
 * `triggers-awaited` and `triggers-pending` are listed by dpkg-query and kept here (an image built
 * with `dpkg --unpack` has only `unpacked` packages). A stanza without Status in the status file is
 * `not-installed` to dpkg; in status.d it means installed.
 */

const STATUS_FILE = '/var/lib/dpkg/status';
const STATUS_DIR = '/var/lib/dpkg/status.d/';
/** Files in status.d that are not stanzas: checksums, file lists and maintainer scripts. */
const NOT_STANZA = /\.(md5sums|list|conffiles|preinst|postinst|prerm|postrm|config|templates|triggers|shlibs|symbols)$/;
const LISTED_STATES = new Set(['installed', 'unpacked', 'half-installed', 'half-configured', 'triggers-awaited', 'triggers-pending']);
const ALL_STATES = new Set([...LISTED_STATES, 'not-installed', 'config-files']);

/** dpkg's own normalization of a Version field: blanks trimmed, the epoch as a number, `0:` dropped. */
export function normalizeDebVersion(raw: string): string {
  const version = raw.trim();
  const match = /^(\d+):(.*)$/s.exec(version);
  if (match === null) return version;
  const epoch = Number.parseInt(match[1] ?? '0', 10);
  return epoch === 0 ? (match[2] ?? '') : `${epoch}:${match[2] ?? ''}`;
}

/**
 * The name `dpkg-query -W` prints for a package (its `${binary:Package}`): `name:arch` when the
 * package is `Multi-Arch: same` or its architecture is neither `all` nor dpkg's native one, else
 * `name` (dpkg's pkg_name(…, pnaw_nonambig)). `nativeArch` is the architecture of the dpkg that
 * answers: the image's architecture for the image's own dpkg, the host's for `dpkg-query --admindir`.
 */
export function dpkgQueryName(pkg: Pick<PackageDraft, 'name' | 'arch' | 'properties'>, nativeArch: string): string {
  const arch = pkg.arch;
  if (arch === undefined || arch === '') return pkg.name;
  if (pkg.properties?.['stella:multi-arch'] === 'same') return `${pkg.name}:${arch}`;
  return arch === 'all' || arch === nativeArch ? pkg.name : `${pkg.name}:${arch}`;
}

/** `Source: name (version)` → name and version (the version when it is given and differs). */
function parseSource(field: string | undefined, name: string, version: string): PackageDraft['source'] {
  if (field === undefined || field === '') return { name };
  const match = /^(\S+)(?:\s*\((.*)\))?\s*$/.exec(field);
  if (match === null) return { name };
  const srcName = match[1] ?? name;
  const srcVersion = match[2] === undefined ? undefined : normalizeDebVersion(match[2]);
  return srcVersion === undefined || srcVersion === '' || srcVersion === version ? { name: srcName } : { name: srcName, version: srcVersion };
}

type StanzaOutcome = { package: PackageDraft } | { skip: true } | { problem: string };

function currentState(stanza: Stanza, inStatusDir: boolean): string | { problem: string } {
  const status = stanza.fields.get('status');
  if (status === undefined) return inStatusDir ? 'installed' : 'not-installed';
  const words = status.split(/\s+/);
  const state = words[2];
  if (words.length !== 3 || state === undefined || !ALL_STATES.has(state)) return { problem: `invalid Status "${status}"` };
  return state;
}

function toPackage(stanza: Stanza, path: string, inStatusDir: boolean): StanzaOutcome {
  if (stanza.error !== undefined) return { problem: stanza.error };
  const rawName = stanza.fields.get('package');
  if (rawName === undefined || rawName === '') return { problem: 'missing Package field' };
  const state = currentState(stanza, inStatusDir);
  if (typeof state !== 'string') return state;
  if (!LISTED_STATES.has(state)) return { skip: true };
  const version = normalizeDebVersion(stanza.fields.get('version') ?? '');
  if (version === '') return { problem: `package ${rawName}: missing Version field` };
  const name = rawName.toLowerCase();
  const properties: Record<string, string> = {};
  const multiArch = stanza.fields.get('multi-arch');
  if (multiArch !== undefined && multiArch !== '') properties['stella:multi-arch'] = multiArch;
  if (state !== 'installed') properties['stella:dpkg-status'] = state;
  const arch = stanza.fields.get('architecture');
  const draft: PackageDraft = {
    type: 'deb', name, version, location: path, foundBy: 'dpkg',
    source: parseSource(stanza.fields.get('source'), name, version),
    ...(arch !== undefined && arch !== '' ? { arch } : {}),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
  return { package: draft };
}

/** Parses one status file (or one status.d entry) into packages; broken stanzas become issues. */
export function parseDpkgStatus(file: AnalyzerFile): AnalyzerResult {
  const inStatusDir = file.path.startsWith(STATUS_DIR);
  const text = decodeText(file.content);
  if (text === undefined) throw new CatalogError('MALFORMED_FILE', `${file.path} is binary, not a dpkg status file`);
  const { stanzas, fieldLines } = parseStanzas(text);
  if (stanzas.length > 0 && fieldLines === 0) {
    throw new CatalogError('MALFORMED_FILE', `${file.path} has no "Field: value" line: not a dpkg status file`);
  }
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  const seen = new Set<string>();
  for (const stanza of stanzas) {
    const outcome = toPackage(stanza, file.path, inStatusDir);
    if ('skip' in outcome) continue;
    if ('problem' in outcome) {
      issues.push({ code: 'MALFORMED_RECORD', message: `dpkg stanza at line ${stanza.line} skipped: ${outcome.problem}`, path: file.path });
      continue;
    }
    const key = `${outcome.package.name}:${outcome.package.arch ?? ''}`;
    if (seen.has(key)) {
      issues.push({ code: 'DUPLICATE_PACKAGE', message: `dpkg stanza at line ${stanza.line} skipped: ${key} is already listed`, path: file.path });
      continue;
    }
    seen.add(key);
    packages.push(outcome.package);
  }
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const dpkgAnalyzer: Analyzer = {
  name: 'dpkg',
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants(path: string): boolean {
    if (path === STATUS_FILE) return true;
    if (!path.startsWith(STATUS_DIR)) return false;
    const base = path.slice(STATUS_DIR.length);
    return base !== '' && !base.includes('/') && !base.startsWith('.') && !NOT_STANZA.test(base);
  },
  analyze: parseDpkgStatus,
};
