import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DocumentBatch, type FetchContext, type FetchSummary } from '../../connector.js';
import { FeedError, isFeedError } from '../../errors.js';
import { httpStatusOf, type HttpResponse } from '../../http.js';
import { zipEntries } from '../../local.js';
import {
  DEFAULT_OSV_BASE_URL, ecosystemUrl, instantKey, newerRows, readCursor, segment, toCursorJson,
  type EcosystemCursor, type ModifiedRow,
} from './bucket.js';
import { fetchLocal } from './local-source.js';

/*
 * Fetch from the OSV bucket (see bucket.ts), per ecosystem:
 *   - first run: the whole all.zip, each entry stored as `<ECOSYSTEM>/<ID>.json`; the cursor is saved
 *     only once the whole zip is in (a crash half-way re-reads the zip; documents already stored
 *     are no-ops);
 *   - later runs: modified_id.csv (conditional GET), then every record newer than the cursor, oldest
 *     first, checkpointing every BATCH records; more than MAX_INCREMENTAL new rows → all.zip again.
 * `--from` a directory, zip or file reads local copies instead (local-source.ts); `--from` an
 * http(s) URL is a mirror of the bucket.
 */

const BATCH = 500;
const MAX_INCREMENTAL = 10_000;
const PUT_BATCH = 100;
const RECORD_ENTRY = /\.json$/i;

interface Outcome {
  readonly notModified: boolean;
}

class BucketRun {
  private readonly state: Record<string, EcosystemCursor>;
  // Archive entries are stored a hundred at a time (flushed before every checkpoint).
  private readonly batch: DocumentBatch;

  constructor(private readonly ctx: FetchContext, readonly base: string) {
    this.state = { ...readCursor(ctx.cursor).ecosystems };
    this.batch = new DocumentBatch(ctx, PUT_BATCH);
  }

  get documents(): number {
    return this.batch.documents;
  }

  private put(documentId: string, url: string, body: Uint8Array): Promise<void> {
    return this.batch.add({ documentId, url, contentType: 'application/json', body });
  }

  flush(): Promise<void> {
    return this.batch.flush();
  }

  private async save(ecosystem: string, next: EcosystemCursor): Promise<void> {
    await this.flush();
    this.state[ecosystem] = next;
    await this.ctx.saveCursor(toCursorJson({ ecosystems: this.state }));
  }

  async ecosystems(): Promise<string[]> {
    const chosen = this.ctx.options.ecosystems;
    if (chosen !== undefined && chosen.length > 0) return [...chosen];
    const res = await this.ctx.http.get(`${this.base}/ecosystems.txt`, this.request());
    const names = new TextDecoder().decode(res.body).split('\n').map((l) => l.trim()).filter((l) => l !== '');
    return [...new Set(names)].sort();
  }

  private request(): { signal?: AbortSignal } {
    return this.ctx.signal === undefined ? {} : { signal: this.ctx.signal };
  }

  async sync(ecosystem: string): Promise<Outcome> {
    const state = this.state[ecosystem] ?? {};
    if (state.modified === undefined) return this.viaZip(ecosystem, state, undefined);
    return this.viaCsv(ecosystem, state);
  }

  private async getCsv(ecosystem: string, state: EcosystemCursor | undefined): Promise<HttpResponse> {
    return this.ctx.http.get(ecosystemUrl(this.base, ecosystem, 'modified_id.csv'), {
      ...this.request(),
      ...(state?.csvEtag === undefined ? {} : { etag: state.csvEtag }),
      ...(state?.csvLastModified === undefined ? {} : { lastModified: state.csvLastModified }),
    });
  }

