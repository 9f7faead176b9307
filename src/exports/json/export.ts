import { canonicalJson } from '../../advisories/index.js';
import type { MappedRecord, Store } from '../../store/index.js';
import { JsonExportError } from './errors.js';
import {
  comparePaths, fullManifest, loadManifest, serializeManifest, sha256Hex,
  type DeltaManifest, type ExportCounts, type ExportManifest, type ManifestFile,
} from './manifest.js';
import { advisoryPath, INDEX_FILE, recordPath } from './paths.js';
import { checkDistinct, describeFile, prepareOutDir, TreeWriter } from './tree.js';

/*
 * The JSON snapshot export (vuln-list style): every mapped source record and every canonical
 * advisory as canonical JSON at a stable path, index.json, and manifest.json last. The store is
 * read a page at a time; only the manifest entries and the index are held in memory. With a base
 * export, only files whose bytes differ from the base's are written (a delta).
 */

export interface JsonExportOptions {
  readonly out: string;
  /** Fallback clock, read only when SOURCE_DATE_EPOCH is unset and the store never merged. */
  readonly now?: () => Date;
  /** Write a delta against this full export. */
  readonly delta?: { readonly base: string };
  /** Default: process.env.SOURCE_DATE_EPOCH. */
  readonly sourceDateEpoch?: string;
  /** Store rows read per round trip. */
  readonly pageSize?: number;
}

export interface JsonExportSummary {
  readonly out: string;
  readonly kind: 'full' | 'delta';
  readonly generatedAt: string;
  readonly counts: ExportCounts;
  /** Files of the full export (manifest.json not included). */
  readonly files: number;
  /** Files written into `out` (manifest.json not included). */
  readonly written: number;
  /** Delta only: base paths the full export no longer has. */
  readonly removed: number;
  /** SHA-256 of the manifest.json written into `out`. */
  readonly manifestSha256: string;
  /** SHA-256 of the full export's manifest.json (equal to manifestSha256 for a full export). */
  readonly fullManifestSha256: string;
}

/** The export clock: SOURCE_DATE_EPOCH, else the last merge, else `now`, else the Unix epoch. */
export function exportTime(sourceDateEpoch: string | undefined, lastMergeAt: string | null, now?: () => Date): string {
  if (sourceDateEpoch !== undefined && sourceDateEpoch !== '') {
    const seconds = /^\d{1,15}$/.test(sourceDateEpoch) ? Number(sourceDateEpoch) : Number.NaN;
    const date = new Date(seconds * 1000);
    if (Number.isNaN(date.getTime())) {
      throw new JsonExportError('BAD_OPTION', `SOURCE_DATE_EPOCH must be whole seconds since 1970, got ${JSON.stringify(sourceDateEpoch)}`);
    }
    return date.toISOString();
  }
  if (lastMergeAt !== null) return new Date(lastMergeAt).toISOString();
  return (now?.() ?? new Date(0)).toISOString();
}

interface IndexAdvisory { key: string; path: string; aliases: string[]; modified: string | null; withdrawn: string | null }
interface IndexRecord { source: string; id: string; path: string }

/** Collects the full export's files and writes those the base does not already have. */
class Sink {
  readonly files: ManifestFile[] = [];
  readonly written: ManifestFile[] = [];

  constructor(private readonly tree: TreeWriter, private readonly base: ReadonlyMap<string, ManifestFile> | undefined) {}

  async put(path: string, text: string, what: string): Promise<void> {
    this.tree.claim(path, what);
    const bytes = Buffer.from(text, 'utf8');
    const file = describeFile(path, bytes);
    this.files.push(file);
    const before = this.base?.get(path);
    if (before !== undefined && before.sha256 === file.sha256 && before.size === file.size) return;
    this.written.push(file);
    await this.tree.write(path, bytes);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new JsonExportError('BAD_RECORD', `${what}: stored JSON does not parse`, { cause: error });
  }
}

/**
 * The record file. The store keeps every mapped advisory as canonical JSON (the pipeline writes it
 * with canonicalJson), so its text is embedded as is, after a parse that proves it is JSON; the
 * wrapper's keys are written in sorted order, keeping the whole file canonical.
 */
function recordDocument(r: MappedRecord): string {
  parseJson(r.advisory, `record ${r.source}/${r.recordId}`);
  const document = canonicalJson({ id: r.documentId, sha256: r.documentSha256, recordedAt: r.recordedAt });
  return `{"advisory":${r.advisory},"document":${document},"recordId":${JSON.stringify(r.recordId)},` +
    `"schemaVersion":1,"source":${JSON.stringify(r.source)}}`;
}

/** Reads pages of `limit` rows, asking for the next page before the caller handles this one. */
async function forEachPage<T>(read: (after: T | null) => Promise<T[]>, limit: number, handle: (page: T[]) => Promise<void>): Promise<void> {
  let next = read(null);
  for (;;) {
    const page = await next;
    const last = page[page.length - 1];
    const more = last !== undefined && page.length >= limit;
    if (more) next = read(last);
    try {
      await handle(page);
    } catch (error) {
      if (more) await next.catch(() => undefined);
      throw error;
    }
    if (!more) return;
  }
}

