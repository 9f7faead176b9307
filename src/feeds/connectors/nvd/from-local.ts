import type { FetchContext, FetchSummary } from '../../connector.js';
import { localSourceKind, openLocalSource } from '../../local.js';

/*
 * `--from`: a directory of saved API response pages or of per-CVE files (the fkie-cad/nvd-json-
 * data-feeds layout CVE-YYYY/CVE-YYYY-NNNNxx/CVE-….json), a zip of either, or one file. Every
 * .json entry of a directory or zip (a single file whatever its name) is stored as it is, keyed
 * by its relative path (a single file: its base name); parse() tells the shapes apart.
 * The API cursor is left alone: a local import says nothing about what the API has sent.
 */

export async function fetchNvdLocal(ctx: FetchContext, from: string): Promise<FetchSummary> {
  let documents = 0;
  let inserted = 0;
  const kind = await localSourceKind(from);
  const include = kind === 'file' ? undefined : (path: string): boolean => path.toLowerCase().endsWith('.json');
  const source = openLocalSource(from, {
    ...(include === undefined ? {} : { include }),
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  });
  for await (const item of source) {
    if (item.error !== undefined) {
      await ctx.recordError(item.path, null, item.error.message);
      continue;
    }
    const stored = await ctx.putDocument({ documentId: item.path, url: null, contentType: 'application/json', body: item.body });
    documents += 1;
    if (stored.inserted) inserted += 1;
  }
  ctx.log(`${from}: ${documents} documents, ${inserted} new`);
  return { documents, inserted };
}