  /** all.zip, whole. `csv` is the modified_id.csv already read (the fallback), else read first here. */
  private async viaZip(ecosystem: string, state: EcosystemCursor, csv: HttpResponse | undefined): Promise<Outcome> {
    // Read before the zip: if the zip then covers every row of it, the next run can ask "changed?".
    const listing = csv ?? (await this.getCsv(ecosystem, undefined).catch((error: unknown) => this.noCsv(ecosystem, error)));
    const url = ecosystemUrl(this.base, ecosystem, 'all.zip');
    const zipPath = path.join(this.ctx.workDir, `osv-${segment(ecosystem)}-all.zip`);
    const res = await this.ctx.http.download(url, zipPath, {
      ...this.request(),
      ...(state.zipEtag === undefined ? {} : { etag: state.zipEtag }),
      ...(state.zipLastModified === undefined ? {} : { lastModified: state.zipLastModified }),
    });
    if (res.notModified) return { notModified: true };
    let newest: ModifiedRow | undefined;
    try {
      newest = await this.ingestZip(ecosystem, url, zipPath);
    } finally {
      await rm(zipPath, { force: true });
    }
    const modified = later(state.modified, newest?.modified);
    const covered = listing !== undefined && modified !== undefined && coversListing(listing, modified);
    await this.save(ecosystem, {
      ...(modified === undefined ? {} : { modified }),
      ...validators('zip', res.headers),
      ...(covered ? validators('csv', listing.headers) : {}),
    });
    this.ctx.log(`${ecosystem}: all.zip ingested, cursor at ${modified ?? '(no records)'}`);
    return { notModified: false };
  }

  private noCsv(ecosystem: string, error: unknown): undefined {
    if (httpStatusOf(error) === undefined) throw error;
    this.ctx.log(`${ecosystem}: no modified_id.csv (${(error as Error).message}); the next run asks for it unconditionally`);
    return undefined;
  }

  /** Stores every `.json` entry; returns the newest `modified` seen. */
  private async ingestZip(ecosystem: string, url: string, zipPath: string): Promise<ModifiedRow | undefined> {
    let newest: ModifiedRow | undefined;
    const options = { include: (p: string) => RECORD_ENTRY.test(p), ...this.request() };
    for await (const item of zipEntries(zipPath, options)) {
      const documentId = `${ecosystem}/${item.path}`;
      if (item.error !== undefined) {
        await this.ctx.recordError(documentId, null, item.error.message);
        continue;
      }
      await this.put(documentId, `${url}#${item.path.split('/').map(segment).join('/')}`, item.body);
      const seen = modifiedOf(item.body);
      if (seen !== undefined && (newest === undefined || seen.key > newest.key)) newest = seen;
    }
    return newest;
  }

  private async viaCsv(ecosystem: string, state: EcosystemCursor): Promise<Outcome> {
    const csv = await this.getCsv(ecosystem, state);
    if (csv.notModified) return { notModified: true };
    const after = instantKey(state.modified ?? '');
    const { rows, bad } = newerRows(new TextDecoder().decode(csv.body), after);
    for (const line of bad) await this.ctx.recordError(`${ecosystem}/modified_id.csv`, null, `not a "<timestamp>,<id>" row: ${JSON.stringify(line)}`);
    if (rows.length > MAX_INCREMENTAL) {
      this.ctx.log(`${ecosystem}: ${rows.length} records changed, reading all.zip instead`);
      const zip = await this.viaZip(ecosystem, state, csv);
      if (!zip.notModified) return zip;
      this.ctx.log(`${ecosystem}: all.zip unchanged, fetching the ${rows.length} records one by one`);
    }
    await this.fetchRows(ecosystem, state, rows.reverse());
    await this.save(ecosystem, { ...this.state[ecosystem], ...validators('csv', csv.headers) });
    return { notModified: rows.length === 0 };
  }

