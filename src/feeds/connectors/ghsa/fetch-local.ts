import type { FetchContext, FetchSummary } from '../../connector.js';
import { FeedError } from '../../errors.js';
import { localSourceKind, openLocalSource } from '../../local.js';

/*
 * `--from`: a clone of github/advisory-database, GitHub's archive zip of it, a plain directory of
 * GHSA-*.json files, or one file. In the repository layout only
 * advisories/github-reviewed/YYYY/MM/GHSA-…/GHSA-….json is read (advisories/unreviewed/ too when
 * includeUnreviewed is set). The document id is the path from its `advisories/` segment on, so a
 * clone and its archive (whose entries sit below `advisory-database-main/`) give the same ids;
 * outside that layout, the path relative to `from`. The API cursor is left alone.
 */

export interface GhsaSettings {
  /** Also read advisories/unreviewed/ from a local clone. Default: reviewed advisories only. */
  readonly includeUnreviewed?: boolean;
}

const LAYOUT = /(?:^|\/)(advisories\/([^/]+)\/.+)$/;

/** Which entries of a local source are GHSA records. */
export function localFilter(settings: GhsaSettings): (path: string) => boolean {
  return (path) => {
    if (!path.toLowerCase().endsWith('.json')) return false;
    const layout = LAYOUT.exec(path);
    if (layout !== null) return layout[2] === 'github-reviewed' || (settings.includeUnreviewed === true && layout[2] === 'unreviewed');
    return /(?:^|\/)GHSA-[^/]+\.json$/i.test(path);
  };
}

export function localDocumentId(path: string): string {
  return LAYOUT.exec(path)?.[1] ?? path;
}

export async function fetchGhsaLocal(ctx: FetchContext, from: string, settings: GhsaSettings): Promise<FetchSummary> {
  // A single plain file is taken whatever its name (a saved API page, one OSV record).
  const effective = { ...settings, includeUnreviewed: ctx.options.includeUnreviewed ?? settings.includeUnreviewed };
  const include = (await localSourceKind(from)) === 'file' ? () => true : localFilter(effective);
  let documents = 0;
  let inserted = 0;
  const source = openLocalSource(from, { include, ...(ctx.signal === undefined ? {} : { signal: ctx.signal }) });
  for await (const item of source) {
    if (ctx.signal?.aborted === true) throw new FeedError('ABORTED', 'ghsa: fetch aborted');
    const documentId = localDocumentId(item.path);
    if (item.error !== undefined) {
      await ctx.recordError(documentId, null, item.error.message);
      continue;
    }
    const put = await ctx.putDocument({ documentId, url: null, contentType: 'application/json', body: item.body });
    documents += 1;
    if (put.inserted) inserted += 1;
  }
  ctx.log(`ghsa: ${documents} document(s) from ${from}, ${inserted} new`);
  return { documents, inserted, notModified: inserted === 0 };
}
