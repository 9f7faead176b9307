import { normalizeTimestamp } from '../../../advisories/index.js';
import type { JsonValue } from '../../../store/index.js';
import type { FetchContext, FetchSummary } from '../../connector.js';
import { FeedError } from '../../errors.js';
import { cursorToJson, readCursor, type NvdCursor, type WindowProgress } from './cursor.js';
import { fetchNvdLocal } from './from-local.js';
import { isObject } from './reader.js';

/*
 * NVD CVE API 2.0, incrementally by lastModified. Windows are at most 120 days (the API's limit)
 * and end at ctx.now() at the latest; each window is paged with startIndex until totalResults.
 * Every page is stored raw (one document per request) and the cursor is checkpointed after it.
 */

export const NVD_BASE_URL = 'https://services.nvd.nist.gov/rest/json/cves/2.0';
export const NVD_MAX_WINDOW_MS = 120 * 24 * 60 * 60 * 1000;
export const NVD_RESULTS_PER_PAGE = 2000;

export interface NvdWindow {
  /** null: the first, full fetch, without lastMod parameters. */
  readonly start: string | null;
  readonly end: string;
}

interface Tally {
  documents: number;
  inserted: number;
  requests: number;
}

export async function fetchNvd(ctx: FetchContext): Promise<FetchSummary> {
  if (ctx.options.from !== undefined) return fetchNvdLocal(ctx, ctx.options.from);
  const now = ctx.now();
  const tally: Tally = { documents: 0, inserted: 0, requests: 0 };
  let cursor = readCursor(ctx.cursor);
  if (cursor.progress !== null) {
    const { windowStart, windowEnd } = cursor.progress;
    cursor = await fetchWindow(ctx, { start: windowStart, end: windowEnd }, cursor, tally);
  }
  const first = cursor.lastModified ?? sinceOption(ctx);
  if (first === null) {
    await fetchWindow(ctx, { start: null, end: now.toISOString() }, cursor, tally);
  } else {
    for (const window of windowsBetween(new Date(first), now)) {
      cursor = await fetchWindow(ctx, window, cursor, tally);
    }
  }
  return { documents: tally.documents, inserted: tally.inserted, ...(tally.requests === 0 ? { notModified: true } : {}) };
}

/** [start, now] cut into consecutive windows of at most 120 days. */
export function windowsBetween(start: Date, now: Date): NvdWindow[] {
  const windows: NvdWindow[] = [];
  for (let from = start.getTime(); from < now.getTime();) {
    const to = Math.min(from + NVD_MAX_WINDOW_MS, now.getTime());
    windows.push({ start: new Date(from).toISOString(), end: new Date(to).toISOString() });
    from = to;
  }
  return windows;
}

/**
 * Pages through one window from the cursor's progress (or from 0), storing each page and
 * checkpointing after it; returns the cursor with the window complete. Records only ever leave a
 * window (their lastModified grows), which shifts the later ones back by up to d places when
 * totalResults shrinks by d between pages: the next request then starts d places before the page
 * just read, so nothing is skipped (a few records come twice, which is harmless).
 */
async function fetchWindow(ctx: FetchContext, window: NvdWindow, cursor: NvdCursor, tally: Tally): Promise<NvdCursor> {
  const resume = cursor.progress !== null && sameWindow(cursor.progress, window) ? cursor.progress : undefined;
  let index = resume?.nextIndex ?? 0;
  let knownTotal = resume?.totalResults;
  ctx.log(`window ${window.start ?? '(all)'} .. ${window.end} from startIndex ${index}`);
  for (;;) {
    const page = await fetchPage(ctx, window, index, tally);
    const shrink = knownTotal === undefined ? 0 : Math.max(0, knownTotal - page.totalResults);
    knownTotal = page.totalResults;
    // The records we may have missed now sit just before this page: read again from there.
    // (Terminates: every step back needs totalResults to shrink again.)
    let next = shrink > 0 ? Math.max(0, index - shrink) : index + page.count;
    if (page.count === 0 && shrink === 0) next = page.totalResults; // an empty page: nothing more here
    if (next >= page.totalResults) {
      const done: NvdCursor = { lastModified: window.end, progress: null };
      await ctx.saveCursor(cursorToJson(done));
      return done;
    }
    const progress: WindowProgress = { windowStart: window.start, windowEnd: window.end, nextIndex: next, totalResults: page.totalResults };
    await ctx.saveCursor(cursorToJson({ lastModified: cursor.lastModified, progress }));
    index = next;
  }
}

