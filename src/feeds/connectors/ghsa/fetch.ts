import { normalizeTimestamp } from '../../../advisories/index.js';
import type { JsonValue } from '../../../store/index.js';
import type { FetchContext, FetchSummary } from '../../connector.js';
import { FeedError } from '../../errors.js';
import { cursorJson, later, startingPoint, updatedFilter } from './cursor.js';
import { fetchGhsaLocal, type GhsaSettings } from './fetch-local.js';
import { isObject } from './json.js';

/*
 * fetch: GitHub's global security advisories, `GET {base}/advisories` (REST API version
 * 2022-11-28), reviewed advisories sorted by `updated` ascending, 100 a page, from the cursor on
 * (`updated=>=…`), following the Link header's rel="next" (cursor pagination: `after=…`) until
 * there is none. Every non-empty page is stored raw. Rate limits (x-ratelimit-*, Retry-After, 403/429
 * with remaining 0) are the HttpClient's business: it waits through the injected sleep.
 *
 * Checkpoints: after page N is stored, every advisory updated before max(updated_at of pages 1..N)
 * has been seen (the order is ascending), so the cursor moves to that maximum; the next request
 * asks for `>=` it, so advisories updated at that very second are fetched again, never skipped.
 * An advisory updated while we page moves to the end of the order: we see it later or next run.
 * With `options.from`, documents come from a local clone or zip instead (fetch-local.ts).
 */

export const DEFAULT_BASE_URL = 'https://api.github.com';
export const PAGE_SIZE = 100;

function firstPageUrl(baseUrl: string, since: string | undefined): URL {
  const url = new URL('advisories', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('type', 'reviewed');
  url.searchParams.set('per_page', String(PAGE_SIZE));
  url.searchParams.set('sort', 'updated');
  url.searchParams.set('direction', 'asc');
  if (since !== undefined) url.searchParams.set('updated', updatedFilter(since));
  return url;
}

/** The page's document id: its path below the base URL and its query, parameters sorted, decoded. */
export function pageDocumentId(url: URL, base: URL): string {
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname.replace(/^\//, '');
  const params = [...url.searchParams].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
  return params.length === 0 ? path : `${path}?${params.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

/** The rel="next" target of an RFC 8288 Link header, or undefined. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const m of header.matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2] ?? '');
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return m[1];
  }
  return undefined;
}

function pageAdvisories(body: Uint8Array, url: string): readonly JsonValue[] {
  let json: JsonValue;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as JsonValue;
  } catch (error) {
    throw new FeedError('MALFORMED_DOCUMENT', `${url}: the advisories page is not JSON`, { cause: error });
  }
  if (!Array.isArray(json)) throw new FeedError('MALFORMED_DOCUMENT', `${url}: the advisories page is not a JSON array`);
  return json;
}

function maxUpdated(advisories: readonly JsonValue[]): string | undefined {
  let max: string | undefined;
  for (const advisory of advisories) {
    const text = isObject(advisory) && typeof advisory.updated_at === 'string' ? advisory.updated_at : undefined;
    max = later(max, normalizeTimestamp(text));
  }
  return max;
}

// The token goes only to the configured origin: a next link elsewhere is refused, not followed.
function resolveNext(link: string | undefined, current: URL, origin: string): URL | undefined {
  if (link === undefined) return undefined;
  const next = new URL(link, current);
  if (next.origin !== origin) throw new FeedError('MALFORMED_DOCUMENT', `${current.href}: Link rel="next" leaves ${origin}: ${next.href}`);
  return next;
}

function requestHeaders(token: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
  if (token !== undefined && token !== '') headers.authorization = `Bearer ${token}`;
  return headers;
}

async function fetchGhsaApi(ctx: FetchContext): Promise<FetchSummary> {
  const start = startingPoint(ctx.cursor, ctx.options.since);
  const base = new URL(ctx.options.baseUrl ?? DEFAULT_BASE_URL);
  const headers = requestHeaders(ctx.options.token);
  let url: URL | undefined = firstPageUrl(base.href, start);
  let cursor = start;
  let documents = 0;
  let inserted = 0;
  const seen = new Set<string>();
  while (url !== undefined) {
    if (ctx.signal?.aborted === true) throw new FeedError('ABORTED', 'ghsa: fetch aborted');
    if (seen.has(url.href)) throw new FeedError('MALFORMED_DOCUMENT', `ghsa: pagination loops back to ${url.href}`);
    seen.add(url.href);
    const response = await ctx.http.get(url.href, { headers, ...(ctx.signal === undefined ? {} : { signal: ctx.signal }) });
    const advisories = pageAdvisories(response.body, url.href);
    const next = resolveNext(nextLink(response.headers.get('link')), url, base.origin);
    if (advisories.length > 0) {
      const put = await ctx.putDocument({ documentId: pageDocumentId(url, base), url: url.href, contentType: 'application/json', body: response.body });
      documents += 1;
      if (put.inserted) inserted += 1;
      const advanced = later(cursor, maxUpdated(advisories));
      if (advanced !== undefined && advanced !== cursor) {
        cursor = advanced;
        await ctx.saveCursor(cursorJson({ updatedSince: cursor }));
      }
    }
    url = next;
  }
  ctx.log(`ghsa: ${documents} page(s), ${inserted} new; cursor ${cursor ?? '(none)'}`);
  return { documents, inserted, notModified: inserted === 0 && cursor === start };
}

export async function fetchGhsa(ctx: FetchContext, settings: GhsaSettings): Promise<FetchSummary> {
  return ctx.options.from === undefined ? fetchGhsaApi(ctx) : fetchGhsaLocal(ctx, ctx.options.from, settings);
}