  /** `rows` oldest first; checkpoints after every batch, up to where nothing older is missing. */
  private async fetchRows(ecosystem: string, state: EcosystemCursor, rows: readonly ModifiedRow[]): Promise<void> {
    let cursor = state;
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      for (const row of batch) await this.fetchRecord(ecosystem, row.id);
      const safe = checkpoint(rows, start + batch.length);
      if (safe !== undefined && safe.key > (instantKey(cursor.modified ?? '') ?? '')) {
        cursor = { ...cursor, modified: safe.modified };
        await this.save(ecosystem, cursor);
      }
    }
  }

  private async fetchRecord(ecosystem: string, id: string): Promise<void> {
    const url = ecosystemUrl(this.base, ecosystem, `${id}.json`);
    const documentId = `${ecosystem}/${id}.json`;
    try {
      const res = await this.ctx.http.get(url, this.request());
      await this.put(documentId, url, res.body);
    } catch (error) {
      const status = httpStatusOf(error);
      // A record listed but not served (404: deleted or moved since the listing) is one record's
      // problem; anything else (network, 5xx after retries) stops the run at the last checkpoint.
      if (status === undefined || status >= 500) throw error;
      await this.ctx.recordError(documentId, id, (error as Error).message);
    }
  }

  /** Call after flush(). */
  summary(notModified: boolean): FetchSummary {
    return { documents: this.batch.documents, inserted: this.batch.inserted, ...(notModified ? { notModified: true } : {}) };
  }
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (instantKey(b) ?? '') > (instantKey(a) ?? '') ? b : a;
}

function modifiedOf(body: Uint8Array): ModifiedRow | undefined {
  try {
    const record: unknown = JSON.parse(new TextDecoder().decode(body));
    const modified = (record as { modified?: unknown } | null)?.modified;
    const id = (record as { id?: unknown } | null)?.id;
    const key = typeof modified === 'string' ? instantKey(modified) : undefined;
    return key === undefined || typeof id !== 'string' ? undefined : { modified: modified as string, key, id };
  } catch {
    return undefined; // the parse stage reports it
  }
}

/** True when no row of the listing is newer than `modified`. */
function coversListing(listing: HttpResponse, modified: string): boolean {
  const { rows } = newerRows(new TextDecoder().decode(listing.body), instantKey(modified));
  return rows.length === 0;
}

/** The newest row such that it and every older row are among the first `done` (oldest-first) rows. */
function checkpoint(rows: readonly ModifiedRow[], done: number): ModifiedRow | undefined {
  const next = rows[done];
  for (let i = done - 1; i >= 0; i--) {
    const row = rows[i] as ModifiedRow;
    if (next === undefined || row.key < next.key) return row;
  }
  return undefined;
}

function validators(kind: 'zip' | 'csv', headers: Headers): EcosystemCursor {
  const etag = headers.get('etag');
  const lastModified = headers.get('last-modified');
  return {
    ...(etag === null ? {} : { [`${kind}Etag`]: etag }),
    ...(lastModified === null ? {} : { [`${kind}LastModified`]: lastModified }),
  };
}

function baseUrlOf(ctx: FetchContext): string {
  const from = ctx.options.from;
  const base = from !== undefined && /^https?:\/\//i.test(from) ? from : (ctx.options.baseUrl ?? DEFAULT_OSV_BASE_URL);
  return base.replace(/\/+$/, '');
}

async function fetchBucket(ctx: FetchContext): Promise<FetchSummary> {
  const run = new BucketRun(ctx, baseUrlOf(ctx));
  const failures: FeedError[] = [];
  let notModified = true;
  for (const ecosystem of await run.ecosystems()) {
    try {
      const outcome = await run.sync(ecosystem);
      notModified &&= outcome.notModified;
    } catch (error) {
      // One ecosystem failing (a corrupt all.zip) leaves its cursor where it was; the others go on.
      if (!isFeedError(error) || error.code === 'ABORTED' || error.code === 'OFFLINE') throw error;
      ctx.log(`${ecosystem}: failed (${error.code}): ${error.message}`);
      failures.push(error);
      notModified = false;
    }
  }
  const first = failures[0];
  if (first !== undefined) {
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more ecosystem(s) failed)` : '';
    throw new FeedError(first.code, `${first.message}${more}`, { cause: first });
  }
  await run.flush();
  return run.summary(notModified && run.documents === 0);
}

/** The OSV connector's fetch stage. */
export async function fetchOsv(ctx: FetchContext): Promise<FetchSummary> {
  const from = ctx.options.from;
  if (from !== undefined && !/^https?:\/\//i.test(from)) return fetchLocal(ctx, from);
  return fetchBucket(ctx);
}
