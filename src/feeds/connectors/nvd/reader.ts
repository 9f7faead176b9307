import type { JsonValue } from '../../../store/index.js';
import { FeedError } from '../../errors.js';

/* Typed reading of NVD JSON: every violation names the record and the JSON path. */

export type JsonObject = { [key: string]: JsonValue };

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function kindOf(value: JsonValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function malformed(id: string, message: string): FeedError {
  return new FeedError('MALFORMED_RECORD', `nvd ${id}: ${message}`);
}

/** Typed access to one record's JSON; every violation names the record and the path. */
export class Reader {
  constructor(readonly id: string) {}

  fail(path: string, problem: string): never {
    throw malformed(this.id, `${path}: ${problem}`);
  }

  object(value: JsonValue | undefined, path: string): JsonObject {
    if (!isObject(value)) this.fail(path, `expected an object, got ${kindOf(value)}`);
    return value;
  }

  /** An optional array: missing or null is empty. */
  array(value: JsonValue | undefined, path: string): readonly JsonValue[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, `expected an array, got ${kindOf(value)}`);
    return value;
  }

  optionalString(value: JsonValue | undefined, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(path, `expected a string, got ${kindOf(value)}`);
    return value;
  }

  string(value: JsonValue | undefined, path: string): string {
    const text = this.optionalString(value, path);
    if (text === undefined) this.fail(path, 'missing');
    return text;
  }

  optionalBoolean(value: JsonValue | undefined, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(path, `expected a boolean, got ${kindOf(value)}`);
    return value;
  }

  optionalNumber(value: JsonValue | undefined, path: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number') this.fail(path, `expected a number, got ${kindOf(value)}`);
    return value;
  }
}

