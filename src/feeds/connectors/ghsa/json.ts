import type { JsonValue } from '../../../store/index.js';
import { FeedError } from '../../errors.js';

/*
 * Typed reads of GitHub's JSON. A field of the wrong type is FeedError('MALFORMED_RECORD') naming
 * the record and the field: the REST schema (github/rest-api-description, `global-advisory`) is
 * the contract, and a change to it must be seen, not silently mapped to nothing. Absent and null
 * are the same (the schema marks most fields nullable).
 */

export type JsonObject = { readonly [key: string]: JsonValue };

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}

export function malformed(where: string, message: string): FeedError {
  return new FeedError('MALFORMED_RECORD', `${where}: ${message}`);
}

export function optString(obj: JsonObject, key: string, where: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw malformed(where, `"${key}" is ${describe(value)}, expected a string`);
  return value;
}

export function optNumber(obj: JsonObject, key: string, where: string): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw malformed(where, `"${key}" is ${describe(value)}, expected a number`);
  return value;
}

export function optArray(obj: JsonObject, key: string, where: string): readonly JsonValue[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(where, `"${key}" is ${describe(value)}, expected an array`);
  return value;
}

export function optObject(obj: JsonObject, key: string, where: string): JsonObject | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw malformed(where, `"${key}" is ${describe(value)}, expected an object`);
  return value;
}

export function describe(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Text that is present and not blank, trimmed; undefined otherwise. */
export function nonBlank(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
