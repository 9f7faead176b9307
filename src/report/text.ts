import { canonicalJson } from '../advisories/index.js';
import { ReportError } from './errors.js';

/**
 * Deterministic, readable JSON: keys sorted (canonicalJson), 2-space indentation, trailing newline.
 * (JSON.parse keeps the sorted order for every key that is not an array index; no report has such keys.)
 */
export function prettyJson(value: unknown): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`;
}

/** The injected clock as ISO 8601 UTC to the second, the form every format accepts. */
export function formatCreated(created: Date): string {
  const time = created.getTime();
  if (Number.isNaN(time)) throw new ReportError('invalid-clock', 'the report creation time is not a valid date');
  const year = created.getUTCFullYear();
  if (year < 1970 || year > 9999) throw new ReportError('invalid-clock', `the report creation year ${year} is outside 1970–9999`);
  return created.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An advisory timestamp as RFC 3339 date-time (a bare date becomes midnight UTC); undefined when it is neither. */
export function rfc3339(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const value = DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text;
  return RFC3339.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/** One table or message cell: control characters and line breaks become spaces. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** At most `max` characters, cut ones ending in "...". */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 3))}...`;
}