async function exportRecords(store: Store, sink: Sink, index: IndexRecord[], pageSize: number): Promise<void> {
  const read = (after: MappedRecord | null) =>
    store.listMappedRecords(after === null ? null : { source: after.source, recordId: after.recordId }, pageSize);
  await forEachPage(read, pageSize, async (page) => {
    await Promise.all(page.map((r) => {
      const path = recordPath(r.source, r.recordId);
      index.push({ source: r.source, id: r.recordId, path });
      return sink.put(path, recordDocument(r), `record ${r.source}/${r.recordId}`);
    }));
  });
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function fieldValue(value: unknown): string | null {
  const inner = typeof value === 'object' && value !== null ? (value as { value?: unknown }).value : undefined;
  return typeof inner === 'string' ? inner : null;
}

/** Advisory files are the store's canonical JSON, byte for byte (so their SHA-256 is the store's). */
async function exportAdvisories(store: Store, sink: Sink, index: IndexAdvisory[], pageSize: number): Promise<void> {
  type Row = { key: string; json: string };
  const read = (after: Row | null) => store.listAdvisories(after === null ? null : after.key, pageSize);
  await forEachPage<Row>(read, pageSize, async (page) => {
    await Promise.all(page.map((row) => {
      const advisory = parseJson(row.json, `advisory ${row.key}`) as Record<string, unknown>;
      const path = advisoryPath(row.key);
      index.push({
        key: row.key, path, aliases: stringList(advisory.aliases),
        modified: fieldValue(advisory.modified), withdrawn: fieldValue(advisory.withdrawn),
      });
      return sink.put(path, row.json, `advisory ${row.key}`);
    }));
  });
}

function countsOf(advisories: readonly IndexAdvisory[], records: readonly IndexRecord[]): ExportCounts {
  const perSource = new Map<string, number>();
  for (const r of records) perSource.set(r.source, (perSource.get(r.source) ?? 0) + 1);
  return {
    advisories: advisories.length,
    withdrawn: advisories.filter((a) => a.withdrawn !== null).length,
    records: records.length,
    sources: [...perSource].sort((a, b) => comparePaths(a[0], b[0])).map(([source, n]) => ({ source, records: n })),
  };
}

function indexDocument(advisories: IndexAdvisory[], records: IndexRecord[]): string {
  advisories.sort((a, b) => comparePaths(a.key, b.key));
  records.sort((a, b) => comparePaths(a.source, b.source) || comparePaths(a.id, b.id));
  return canonicalJson({ formatVersion: 1, advisories, records });
}

async function loadBase(dir: string): Promise<{ sha256: string; generatedAt: string; files: Map<string, ManifestFile> }> {
  const { manifest, sha256 } = await loadManifest(dir);
  if (manifest.kind !== 'full') {
    throw new JsonExportError('WRONG_KIND', `${dir} holds a delta export: a delta's base must be a full export (apply it first)`);
  }
  return { sha256, generatedAt: manifest.generatedAt, files: new Map(manifest.files.map((f) => [f.path, f])) };
}

type Base = Awaited<ReturnType<typeof loadBase>>;

/** The manifest to write (the full one, or the delta against `base`) and the full one's digest. */
function manifestsFor(generatedAt: string, counts: ExportCounts, sink: Sink, base: Base | undefined) {
  const full = fullManifest(generatedAt, counts, sink.files);
  const fullSha256 = sha256Hex(serializeManifest(full));
  if (base === undefined) return { manifest: full as ExportManifest, fullSha256, removed: [] };
  const present = new Set(sink.files.map((f) => f.path));
  const removed = [...base.files.keys()].filter((p) => !present.has(p)).sort(comparePaths);
  const delta: DeltaManifest = {
    ...fullManifest(generatedAt, counts, sink.written), kind: 'delta',
    base: { manifestSha256: base.sha256, generatedAt: base.generatedAt },
    full: { manifestSha256: fullSha256 },
    removed,
  };
  return { manifest: delta as ExportManifest, fullSha256, removed };
}

/** Exports the store's mapped records and canonical advisories into `options.out` (new or empty). */
export async function exportJsonSnapshot(store: Store, options: JsonExportOptions): Promise<JsonExportSummary> {
  const pageSize = options.pageSize ?? 500;
  const mergedAt = await store.lastMergeAt();
  const generatedAt = exportTime(options.sourceDateEpoch ?? process.env.SOURCE_DATE_EPOCH, mergedAt, options.now);
  if (options.delta !== undefined) checkDistinct(options.out, [options.delta.base]);
  const base = options.delta === undefined ? undefined : await loadBase(options.delta.base);
  await prepareOutDir(options.out);
  const tree = new TreeWriter(options.out);
  const sink = new Sink(tree, base?.files);
  const records: IndexRecord[] = [];
  const advisories: IndexAdvisory[] = [];
  await exportRecords(store, sink, records, pageSize);
  await exportAdvisories(store, sink, advisories, pageSize);
  await sink.put(INDEX_FILE, indexDocument(advisories, records), 'the index');
  if ((await store.lastMergeAt()) !== mergedAt) {
    throw new JsonExportError('STORE_CHANGED', 'the store merged during the export; run it again (no manifest was written)');
  }
  const { manifest, fullSha256, removed } = manifestsFor(generatedAt, countsOf(advisories, records), sink, base);
  const bytes = serializeManifest(manifest);
  await tree.writeManifest(bytes);
  return {
    out: options.out, kind: manifest.kind, generatedAt, counts: manifest.counts,
    files: sink.files.length, written: sink.written.length, removed: removed.length,
    manifestSha256: sha256Hex(bytes), fullManifestSha256: fullSha256,
  };
}
