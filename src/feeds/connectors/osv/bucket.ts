import type { JsonValue } from '../../../store/index.js';

/*
 * The OSV export bucket (gs://osv-vulnerabilities, served over HTTPS), as written by osv.dev's
 * exporter (google/osv.dev go/cmd/exporter):
 *   ecosystems.txt                 one ecosystem directory name a line, sorted
 *   <ECOSYSTEM>/all.zip            every record of the ecosystem as `<ID>.json` entries
 *   <ECOSYSTEM>/modified_id.csv    `<modified RFC 3339, nanoseconds>,<ID>` rows, newest first
 *   <ECOSYSTEM>/<ID>.json          one record
 * Directory names are OSV ecosystem names ('npm', 'Rocky Linux', 'GIT'; older exports also had
 * release directories such as 'Debian:12'), so every path segment is percent-encoded; ids may hold
 * ':' too (AlmaLinux 'ALSA-2025:10073').
 */

export const DEFAULT_OSV_BASE_URL = 'https://osv-vulnerabilities.storage.googleapis.com';

/** One path segment, percent-encoded (spaces, ':', '/' and the rest). */
export function segment(name: string): string {
  return encodeURIComponent(name);
}

export function ecosystemUrl(base: string, ecosystem: string, file: string): string {
  return `${base}/${segment(ecosystem)}/${segment(file)}`;
}

/**
 * A timestamp as a string that orders like the instant it names, to the nanosecond
 * ('2024-01-02T03:04:05.5Z' is later than '2024-01-02T03:04:05Z', which plain string order gets
 * wrong). undefined when the text is not an RFC 3339 timestamp.
 */
export function instantKey(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/.exec(text.trim());
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4]?.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  const seconds = new Date(ms).toISOString().slice(0, 19);
  return `${seconds}.${(m[3] ?? '').padEnd(9, '0')}`;
}

export interface ModifiedRow {
  /** As written in the file. */
  readonly modified: string;
  readonly key: string;
  readonly id: string;
}

/** One CSV field list (RFC 4180 quoting, which Go's encoding/csv writes when a field needs it). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      fields.push(value);
      i++; // the comma
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

/**
 * The rows of modified_id.csv newer than `after` (an instantKey; undefined = all), newest first as
 * in the file. Reading stops at the first row not newer, since the file is sorted newest first.
 * Lines that are not `<timestamp>,<id>` come back in `bad`.
 */
export function newerRows(csv: string, after: string | undefined): { rows: ModifiedRow[]; bad: string[] } {
  const rows: ModifiedRow[] = [];
  const bad: string[] = [];
  for (const raw of csv.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const [modified, id, ...rest] = csvFields(line);
    const key = modified === undefined ? undefined : instantKey(modified);
    if (key === undefined || id === undefined || id === '' || rest.length > 0) {
      bad.push(line);
      continue;
    }
    if (after !== undefined && key <= after) break;
    rows.push({ modified: modified as string, key, id });
  }
  return { rows, bad };
}

/** The resume point of one ecosystem. */
export interface EcosystemCursor {
  /** Newest `modified` such that every record modified at or before it is stored. */
  readonly modified?: string;
  /** Validators of the all.zip last ingested whole. */
  readonly zipEtag?: string;
  readonly zipLastModified?: string;
  /** Validators of the last modified_id.csv whose every row is covered by `modified`. */
  readonly csvEtag?: string;
  readonly csvLastModified?: string;
}

export interface OsvCursor {
  readonly ecosystems: Readonly<Record<string, EcosystemCursor>>;
}

const FIELDS = ['modified', 'zipEtag', 'zipLastModified', 'csvEtag', 'csvLastModified'] as const;

/** The cursor as saved by toCursorJson; anything else (null, another shape) reads as empty. */
export function readCursor(value: JsonValue): OsvCursor {
  const ecosystems: Record<string, EcosystemCursor> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ecosystems };
  const saved = value['ecosystems'];
  if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) return { ecosystems };
  for (const [name, entry] of Object.entries(saved)) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    const out: Record<string, string> = {};
    for (const field of FIELDS) {
      const v = entry[field];
      if (typeof v === 'string') out[field] = v;
    }
    if (out['modified'] !== undefined && instantKey(out['modified']) === undefined) delete out['modified'];
    ecosystems[name] = out;
  }
  return { ecosystems };
}

/** Deterministic JSON for saveCursor: ecosystems sorted by name, fields in a fixed order. */
export function toCursorJson(cursor: OsvCursor): JsonValue {
  const ecosystems: Record<string, JsonValue> = {};
  for (const name of Object.keys(cursor.ecosystems).sort()) {
    const entry = cursor.ecosystems[name] ?? {};
    const out: Record<string, JsonValue> = {};
    for (const field of FIELDS) {
      const v = entry[field];
      if (v !== undefined) out[field] = v;
    }
    ecosystems[name] = out;
  }
  return { ecosystems };
}
