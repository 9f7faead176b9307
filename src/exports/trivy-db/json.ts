import { canonicalJson } from '../../advisories/index.js';

/*
 * JSON bytes as Go's encoding/json writes them, so values match trivy-db's byte for byte:
 * - `<`, `>`, `&`, U+2028 and U+2029 are escaped as \u003c, \u003e, \u0026, \u2028, \u2029
 *   (json.Marshal's HTML-safe default; they occur in version constraints such as "<4.17.20");
 * - advisory values are maps in trivy-db (SaveAdvisoryDetails copies them through map[string]any),
 *   so their keys are sorted (goMapJson); struct values keep field order (goStructJson: the caller
 *   builds the object with keys in the struct's declaration order).
 */

const GO_ESCAPES = /[<>&\u2028\u2029]/g;

function goEscape(json: string): string {
  return json.replace(GO_ESCAPES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value with map semantics: keys sorted at every level. */
export function goMapJson(value: unknown): string {
  return goEscape(canonicalJson(value));
}

/** A value whose keys are already in Go struct field order. */
export function goStructJson(value: unknown): string {
  return goEscape(JSON.stringify(value));
}

/**
 * An ISO-8601 UTC timestamp as Go's time.Time marshals it (RFC 3339 with nanoseconds, trailing
 * zeros of the fraction dropped): '2020-07-15T17:15:11.790Z' → '2020-07-15T17:15:11.79Z'.
 * Undefined for text that is not such a timestamp, and for Go's zero time (year 1: OSV records
 * from Go's database write it for "never modified"; trivy-db leaves zero times out).
 */
export function goTime(iso: string | undefined): string | undefined {
  if (iso === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(iso);
  if (m === null || iso.startsWith('0001-01-01T00:00:00')) return undefined;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  return `${m[1] as string}${fraction === '' ? '' : `.${fraction}`}Z`;
}
