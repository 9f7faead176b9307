import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, type Provenance } from '../advisories/index.js';
import type { JsonValue, ParsedDocumentInput, SourceState, SourceStateInput, Store } from '../store/index.js';
import type { Connector, ConnectorOptions, FetchContext, FetchSummary } from './connector.js';
import { FeedError, isFeedError } from './errors.js';
import { createHttpClient, type HttpClientOptions } from './http.js';

/*
 * Runs one connector's stages against the store. Each stage reads what the previous one stored and
 * marks what it finished in the same transaction as its output, so a kill at any point leaves a
 * consistent store, and the next run carries on where this one stopped:
 *   fetch → raw_documents (status pending); the cursor moves only at the connector's checkpoints;
 *   parse → source_records (status parsed), the document marked parsed / failed;
 *   map   → source_records.advisory (status mapped / failed).
 * A failed fetch counts against the source (failure count, last error, exponential back-off); the
 * documents it did store are still parsed and mapped, so nothing fetched is lost.
 */

export type Stage = 'fetch' | 'parse' | 'map';
export const STAGES: readonly Stage[] = ['fetch', 'parse', 'map'];

export interface RunSourceOptions {
  /** Default: every stage, in order. */
  readonly stages?: readonly Stage[];
  readonly connectorOptions?: ConnectorOptions;
  /** $STELLA_HOME: spooled downloads go to `<home>/feeds/<source>/`. */
  readonly stellaHome: string;
  readonly now?: () => Date;
  /** Overrides for the HTTP client (tests inject `sleep` and `now`; `offline` forbids the network). */
  readonly http?: HttpClientOptions;
  /** Run even while the source is backing off after failures. */
  readonly force?: boolean;
  readonly log?: (message: string) => void;
  readonly signal?: AbortSignal;
  /** Documents parsed / records mapped per transaction. */
  readonly batchSize?: number;
}

export interface ParseSummary {
  readonly documents: number;
  readonly failedDocuments: number;
  readonly records: number;
  readonly changedRecords: number;
  readonly recordErrors: number;
}

export interface MapSummary {
  readonly records: number;
  readonly failed: number;
}

export interface RunSourceResult {
  readonly source: string;
  /** Set when the run was skipped because the source is backing off. */
  readonly skipped?: string;
  readonly fetch?: FetchSummary;
  readonly parse?: ParseSummary;
  readonly map?: MapSummary;
  /** The fetch failure, when there was one. */
  readonly error?: { readonly code: string; readonly message: string };
}

const BACKOFF_BASE_MS = 5 * 60_000;
const BACKOFF_MAX_MS = 24 * 60 * 60_000;

/** Back-off after the n-th consecutive failure: 5 min · 2^(n-1), at most a day. */
export function backoffAfter(failures: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
}

export async function runSource(store: Store, connector: Connector, options: RunSourceOptions): Promise<RunSourceResult> {
  const stages = options.stages ?? STAGES;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  const source = connector.name;
  let fetchSummary: FetchSummary | undefined;
  let error: RunSourceResult['error'];

  if (stages.includes('fetch')) {
    const state = await store.getSourceState(source);
    const until = state?.backoffUntil ?? null;
    if (options.force !== true && until !== null && Date.parse(until) > now().getTime()) {
      const skipped = `backing off after ${state?.failureCount ?? 0} failure(s) until ${until} (last error: ${state?.lastError ?? 'unknown'}); use --force to run now`;
      log(`${source}: ${skipped}`);
      return { source, skipped };
    }
    try {
      fetchSummary = await fetchStage(store, connector, options, state, now, log);
      await updateState(store, source, () => ({ lastSuccess: now(), lastError: null, failureCount: 0, backoffUntil: null }));
    } catch (cause) {
      const code = isFeedError(cause) ? cause.code : 'INTERNAL';
      const message = cause instanceof Error ? cause.message : String(cause);
      error = { code, message };
      let backoffUntil = now();
      await updateState(store, source, (current) => {
        const failureCount = (current?.failureCount ?? 0) + 1;
        backoffUntil = new Date(now().getTime() + backoffAfter(failureCount));
        return { lastError: `${code}: ${message}`, failureCount, backoffUntil };
      });
      log(`${source}: fetch failed (${code}): ${message}; next attempt after ${backoffUntil.toISOString()}`);
      if (isFeedError(cause) && cause.code === 'ABORTED') return { source, error };
    }
  }
  const parse = stages.includes('parse') ? await parseStage(store, connector, options, log) : undefined;
  const map = stages.includes('map') ? await mapStage(store, connector, options, log) : undefined;
  return {
    source,
    ...(fetchSummary === undefined ? {} : { fetch: fetchSummary }),
    ...(parse === undefined ? {} : { parse }),
    ...(map === undefined ? {} : { map }),
    ...(error === undefined ? {} : { error }),
  };
}

