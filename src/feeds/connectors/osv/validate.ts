import { normalizeTimestamp } from '../../../advisories/index.js';

/*
 * The minimum shape of one OSV record (ossf/osv-schema validation/schema.json), checked once at the
 * edge so that the mapper can rely on it. Only what we read is checked; other members pass through
 * untouched. `null` is accepted wherever the schema allows it (`"aliases": null`) and means absent.
 */

export interface OsvEventDto {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export interface OsvRangeDto {
  readonly type: string;
  readonly repo?: string;
  readonly events: readonly OsvEventDto[];
}

export interface OsvSeverityDto {
  readonly type: string;
  readonly score: string;
}

export interface OsvAffectedDto {
  readonly package?: { readonly ecosystem: string; readonly name: string; readonly purl?: string };
  readonly severity?: readonly OsvSeverityDto[] | null;
  readonly ranges?: readonly OsvRangeDto[] | null;
  readonly versions?: readonly string[] | null;
  readonly ecosystem_specific?: unknown;
  readonly database_specific?: unknown;
}

export interface OsvRecordDto {
  readonly id: string;
  readonly modified: string;
  readonly published?: string | null;
  readonly withdrawn?: string | null;
  readonly aliases?: readonly string[] | null;
  readonly related?: readonly string[] | null;
  readonly upstream?: readonly string[] | null;
  readonly summary?: string | null;
  readonly details?: string | null;
  readonly severity?: readonly OsvSeverityDto[] | null;
  readonly affected?: readonly OsvAffectedDto[] | null;
  readonly references?: readonly { readonly type?: string; readonly url: string }[] | null;
  readonly database_specific?: unknown;
}

const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Collects shape problems as `path: what` messages. */
class Problems {
  readonly list: string[] = [];
  add(path: string, what: string): void {
    this.list.push(`${path}: ${what}`);
  }
  stringField(obj: Obj, key: string, path: string, required: boolean): void {
    const v = obj[key];
    if (absent(v)) {
      if (required) this.add(`${path}${key}`, 'missing');
    } else if (typeof v !== 'string') this.add(`${path}${key}`, `expected a string, got ${kindOf(v)}`);
  }
  stringArray(obj: Obj, key: string, path: string): void {
    const v = obj[key];
    if (absent(v)) return;
    if (!Array.isArray(v)) return this.add(`${path}${key}`, `expected an array, got ${kindOf(v)}`);
    v.forEach((item, i) => {
      if (typeof item !== 'string') this.add(`${path}${key}[${i}]`, `expected a string, got ${kindOf(item)}`);
    });
  }
  objectArray(obj: Obj, key: string, path: string, each: (item: Obj, at: string) => void): void {
    const v = obj[key];
    if (absent(v)) return;
    if (!Array.isArray(v)) return this.add(`${path}${key}`, `expected an array, got ${kindOf(v)}`);
    v.forEach((item, i) => {
      const at = `${path}${key}[${i}]`;
      if (isObject(item)) each(item, `${at}.`);
      else this.add(at, `expected an object, got ${kindOf(item)}`);
    });
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function checkSeverity(p: Problems, item: Obj, at: string): void {
  p.stringField(item, 'type', at, true);
  p.stringField(item, 'score', at, true);
}

function checkRange(p: Problems, range: Obj, at: string): void {
  p.stringField(range, 'type', at, true);
  p.stringField(range, 'repo', at, false);
  if (!Array.isArray(range['events'])) return p.add(`${at}events`, 'expected an array');
  p.objectArray(range, 'events', at, (event, eventAt) => {
    const kinds = EVENT_KINDS.filter((k) => event[k] !== undefined);
    if (kinds.length !== 1) return p.add(eventAt.slice(0, -1), 'an event has exactly one of introduced, fixed, last_affected, limit');
    p.stringField(event, kinds[0] as string, eventAt, true);
  });
}

function checkAffected(p: Problems, entry: Obj, at: string): void {
  const pkg = entry['package'];
  if (!absent(pkg)) {
    if (!isObject(pkg)) p.add(`${at}package`, `expected an object, got ${kindOf(pkg)}`);
    else {
      p.stringField(pkg, 'ecosystem', `${at}package.`, true);
      p.stringField(pkg, 'name', `${at}package.`, true);
      p.stringField(pkg, 'purl', `${at}package.`, false);
    }
  }
  p.objectArray(entry, 'severity', at, (s, sAt) => checkSeverity(p, s, sAt));
  p.objectArray(entry, 'ranges', at, (r, rAt) => checkRange(p, r, rAt));
  p.stringArray(entry, 'versions', at);
  if (absent(pkg)) {
    const ranges = Array.isArray(entry['ranges']) ? entry['ranges'] : [];
    const hasRepo = ranges.some((r) => isObject(r) && typeof r['repo'] === 'string');
    if (!hasRepo) p.add(at.slice(0, -1), 'names neither a package nor a repository');
  }
}

/** Checks one parsed document against the minimum OSV shape: the record, or the problems found. */
export function validateOsvRecord(value: unknown): { record: OsvRecordDto } | { id: string | null; problems: string[] } {
  if (!isObject(value)) return { id: null, problems: [`expected an OSV record (a JSON object), got ${kindOf(value)}`] };
  const p = new Problems();
  p.stringField(value, 'id', '', true);
  p.stringField(value, 'modified', '', true);
  if (typeof value['id'] === 'string' && value['id'].trim() === '') p.add('id', 'empty');
  if (typeof value['modified'] === 'string' && normalizeTimestamp(value['modified']) === undefined) p.add('modified', `not a timestamp: ${JSON.stringify(value['modified'])}`);
  for (const key of ['published', 'withdrawn', 'summary', 'details']) p.stringField(value, key, '', false);
  for (const key of ['aliases', 'related', 'upstream']) p.stringArray(value, key, '');
  p.objectArray(value, 'severity', '', (s, at) => checkSeverity(p, s, at));
  p.objectArray(value, 'affected', '', (a, at) => checkAffected(p, a, at));
  p.objectArray(value, 'references', '', (r, at) => {
    p.stringField(r, 'url', at, true);
    p.stringField(r, 'type', at, false);
  });
  const id = typeof value['id'] === 'string' && value['id'].trim() !== '' ? value['id'] : null;
  if (p.list.length > 0) return { id, problems: p.list };
  return { record: value as unknown as OsvRecordDto };
}
