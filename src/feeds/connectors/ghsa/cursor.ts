import { normalizeTimestamp } from '../../../advisories/index.js';
import type { JsonValue } from '../../../store/index.js';
import { FeedError } from '../../errors.js';

/*
 * The GHSA cursor: `{ "updatedSince": "2024-04-17T18:39:19Z" }` (or null before the first run).
 * The next run asks for `updated=>=<updatedSince>`: advisories updated AT or after that instant.
 * The boundary advisories (updated exactly then) are fetched again rather than risked: several
 * advisories can share one updated_at, and only some of them may have been stored before a crash.
 */
export interface GhsaCursor {
  readonly updatedSince: string;
}

export function cursorJson(cursor: GhsaCursor): JsonValue {
  return { updatedSince: cursor.updatedSince };
}

/** The stored cursor, or the `since` option on a first run; undefined: everything. */
export function startingPoint(cursor: JsonValue, since: string | undefined): string | undefined {
  if (cursor !== null && cursor !== undefined) {
    const value = typeof cursor === 'object' && !Array.isArray(cursor) ? cursor.updatedSince : undefined;
    const normalized = typeof value === 'string' ? normalizeTimestamp(value) : undefined;
    if (normalized === undefined) {
      throw new FeedError('BAD_OPTION', `ghsa: the saved cursor ${JSON.stringify(cursor)} is not { "updatedSince": <ISO-8601 timestamp> }`);
    }
    return normalized;
  }
  if (since === undefined) return undefined;
  const normalized = normalizeTimestamp(since);
  if (normalized === undefined) throw new FeedError('BAD_OPTION', `ghsa: --since ${JSON.stringify(since)} is not an ISO-8601 date or timestamp`);
  return normalized;
}

/**
 * The `updated` filter in GitHub's search date syntax (`>=YYYY-MM-DDTHH:MM:SS+00:00`). Fractions of a
 * second are dropped, which moves the bound earlier: never past an advisory.
 */
export function updatedFilter(since: string): string {
  const seconds = since.replace(/\.\d+Z$/, 'Z');
  return `>=${seconds.replace(/Z$/, '+00:00')}`;
}

/** The later of two normalized timestamps (either may be undefined). */
export function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}