async function fetchStage(
  store: Store,
  connector: Connector,
  options: RunSourceOptions,
  state: SourceState | undefined,
  now: () => Date,
  log: (message: string) => void,
): Promise<FetchSummary> {
  const source = connector.name;
  const connectorOptions = withUrlAsBase(options.connectorOptions ?? {});
  const workDir = join(options.stellaHome, 'feeds', source);
  mkdirSync(workDir, { recursive: true });
  const http = createHttpClient({
    now,
    log,
    ...(connector.httpOptions?.(connectorOptions) ?? {}),
    ...(options.http ?? {}),
  });
  const ctx: FetchContext = {
    source,
    http,
    options: connectorOptions,
    cursor: state?.cursor ?? null,
    now,
    workDir,
    async putDocument(doc) {
      const result = await store.putRawDocument({
        source,
        documentId: doc.documentId,
        url: doc.url,
        contentType: doc.contentType,
        body: doc.body,
        fetchedAt: now(),
      });
      return { inserted: result.inserted, sha256: result.sha256 };
    },
    async putDocuments(docs) {
      const at = now();
      const results = await store.putRawDocuments(
        docs.map((doc) => ({ source, documentId: doc.documentId, url: doc.url, contentType: doc.contentType, body: doc.body, fetchedAt: at })),
      );
      return results.map((r) => ({ inserted: r.inserted, sha256: r.sha256 }));
    },
    async saveCursor(next) {
      await updateState(store, source, () => ({ cursor: next }));
    },
    recordError: (documentId, recordId, message) => store.recordParseError({ source, documentId, recordId, message }),
    log: (message) => log(message.startsWith(`${source}:`) ? message : `${source}: ${message}`),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  log(`${source}: fetching${connectorOptions.from === undefined ? '' : ` from ${connectorOptions.from}`}`);
  const summary = await connector.fetch(ctx);
  log(`${source}: fetched ${summary.documents} document(s), ${summary.inserted} new${summary.notModified === true ? ' (not modified)' : ''}`);
  return summary;
}

async function parseStage(
  store: Store,
  connector: Connector,
  options: RunSourceOptions,
  log: (message: string) => void,
): Promise<ParseSummary> {
  const source = connector.name;
  const batch = options.batchSize ?? 200;
  let afterId = 0;
  let documents = 0;
  let failedDocuments = 0;
  let records = 0;
  let changedRecords = 0;
  let recordErrors = 0;
  for (;;) {
    checkAborted(options.signal);
    const docs = await store.listPendingDocuments(source, afterId, batch);
    if (docs.length === 0) break;
    const parsed: ParsedDocumentInput[] = [];
    for (const doc of docs) {
      afterId = doc.id;
      documents += 1;
      try {
        const outcome = connector.parse(doc);
        for (const e of outcome.errors) {
          recordErrors += 1;
          await store.recordParseError({ source, documentId: doc.documentId, recordId: e.recordId, message: `parse: ${e.message}` });
        }
        records += outcome.records.length;
        parsed.push({
          documentRowId: doc.id,
          status: 'parsed',
          records: outcome.records.map((r) => ({
            source,
            recordId: r.recordId,
            documentId: doc.documentId,
            documentSha256: doc.sha256,
            recordedAt: doc.fetchedAt,
            dto: canonicalJson(r.dto),
          })),
        });
      } catch (cause) {
        failedDocuments += 1;
        const message = cause instanceof Error ? cause.message : String(cause);
        await store.recordParseError({ source, documentId: doc.documentId, recordId: null, message: `parse: ${message}` });
        parsed.push({ documentRowId: doc.id, status: 'failed', records: [] });
      }
    }
    // One transaction for the batch: its records and the documents' new status together.
    changedRecords += (await store.putParsedDocuments(parsed)).changed;
    log(`${source}: parsed ${documents} document(s), ${records} record(s)`);
  }
  return { documents, failedDocuments, records, changedRecords, recordErrors };
}

async function mapStage(
  store: Store,
  connector: Connector,
  options: RunSourceOptions,
  log: (message: string) => void,
): Promise<MapSummary> {
  const source = connector.name;
  const batch = (options.batchSize ?? 200) * 5;
  let after: string | null = null;
  let count = 0;
  let failed = 0;
  for (;;) {
    checkAborted(options.signal);
    const rows = await store.listRecordsToMap(source, after, batch);
    if (rows.length === 0) break;
    const results = [];
    for (const row of rows) {
      after = row.recordId;
      count += 1;
      const provenance: Provenance = {
        source,
        documentId: row.documentId,
        documentSha256: row.documentSha256,
        recordedAt: row.recordedAt,
      };
      try {
        const advisory = connector.map(JSON.parse(row.dto) as JsonValue, provenance);
        results.push({
          source,
          recordId: row.recordId,
          advisory: canonicalJson(advisory),
          ids: [advisory.id, ...advisory.aliases.filter((a) => a !== advisory.id)],
          upstream: [...advisory.upstream],
        });
      } catch (cause) {
        failed += 1;
        const message = cause instanceof Error ? cause.message : String(cause);
        await store.recordParseError({ source, documentId: row.documentId, recordId: row.recordId, message: `map: ${message}` });
        results.push({ source, recordId: row.recordId, advisory: null, ids: [row.recordId], upstream: [], error: message });
      }
    }
    await store.putMappedRecords(results);
    log(`${source}: mapped ${count} record(s)${failed > 0 ? `, ${failed} failed` : ''}`);
  }
  return { records: count, failed };
}

/** Rewrites a source's state row with the fields `change` returns (the store writes whole rows). */
async function updateState(
  store: Store,
  source: string,
  change: (current: SourceState | undefined) => Omit<SourceStateInput, 'source'>,
): Promise<void> {
  const current = await store.getSourceState(source);
  const date = (value: string | null | undefined): Date | null => (value === null || value === undefined ? null : new Date(value));
  await store.putSourceState({
    source,
    cursor: current?.cursor ?? null,
    lastSuccess: date(current?.lastSuccess),
    lastError: current?.lastError ?? null,
    failureCount: current?.failureCount ?? 0,
    backoffUntil: date(current?.backoffUntil),
    ...change(current),
  });
}

/** `--from https://…` names a mirror of the upstream layout: it is the base URL, not a local path. */
function withUrlAsBase(options: ConnectorOptions): ConnectorOptions {
  if (options.from === undefined || !/^https?:\/\//i.test(options.from)) return options;
  const { from, ...rest } = options;
  return { ...rest, baseUrl: from };
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new FeedError('ABORTED', 'the run was aborted');
}
