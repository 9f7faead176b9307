import type { JsonValue } from '../../../store/index.js';
import { FeedError } from '../../errors.js';
import { isObject } from './reader.js';

/*
 * The NVD fetch cursor. `lastModified` is the end of the last lastModified window fetched to the
 * end (the next run starts there); `progress` is the window being paged through, checkpointed
 * after every stored page, so a run killed mid-window resumes at the next page.
 *
 *   { "lastModified": "2024-05-01T00:00:00.000Z" | null,
 *     "progress": { "windowStart": "…" | null, "windowEnd": "…", "nextIndex": 4000,
 *                   "totalResults": 5321 } | null }
 *
 * windowStart null is the first, full fetch (no lastMod parameters); its windowEnd is the time it
 * began, which becomes lastModified once it is complete. totalResults is the window's size as last
 * reported, used to step back when records leave the window between pages.
 */

export interface WindowProgress {
  readonly windowStart: string | null;
  readonly windowEnd: string;
  readonly nextIndex: number;
  readonly totalResults: number;
}

export interface NvdCursor {
  readonly lastModified: string | null;
  readonly progress: WindowProgress | null;
}

export const EMPTY_CURSOR: NvdCursor = { lastModified: null, progress: null };

export function cursorToJson(cursor: NvdCursor): JsonValue {
  const progress = cursor.progress === null ? null : { ...cursor.progress };
  return { lastModified: cursor.lastModified, progress };
}

/** The saved cursor, checked: a cursor we cannot read is an error, never a silent full re-fetch. */
export function readCursor(value: JsonValue): NvdCursor {
  if (value === null) return EMPTY_CURSOR;
  const bad = (why: string): never => {
    throw new FeedError('BAD_OPTION', `nvd: unreadable cursor ${JSON.stringify(value)}: ${why}`);
  };
  if (!isObject(value)) return bad('not an object');
  const lastModified = value.lastModified ?? null;
  if (lastModified !== null && !isInstant(lastModified)) bad('lastModified is not an ISO-8601 instant');
  const p = value.progress ?? null;
  if (p === null) return { lastModified: lastModified as string | null, progress: null };
  if (!isObject(p)) return bad('progress is not an object');
  const windowStart = p.windowStart ?? null;
  if (windowStart !== null && !isInstant(windowStart)) bad('progress.windowStart is not an ISO-8601 instant');
  if (!isInstant(p.windowEnd)) bad('progress.windowEnd is not an ISO-8601 instant');
  if (!isCount(p.nextIndex)) bad('progress.nextIndex is not a non-negative integer');
  if (!isCount(p.totalResults)) bad('progress.totalResults is not a non-negative integer');
  return {
    lastModified: lastModified as string | null,
    progress: {
      windowStart: windowStart as string | null,
      windowEnd: p.windowEnd as string,
      nextIndex: p.nextIndex as number,
      totalResults: p.totalResults as number,
    },
  };
}

function isInstant(value: JsonValue | undefined): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

function isCount(value: JsonValue | undefined): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
