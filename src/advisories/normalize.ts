import type { Severity } from './model.js';

/*
 * Small normalizers shared by the connectors' mappers and the merge. Pure.
 */

/**
 * An ISO-8601 timestamp as `YYYY-MM-DDTHH:MM:SSZ` in UTC (fractions kept only when non-zero, as
 * milliseconds), or undefined when the text is not a timestamp. NVD writes no zone
 * (`2020-07-15T17:15:11.797`): such times are UTC. Dates alone (`2020-07-15`) become midnight UTC.
 */
export function normalizeTimestamp(text: string | undefined | null): string | undefined {
  if (text === undefined || text === null) return undefined;
  const trimmed = text.trim();
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(trimmed);
  if (m === null) return undefined;
  const time = m[2] === undefined ? '00:00:00' : m[2].length === 5 ? `${m[2]}:00` : m[2];
  let zone = m[3] ?? 'Z';
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = new Date(`${m[1]}T${time}${zone.toUpperCase()}`);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** Severity from a CVSS base score (CVSS v3/v4 qualitative scale; v2 has no NONE/CRITICAL officially but the same cut-offs are used by NVD's v3 mapping). */
export function severityFromScore(score: number): Severity {
  if (score === 0) return 'NONE';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

const LABELS: ReadonlyMap<string, Severity> = new Map([
  ['none', 'NONE'], ['negligible', 'LOW'], ['unimportant', 'LOW'], ['low', 'LOW'],
  ['moderate', 'MEDIUM'], ['medium', 'MEDIUM'],
  ['high', 'HIGH'], ['important', 'HIGH'],
  ['critical', 'CRITICAL'],
]);

/** A source's textual rating ('moderate', 'Important', 'CRITICAL'…) on our scale; UNKNOWN otherwise. */
export function severityFromLabel(label: string | undefined | null): Severity {
  if (label === undefined || label === null) return 'UNKNOWN';
  return LABELS.get(label.trim().toLowerCase()) ?? 'UNKNOWN';
}

/**
 * A package name as looked up by the matcher: PyPI names per PEP 503 (lower case, runs of `-_.`
 * become `-`); every other ecosystem is case-sensitive or already canonical, and kept as written
 * (trimmed). `ecosystem` is the OSV ecosystem name without a release suffix.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  const trimmed = name.trim();
  if (ecosystem === 'PyPI') return trimmed.toLowerCase().replace(/[-_.]+/g, '-');
  return trimmed;
}

/** Splits an OSV ecosystem string into ecosystem and release: 'Debian:12' → ['Debian', '12']. */
export function splitEcosystem(ecosystem: string): { ecosystem: string; release?: string } {
  const colon = ecosystem.indexOf(':');
  if (colon < 0) return { ecosystem };
  return { ecosystem: ecosystem.slice(0, colon), release: ecosystem.slice(colon + 1) };
}

/** Ecosystems whose packages are distribution packages (their records are of class 'distro'). */
export const DISTRO_ECOSYSTEMS: ReadonlySet<string> = new Set([
  'Debian', 'Ubuntu', 'Alpine', 'Wolfi', 'Chainguard', 'Rocky Linux', 'AlmaLinux', 'Red Hat', 'SUSE',
  'openSUSE', 'Photon OS', 'Mageia', 'openEuler', 'Azure Linux', 'Echo', 'MinimOS',
]);

/**
 * Deterministic JSON: object keys sorted (UTF-16 code unit order), no whitespace, `undefined`
 * members dropped; arrays keep their order (callers sort them). The same value gives the same bytes.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? 'null';
}

/**
 * The value with every object's keys in sorted order and `undefined` members dropped, sharing every
 * part that is already so: objects parsed from canonical JSON (stored records) are not copied at
 * all, and the native JSON.stringify then writes the bytes. (Arrays keep their order; `undefined`
 * in an array is written as null, as JSON.stringify does.)
 */
function canonical(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return canonical(withJson.toJSON());
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = canonical(item);
      if (next !== item && copy === undefined) copy = value.slice(0, i);
      if (copy !== undefined) copy.push(next);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      sorted = false;
      break;
    }
  }
  let changed = !sorted;
  const children = new Map<string, unknown>();
  for (const key of keys) {
    const child = record[key];
    const next = child === undefined ? undefined : canonical(child);
    if (next !== child || child === undefined) changed = true;
    children.set(key, next);
  }
  if (!changed) return value;
  const out: Record<string, unknown> = {};
  for (const key of sorted ? keys : [...keys].sort()) {
    const child = children.get(key);
    if (child !== undefined) out[key] = child;
  }
  return out;
}
