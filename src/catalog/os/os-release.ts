import type { Distro } from '../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult, type DistroHint } from '../analyzer.js';
import { decodeText } from './stanza.js';
import {
  parseAlpineRelease, parseDebianVersion, parseKeyValues, parseLsbRelease, parseRedhatRelease, parseSuseRelease, releaseKey,
} from './release-files.js';

/*
 * Distro detection. Every file that names the distro gives a hint; the scan keeps the one with the
 * highest priority (mergeDistroHints). Priorities, highest first:
 *   100 /etc/os-release with a version        90 /usr/lib/os-release with a version
 *    60 a vendor's own release file (alpine-release, rocky-release, centos-release, SuSE-release…)
 *    55 /etc/redhat-release (on rebuilds it names the rebuild: "Rocky Linux release 9.3")
 *    50 /etc/system-release                    45 /etc/lsb-release
 *    40 /etc/debian_version (also present, saying "bookworm/sid", on Ubuntu)
 *    20 /etc/os-release without a version     15 /usr/lib/os-release without a version
 * so distroless (os-release with ID=debian and no VERSION_ID, debian_version "12.5") is debian 12.
 */

type Parser = (text: string) => Distro | undefined;

interface ReleaseFile {
  readonly priority: number;
  readonly parse: Parser;
}

const RELEASE_FILES: ReadonlyMap<string, ReleaseFile> = new Map([
  ['/etc/alpine-release', { priority: 60, parse: parseAlpineRelease }],
  ['/etc/centos-release', { priority: 60, parse: parseRedhatRelease }],
  ['/etc/rocky-release', { priority: 60, parse: parseRedhatRelease }],
  ['/etc/almalinux-release', { priority: 60, parse: parseRedhatRelease }],
  ['/etc/oracle-release', { priority: 60, parse: parseRedhatRelease }],
  ['/etc/fedora-release', { priority: 60, parse: parseRedhatRelease }],
  ['/etc/SuSE-release', { priority: 60, parse: parseSuseRelease }],
  ['/etc/redhat-release', { priority: 55, parse: parseRedhatRelease }],
  ['/etc/system-release', { priority: 50, parse: parseRedhatRelease }],
  ['/etc/lsb-release', { priority: 45, parse: parseLsbRelease }],
  ['/etc/debian_version', { priority: 40, parse: parseDebianVersion }],
]);

const OS_RELEASE: ReadonlyMap<string, { withVersion: number; withoutVersion: number }> = new Map([
  ['/etc/os-release', { withVersion: 100, withoutVersion: 20 }],
  ['/usr/lib/os-release', { withVersion: 90, withoutVersion: 15 }],
]);

/**
 * os-release(5) → Distro; undefined without an ID. Debian testing/sid has no VERSION_ID: its
 * VERSION_CODENAME ("trixie") is the version, as /etc/debian_version gives it.
 */
export function parseOsRelease(text: string): Distro | undefined {
  const values = parseKeyValues(text);
  const id = values.get('ID')?.toLowerCase();
  if (id === undefined || id === '') return undefined;
  const versionId = values.get('VERSION_ID') ?? '';
  const codename = values.get('VERSION_CODENAME') ?? values.get('UBUNTU_CODENAME') ?? '';
  const prettyName = values.get('PRETTY_NAME') ?? values.get('NAME') ?? '';
  let version = versionId === '' ? '' : releaseKey(id, versionId);
  if (version === '' && id === 'debian') version = codename;
  if (version === '' && (values.get('BUILD_ID') === 'rolling' || releaseKey(id, '') === 'rolling')) version = 'rolling';
  return {
    id, version,
    ...(codename !== '' ? { codename } : {}),
    ...(prettyName !== '' ? { prettyName } : {}),
  };
}

function hintFor(path: string, text: string): DistroHint | undefined {
  const osRelease = OS_RELEASE.get(path);
  if (osRelease !== undefined) {
    const distro = parseOsRelease(text);
    if (distro === undefined) return undefined;
    return { distro, priority: distro.version === '' ? osRelease.withoutVersion : osRelease.withVersion };
  }
  const file = RELEASE_FILES.get(path);
  if (file === undefined) return undefined;
  const distro = file.parse(text);
  if (distro === undefined) throw new CatalogError('MALFORMED_FILE', `${path} does not name a release: ${JSON.stringify(text.trim().slice(0, 80))}`);
  return { distro, priority: file.priority };
}

function analyze(file: AnalyzerFile): AnalyzerResult {
  const text = decodeText(file.content);
  if (text === undefined) throw new CatalogError('MALFORMED_FILE', `${file.path} is binary, not a release file`);
  const distro = hintFor(file.path, text);
  return distro === undefined ? {} : { distro };
}

export const osReleaseAnalyzer: Analyzer = {
  name: 'os-release',
  version: 1,
  maxFileSize: 64 * 1024,
  wants: (path: string): boolean => OS_RELEASE.has(path) || RELEASE_FILES.has(path),
  analyze,
};

/** Code-unit order: the same everywhere, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The distro of an image from every hint its files gave: the highest priority wins (ties: the
 * smaller id, then version, so the answer never depends on order); a codename or pretty name the
 * winner lacks is taken from another hint with the same id and version (or none).
 */
export function mergeDistroHints(hints: readonly DistroHint[]): Distro | undefined {
  const sorted = [...hints].sort((a, b) => b.priority - a.priority
    || compare(a.distro.id, b.distro.id) || compare(a.distro.version, b.distro.version));
  const winner = sorted[0]?.distro;
  if (winner === undefined) return undefined;
  const same = sorted.filter(({ distro }) => distro.id === winner.id && (distro.version === winner.version || distro.version === ''));
  const codename = winner.codename ?? same.find(({ distro }) => distro.codename !== undefined)?.distro.codename;
  const prettyName = winner.prettyName ?? same.find(({ distro }) => distro.prettyName !== undefined)?.distro.prettyName;
  return {
    id: winner.id, version: winner.version,
    ...(codename !== undefined ? { codename } : {}),
    ...(prettyName !== undefined ? { prettyName } : {}),
  };
}