interface Page {
  readonly count: number;
  readonly totalResults: number;
}

async function fetchPage(ctx: FetchContext, window: NvdWindow, startIndex: number, tally: Tally): Promise<Page> {
  if (ctx.signal?.aborted === true) throw new FeedError('ABORTED', 'nvd: fetch aborted');
  const range = rangeOf(window);
  const url = `${baseUrl(ctx)}?${range}resultsPerPage=${NVD_RESULTS_PER_PAGE}&startIndex=${startIndex}`;
  tally.requests += 1;
  const response = await ctx.http.get(url, {
    ...(ctx.options.apiKey === undefined ? {} : { headers: { apiKey: ctx.options.apiKey } }),
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  const page = readPage(response.body, url);
  ctx.log(`startIndex ${startIndex}: ${page.count} of ${page.totalResults}`);
  if (page.count > 0) {
    const documentId = `cves?${range}startIndex=${startIndex}`;
    const stored = await ctx.putDocument({ documentId, url, contentType: 'application/json', body: response.body });
    tally.documents += 1;
    if (stored.inserted) tally.inserted += 1;
  }
  return page;
}

/**
 * The lastMod parameters (with their trailing '&'), in a fixed order so that the same request
 * always has the same document id. NVD wants milliseconds and an explicit zone (since 2025-07 it
 * answers 404 "Invalid ISO 8601 date/time format" without one); toISOString gives both
 * ("2024-01-01T00:00:00.000Z") and nothing in it needs percent-encoding.
 */
function rangeOf(window: NvdWindow): string {
  return window.start === null ? '' : `lastModStartDate=${window.start}&lastModEndDate=${window.end}&`;
}

function readPage(body: Uint8Array, url: string): Page {
  let root: JsonValue;
  try {
    root = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as JsonValue;
  } catch (cause) {
    throw new FeedError('MALFORMED_DOCUMENT', `nvd: ${url}: the response is not JSON`, { cause });
  }
  if (!isObject(root)) throw new FeedError('MALFORMED_DOCUMENT', `nvd: ${url}: the response is not a JSON object`);
  const { totalResults, vulnerabilities } = root;
  if (typeof totalResults !== 'number' || !Number.isInteger(totalResults) || totalResults < 0) {
    throw new FeedError('MALFORMED_DOCUMENT', `nvd: ${url}: totalResults is missing or not a count`);
  }
  if (!Array.isArray(vulnerabilities)) throw new FeedError('MALFORMED_DOCUMENT', `nvd: ${url}: vulnerabilities is not an array`);
  return { count: vulnerabilities.length, totalResults };
}

function baseUrl(ctx: FetchContext): string {
  return (ctx.options.baseUrl ?? NVD_BASE_URL).replace(/\/+$/, '');
}

function sameWindow(progress: WindowProgress, window: NvdWindow): boolean {
  return progress.windowStart === window.start && progress.windowEnd === window.end;
}

function sinceOption(ctx: FetchContext): string | null {
  const since = ctx.options.since;
  if (since === undefined) return null;
  // normalizeTimestamp reads a time without a zone as UTC, as NVD writes them.
  const normalized = normalizeTimestamp(since);
  if (normalized === undefined) {
    throw new FeedError('BAD_OPTION', `nvd: --since ${JSON.stringify(since)} is not an ISO-8601 date or time`);
  }
  return new Date(normalized).toISOString();
}
