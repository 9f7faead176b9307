import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DocumentBatch, type FetchContext, type FetchSummary } from '../../connector.js';
import { localSourceKind, openLocalSource, zipEntries, type LocalItem } from '../../local.js';

/*
 * `--from` a local copy: a directory (a copy of the bucket — `<ECOSYSTEM>/all.zip` — or loose
 * `*.json` / `*.yaml` records anywhere below, e.g. a clone of an advisory database), one zip, or one
 * record file. Document ids: the path relative to the directory; a zip's entries `<zip name>/<entry>`,
 * except a bucket copy's `<ECOSYSTEM>/all.zip`, whose entries are `<ECOSYSTEM>/<entry>` exactly as
 * when fetched over HTTP. Loose records next to an all.zip are the same records, so they are skipped.
 * Nothing here moves the cursor: storing the same bytes again is a no-op.
 */

const RECORD_FILE = /\.(json|ya?ml)$/i;
const ZIP_FILE = /\.zip$/i;

function contentTypeOf(name: string): string {
  return /\.ya?ml$/i.test(name) ? 'application/yaml' : 'application/json';
}

class LocalRun {
  /** Documents are stored a hundred per store round trip. */
  readonly batch: DocumentBatch;

  constructor(private readonly ctx: FetchContext) {
    this.batch = new DocumentBatch(ctx);
  }

  async take(item: LocalItem, documentId: string, url: string): Promise<void> {
    if (item.error !== undefined) {
      await this.ctx.recordError(documentId, null, item.error.message);
      return;
    }
    await this.batch.add({ documentId, url, contentType: contentTypeOf(item.path), body: item.body });
  }

  options(include: (p: string) => boolean): { include: (p: string) => boolean; signal?: AbortSignal } {
    return { include, ...(this.ctx.signal === undefined ? {} : { signal: this.ctx.signal }) };
  }

  /** `prefix` + entry for every record entry of one zip file. */
  async zip(zipPath: string, prefix: string): Promise<void> {
    const href = pathToFileURL(zipPath).href;
    for await (const item of zipEntries(zipPath, this.options((p) => RECORD_FILE.test(p)))) {
      await this.take(item, `${prefix}${item.path}`, `${href}#${item.path}`);
    }
  }
}

/** Every zip below `root` (symbolic links not followed), relative '/'-separated paths in byte order. */
async function zipsBelow(root: string): Promise<string[]> {
  const found: string[] = [];
  const pending = [''];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) pending.push(rel);
      else if (entry.isFile() && ZIP_FILE.test(entry.name)) found.push(rel);
    }
  }
  return found.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

async function fetchDirectory(run: LocalRun, root: string): Promise<void> {
  const zips = await zipsBelow(root);
  const bucketDirs = new Set(zips.filter((z) => z === 'all.zip' || z.endsWith('/all.zip')).map((z) => path.posix.dirname(z)));
  const loose = (p: string): boolean => RECORD_FILE.test(p) && !bucketDirs.has(path.posix.dirname(p));
  for await (const item of openLocalSource(root, run.options(loose))) {
    await run.take(item, item.path, pathToFileURL(path.join(root, item.path)).href);
  }
  for (const zip of zips) {
    const dir = path.posix.dirname(zip);
    const prefix = path.posix.basename(zip) === 'all.zip' ? (dir === '.' ? '' : `${dir}/`) : `${zip}/`;
    await run.zip(path.join(root, zip), prefix);
  }
}

/** The fetch stage for `--from` a local directory, zip or file. */
export async function fetchLocal(ctx: FetchContext, from: string): Promise<FetchSummary> {
  const run = new LocalRun(ctx);
  const resolved = path.resolve(from);
  const kind = await localSourceKind(resolved);
  if (kind === 'directory') await fetchDirectory(run, resolved);
  else if (kind === 'zip') await run.zip(resolved, `${path.basename(resolved)}/`);
  else {
    for await (const item of openLocalSource(resolved)) await run.take(item, item.path, pathToFileURL(resolved).href);
  }
  await run.batch.flush();
  ctx.log(`${from}: ${run.batch.documents} document(s), ${run.batch.inserted} new`);
  return { documents: run.batch.documents, inserted: run.batch.inserted };
}
