import type { Distro } from '../../inventory/index.js';

/*
 * The distro's own version keys, as advisories use them, and the older single-purpose release
 * files (/etc/redhat-release, /etc/alpine-release, /etc/debian_version, /etc/lsb-release…).
 */

/** Distros whose VERSION_ID is a build date, not a release advisories are keyed by. */
const ROLLING = new Set(['wolfi', 'chainguard', 'arch', 'opensuse-tumbleweed', 'opensuse-microos', 'gentoo']);
/** Distros keyed by the major release only: RHEL 9.4 and its rebuilds are all "9". */
const MAJOR_ONLY = new Set(['rhel', 'centos', 'rocky', 'almalinux', 'ol', 'scientific', 'debian']);

/**
 * The release as advisories key it: debian `12`, rhel/rocky/almalinux/centos/ol major `9`,
 * alpine major.minor `3.19`, wolfi/chainguard `rolling`; everything else VERSION_ID as written
 * (ubuntu `22.04`, amzn `2023` / `2`, sles `15.5`, fedora `39`).
 */
export function releaseKey(id: string, versionId: string): string {
  const version = versionId.trim();
  if (ROLLING.has(id)) return 'rolling';
  if (MAJOR_ONLY.has(id)) return /^(\d+)/.exec(version)?.[1] ?? version;
  if (id === 'alpine') return /^(\d+\.\d+)/.exec(version)?.[1] ?? version;
  return version;
}

/** Vendor names used in "<Name> release <version> (<codename>)" files, most specific first. */
const RELEASE_NAMES: readonly (readonly [RegExp, string])[] = [
  [/^Red Hat Enterprise Linux/i, 'rhel'],
  [/^CentOS/i, 'centos'],
  [/^Rocky Linux/i, 'rocky'],
  [/^AlmaLinux/i, 'almalinux'],
  [/^Oracle Linux/i, 'ol'],
  [/^Fedora/i, 'fedora'],
  [/^Amazon Linux/i, 'amzn'],
  [/^Scientific Linux/i, 'scientific'],
];

/** "Rocky Linux release 8.10 (Green Obsidian)" and the like; undefined when the text is not one. */
export function parseRedhatRelease(text: string): Distro | undefined {
  const line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  const match = /^(.+?) release (\d[^\s]*)(?: \((.+)\))?/.exec(line);
  if (match === null) return undefined;
  const id = RELEASE_NAMES.find(([pattern]) => pattern.test(match[1] ?? ''))?.[1];
  if (id === undefined) return undefined;
  const codename = match[3];
  const distro: Distro = { id, version: releaseKey(id, match[2] ?? ''), prettyName: line };
  return codename === undefined ? distro : { ...distro, codename };
}

/** /etc/alpine-release: "3.19.1" (or "3.21_alpha20240807" on edge). */
export function parseAlpineRelease(text: string): Distro | undefined {
  const version = text.trim();
  return /^\d+\.\d+/.test(version) ? { id: 'alpine', version: releaseKey('alpine', version) } : undefined;
}

/**
 * /etc/debian_version: "12.5" on a release, "trixie/sid" on testing and unstable. Testing and sid
 * have no number; they are keyed by the codename of the coming release ("trixie"), which is all the
 * file tells (testing and sid share it), and the matcher maps codenames.
 */
export function parseDebianVersion(text: string): Distro | undefined {
  const value = text.trim();
  if (/^\d+(\.\d+)*$/.test(value)) return { id: 'debian', version: releaseKey('debian', value) };
  const codename = /^([a-z]+)(?:\/sid)?$/.exec(value)?.[1];
  return codename === undefined ? undefined : { id: 'debian', version: codename, codename };
}

/** Shell-style KEY=value lines with optional quotes (os-release(5), lsb-release). */
export function parseKeyValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match === null) continue;
    values.set(match[1] ?? '', unquote(match[2] ?? ''));
  }
  return values;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\([\\$"`])/g, '$1') : inner;
  }
  return value;
}

/** /etc/lsb-release: DISTRIB_ID=Ubuntu, DISTRIB_RELEASE=22.04, DISTRIB_CODENAME=jammy. */
export function parseLsbRelease(text: string): Distro | undefined {
  const values = parseKeyValues(text);
  const id = values.get('DISTRIB_ID')?.toLowerCase();
  const release = values.get('DISTRIB_RELEASE');
  if (id === undefined || id === '' || release === undefined || release === '') return undefined;
  const codename = values.get('DISTRIB_CODENAME');
  const prettyName = values.get('DISTRIB_DESCRIPTION');
  return {
    id, version: releaseKey(id, release),
    ...(codename !== undefined && codename !== '' ? { codename } : {}),
    ...(prettyName !== undefined && prettyName !== '' ? { prettyName } : {}),
  };
}

/**
 * /etc/SuSE-release (SLES 11/12, openSUSE 13/42): a title line, then "VERSION = 12" and
 * "PATCHLEVEL = 3" lines; the release is VERSION.PATCHLEVEL like os-release's VERSION_ID.
 */
export function parseSuseRelease(text: string): Distro | undefined {
  const [title = '', ...rest] = text.split('\n').map((l) => l.trim());
  const values = parseKeyValues(rest.join('\n'));
  const version = values.get('VERSION');
  if (version === undefined || version === '') return undefined;
  const patch = values.get('PATCHLEVEL');
  const id = /enterprise server/i.test(title) ? 'sles' : /^opensuse leap/i.test(title) ? 'opensuse-leap' : /^opensuse/i.test(title) ? 'opensuse' : undefined;
  if (id === undefined) return undefined;
  const full = patch !== undefined && patch !== '' && patch !== '0' && !version.includes('.') ? `${version}.${patch}` : version;
  return { id, version: releaseKey(id, full), prettyName: title };
}
