import type { Provenance, SourceAdvisory } from '../advisories/index.js';
import type { JsonValue, RawDocument } from '../store/index.js';
import type { HttpClient, HttpClientOptions } from './http.js';

/*
 * The Connector seam (Concelier). A connector has three stages:
 *   fetch — reach the upstream (or a local mirror given by `--from`) and store every document raw;
 *   parse — split one raw document into records (pure: bytes in, JSON DTOs out);
 *   map   — turn one DTO into a SourceAdvisory (pure).
 * The pipeline (pipeline.ts) runs them together or one at a time and keeps the per-source state;
 * the store keeps raw documents, parsed records and mapped advisories, so every stage can resume.
 */

export interface FeedDocument {
  /** Stable identity within the source: an archive entry path, an API page key, a record id. */
  readonly documentId: string;
  readonly url: string | null;
  readonly contentType: string | null;
  readonly body: Uint8Array;
}

export interface ConnectorOptions {
  /** Upstream base URL override (mirrors, tests). Each connector documents its default. */
  readonly baseUrl?: string;
  /** Read from a local directory, zip or file (or another URL) instead of the upstream API. */
  readonly from?: string;
  /** GHSA: GitHub token (sent as `Authorization: Bearer …`). */
  readonly token?: string;
  /** GHSA `--from` a clone: also read `advisories/unreviewed/`. */
  readonly includeUnreviewed?: boolean;
  /** NVD: API key (sent as the `apiKey` header). */
  readonly apiKey?: string;
  /** OSV: restrict to these ecosystems (default: every ecosystem the bucket lists). */
  readonly ecosystems?: readonly string[];
  /** Initial cursor for a first run (ISO-8601), e.g. NVD's first lastModStartDate. */
  readonly since?: string;
}

export interface FetchContext {
  readonly source: string;
  readonly http: HttpClient;
  readonly options: ConnectorOptions;
  /** The cursor saved by the last successful checkpoint (null on the first run). */
  readonly cursor: JsonValue;
  /** Injected clock: never read the wall clock in a connector. */
  readonly now: () => Date;
  /** Scratch directory for this source (spooled downloads); exists; under $STELLA_HOME. */
  readonly workDir: string;
  /** Stores one fetched document raw. Storing identical bytes again is a no-op (inserted: false). */
  putDocument(doc: FeedDocument): Promise<{ inserted: boolean; sha256: string }>;
  /** Many documents in one store round trip (bulk sources: archive entries); same results, in order. */
  putDocuments?(docs: readonly FeedDocument[]): Promise<{ inserted: boolean; sha256: string }[]>;
  /**
   * Checkpoints the cursor. Call only once every document the new cursor covers is stored: a crash
   * after it must not skip anything, a crash before it only repeats work.
   */
  saveCursor(cursor: JsonValue): Promise<void>;
  /** Records a problem with one record or entry (then carry on with the rest). */
  recordError(documentId: string, recordId: string | null, message: string): Promise<void>;
  /** Progress for humans (stderr). */
  log(message: string): void;
  readonly signal?: AbortSignal;
}

export interface FetchSummary {
  /** Documents seen (stored or already present). */
  readonly documents: number;
  /** Documents whose bytes were new. */
  readonly inserted: number;
  /** True when the upstream said nothing changed (304, or an unchanged cursor). */
  readonly notModified?: boolean;
}

export interface ParsedRecord {
  /** The record's id within the source (GHSA-…, CVE-…); records with the same id replace each other. */
  readonly recordId: string;
  /** The record as plain JSON, ready for `map`. */
  readonly dto: JsonValue;
}

export interface RecordError {
  readonly recordId: string | null;
  readonly message: string;
}

export interface ParseOutcome {
  readonly records: readonly ParsedRecord[];
  /** Records that could not be read; the others still count. */
  readonly errors: readonly RecordError[];
}

export interface Connector {
  /** 'osv' | 'ghsa' | 'nvd' | … — the `--source` name and the store's source key. */
  readonly name: string;
  readonly description: string;
  /** HTTP settings this source needs (e.g. NVD's request spacing, which depends on the API key). */
  httpOptions?(options: ConnectorOptions): Partial<HttpClientOptions>;
  fetch(ctx: FetchContext): Promise<FetchSummary>;
  /** Pure. Throws FeedError('MALFORMED_DOCUMENT') when the whole document is unreadable. */
  parse(doc: RawDocument): ParseOutcome;
  /** Pure. Throws FeedError('MALFORMED_RECORD') when the record cannot be mapped. */
  map(dto: JsonValue, provenance: Provenance): SourceAdvisory;
}

/** Stores `docs` with one round trip when the context can, else one by one. */
export async function putAll(ctx: FetchContext, docs: readonly FeedDocument[]): Promise<{ inserted: boolean; sha256: string }[]> {
  if (docs.length === 0) return [];
  if (ctx.putDocuments !== undefined) return ctx.putDocuments(docs);
  const out: { inserted: boolean; sha256: string }[] = [];
  for (const doc of docs) out.push(await ctx.putDocument(doc));
  return out;
}

/**
 * Buffers documents and stores them `size` at a time through putAll, counting what was seen and
 * what was new. Call flush() before every cursor checkpoint and at the end of a run: a crash before
 * a flush only means those documents are fetched again.
 */
export class DocumentBatch {
  documents = 0;
  inserted = 0;
  private pending: FeedDocument[] = [];

  constructor(private readonly ctx: FetchContext, private readonly size = 100) {}

  async add(doc: FeedDocument): Promise<void> {
    this.pending.push(doc);
    if (this.pending.length >= this.size) await this.flush();
  }

  async flush(): Promise<void> {
    const docs = this.pending;
    this.pending = [];
    for (const result of await putAll(this.ctx, docs)) {
      this.documents++;
      if (result.inserted) this.inserted++;
    }
  }
}
