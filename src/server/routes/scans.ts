import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import { Type, type Static, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Inventory } from '../../inventory/index.js';
import type { Finding } from '../../match/index.js';
import {
  filterFindings, isReportFormat, parseIgnoreFile, parseOpenVex, parseSeverities, REPORT_FORMATS, writeReport, type FilterOptions, type ReportFormat,
} from '../../report/index.js';
import { SBOM_WRITE_FORMATS, writeSbom, type SbomWriteFormat } from '../../sbom/index.js';
import { isSbomType, SBOM_FAMILIES, SCAN_JOB_KIND, type ScanJobInput } from '../../scan/index.js';
import { isStoreError, type ScanInputKind, type ScanRecord, type Store } from '../../store/index.js';
import type { QuotaDecision, ServerContext, ServerPart } from '../context.js';
import { ApiError } from '../errors.js';
import { applyQuota } from '../quota/index.js';

/*
 * Scans (issue 8):
 *   POST /api/v1/scans                  an image archive (raw body or multipart), {"image": ref}, or an SBOM → 202
 *                                       (?wait=N: 200 once the scan finished within N seconds)
 *   GET  /api/v1/scans                  the caller's scans, newest first, paged (admins: everyone's)
 *   GET  /api/v1/scans/{id}             one scan: status, summary
 *   GET  /api/v1/scans/{id}/findings    its findings, filtered as `stella scan` filters, in any report format
 *   GET  /api/v1/scans/{id}/sbom        its packages as CycloneDX 1.6, SPDX 2.3 or SPDX 3.0.1
 * The API process only streams the upload into the store (chunked blob), writes the scan row and
 * queues a `scan` job; whichever worker claims the job reads the blob back from the store.
 */

/** Queues a job and returns its id: the job queue's enqueue, wired by whoever builds the parts. */
export type EnqueueScanJob = (kind: typeof SCAN_JOB_KIND, payload: { scanId: string }, options: { dedupeKey: string }) => Promise<{ id: string | number }>;

export interface ScanRoutesOptions {
  enqueue: EnqueueScanJob;
  /** The tool version written into reports and SBOMs. */
  toolVersion: string;
  /** false: refuse `{"image": ref}` (a server that must not reach registries). Default true. */
  registryScans?: boolean;
  /** How many parsed scan results this process keeps for repeated GETs (default 8; 0: none). */
  resultCacheEntries?: number;
  /** Bytes of rendered reports and SBOMs this process keeps for repeated GETs (default 64 MiB; 0: none). */
  renderCacheBytes?: number;
  /** Upload chunk size in the store (default 1 MiB). */
  uploadChunkSize?: number;
}

const errorRef = Type.Ref('ApiError');

/** A JSON body up to this size may be `{"image": …}`; anything larger is an SBOM. */
const IMAGE_REQUEST_MAX = 64 * 1024;

const IMAGE_TYPES = new Set(['application/x-tar', 'application/octet-stream', 'application/vnd.oci.image.layout.v1+tar', 'application/gzip', 'application/x-gzip']);
const SBOM_TYPES = new Set([
  'application/vnd.cyclonedx+json', 'application/vnd.cyclonedx+xml', 'application/spdx+json', 'text/spdx', 'application/ld+json',
  'application/xml', 'text/xml', 'text/plain',
]);

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]{0,511}$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

const Summary = Type.Object({
  packages: Type.Integer(),
  findings: Type.Integer({ description: 'before filters' }),
  bySeverity: Type.Record(Type.String(), Type.Integer()),
  advisories: Type.Integer({ description: 'candidate advisories matched against' }),
  issues: Type.Integer({ description: 'problems that lost part of the inventory (a bad layer, file or record)' }),
});

const ScanView = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  target: Type.String(),
  inputKind: Type.Union([Type.Literal('upload'), Type.Literal('registry'), Type.Literal('sbom')]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Union([Summary, Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  links: Type.Object({ self: Type.String(), findings: Type.String(), sbom: Type.String() }),
});

const ScanEnvelope = Type.Object({ scan: ScanView });
const ScanList = Type.Object({
  scans: Type.Array(ScanView),
  next: Type.Union([Type.String(), Type.Null()], { description: 'pass as `cursor` for the next page; null on the last' }),
});

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Longest `?wait=` a submission may hold its connection for, in seconds. */
export const MAX_WAIT_SECONDS = 300;

const PostQuery = Type.Object({
  platform: Type.Optional(Type.String({ pattern: PLATFORM.source, description: 'os/arch[/variant] to pick from a multi-platform image (default linux/amd64)' })),
  // Optional (ajv fills the default): a required property would be listed as a required
  // parameter in OpenAPI although clients may leave it out.
  wait: Type.Optional(Type.Integer({
    minimum: 0, maximum: MAX_WAIT_SECONDS, default: 0,
    description: `Seconds (0–${MAX_WAIT_SECONDS}) to wait for the scan to finish before answering: 200 with the finished scan (status done or failed), or 202 as without it when the time is up or the server shuts down. 0: answer 202 at once.`,
  })),
}, { additionalProperties: false });

/** Poll interval while waiting for a scan: short first (small SBOMs finish fast), then at most this. */
const WAIT_POLL_MS = { first: 50, max: 500 } as const;

/**
 * Waits for scan `id` to finish, polling the store (on PostgreSQL other processes run the jobs).
 * Gives up after `seconds` by the context's clock or once the waits it slept add up to that (so a
 * test's instant sleep cannot spin forever), or when `gone()` says to stop (the client left, the
 * server is closing).
 */
export async function waitForScan(ctx: Pick<ServerContext, 'store' | 'now' | 'sleep'>, id: string, seconds: number, gone: () => boolean): Promise<ScanRecord | undefined> {
  const budget = seconds * 1000;
  const deadline = ctx.now().getTime() + budget;
  let slept = 0;
  let interval: number = WAIT_POLL_MS.first;
  for (;;) {
    const scan = await ctx.store.scans.getScan(id);
    if (scan !== undefined && (scan.status === 'done' || scan.status === 'failed')) return scan;
    const left = Math.min(deadline - ctx.now().getTime(), budget - slept);
    if (left <= 0 || gone()) return undefined;
    const pause = Math.min(interval, left);
    await ctx.sleep(pause);
    slept += pause;
    interval = Math.min(interval * 2, WAIT_POLL_MS.max);
  }
}

const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
}, { additionalProperties: false });

const FindingsQuery = Type.Object({
  format: Type.Union(REPORT_FORMATS.map((f) => Type.Literal(f)), { default: 'json' }),
  severity: Type.Optional(Type.String({ maxLength: 100, description: 'comma list, e.g. CRITICAL,HIGH (as --severity)' })),
  ignoreUnfixed: Type.Boolean({ default: false, description: 'drop findings without a fixed version (as --ignore-unfixed)' }),
}, { additionalProperties: false });

const FindingsBody = Type.Object({
  ...FindingsQuery.properties,
  ignoreFile: Type.Optional(Type.String({ maxLength: 1024 * 1024, description: 'the text of a .trivyignore (plain or YAML), as --ignore-file; expiry is judged at request time' })),
  vex: Type.Optional(Type.String({ maxLength: 4 * 1024 * 1024, description: 'an OpenVEX 0.2 document (JSON text), as --vex' })),
}, { additionalProperties: false });

const SbomQuery = Type.Object({
  format: Type.Union(SBOM_WRITE_FORMATS.map((f) => Type.Literal(f)), { default: 'cyclonedx' }),
}, { additionalProperties: false });

const REPORT_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: 'application/json; charset=utf-8',
  'trivy-json': 'application/json; charset=utf-8',
  sarif: 'application/sarif+json; charset=utf-8',
  cyclonedx: 'application/vnd.cyclonedx+json; charset=utf-8',
  table: 'text/plain; charset=utf-8',
};

const SBOM_CONTENT_TYPES: Readonly<Record<SbomWriteFormat, string>> = {
  cyclonedx: 'application/vnd.cyclonedx+json; charset=utf-8',
  'spdx-json': 'application/spdx+json; charset=utf-8',
  'spdx3-json': 'application/ld+json; charset=utf-8',
};

const scanPath = (id: string): string => `/api/v1/scans/${id}`;

function view(scan: ScanRecord): Static<typeof ScanView> {
  return {
    id: scan.id,
    status: scan.status,
    target: scan.target,
    inputKind: scan.inputKind,
    createdAt: scan.createdAt,
    startedAt: scan.startedAt,
    finishedAt: scan.finishedAt,
    summary: scan.summary as Static<typeof Summary> | null,
    error: scan.error,
    links: { self: scanPath(scan.id), findings: `${scanPath(scan.id)}/findings`, sbom: `${scanPath(scan.id)}/sbom` },
  };
}

/**
 * The scan quota, in one place: counts the scan, sets X-Stella-Quota-* headers, waits when
 * throttled, throws 429 (Retry-After) past the limit. (The quota part's applyQuota.)
 */
export function scanQuota(request: FastifyRequest, reply: FastifyReply, ctx: ServerContext): Promise<QuotaDecision> {
  return applyQuota(request, reply, ctx);
}

// ---------------------------------------------------------------- request bodies

function mediaType(request: FastifyRequest): string {
  const header = request.headers['content-type'];
  return (typeof header === 'string' ? header : '').split(';')[0]!.trim().toLowerCase();
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** A display name from Content-Disposition / multipart: the base name, printable, at most 200 characters. */
function cleanName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const base = raw.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean === '' ? undefined : clean;
}

function dispositionName(request: FastifyRequest): string | undefined {
  const value = header(request, 'content-disposition');
  const match = value === undefined ? null : /filename\s*=\s*"?([^";]+)"?/i.exec(value);
  return cleanName(match?.[1]);
}

function sbomTypeOf(request: FastifyRequest): string | undefined {
  const value = header(request, 'x-stella-sbom-type')?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (!isSbomType(value)) {
    throw new ApiError('VALIDATION', `X-Stella-Sbom-Type ${JSON.stringify(value)} is none of ${SBOM_FAMILIES.join(', ')} (or an exact input format)`);
  }
  return value;
}

/** The first `limit` bytes of a stream (fewer when it ends first), and the whole stream as an iterable. */
async function peek(stream: AsyncIterable<Uint8Array>, limit: number): Promise<{ head: Buffer; ended: boolean; all: AsyncIterable<Uint8Array> }> {
  const iterator = stream[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size <= limit) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    const part = Buffer.from(next.value);
    parts.push(part);
    size += part.length;
  }
  const head = Buffer.concat(parts);
  const all: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      if (head.length > 0) yield head;
      if (ended) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) return;
        yield next.value;
      }
    },
  };
  return { head, ended, all };
}

/** `{"image": "ref"}` (optionally with "platform"), else undefined. */
function imageRequest(head: Buffer): { image: string; platform?: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(head.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('image' in value)) return undefined;
  const o = value as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'image' && k !== 'platform');
  if (extra.length > 0) throw new ApiError('VALIDATION', `unknown key ${JSON.stringify(extra[0])} in an image scan request (image, platform)`);
  if (typeof o.image !== 'string' || !REFERENCE.test(o.image)) throw new ApiError('VALIDATION', '"image" must be a registry reference such as "registry.example.com/app:1.2"');
  if (o.platform !== undefined && (typeof o.platform !== 'string' || !PLATFORM.test(o.platform))) throw new ApiError('VALIDATION', '"platform" must be os/arch[/variant]');
  return { image: o.image, ...(typeof o.platform === 'string' ? { platform: o.platform } : {}) };
}

interface Accepted {
  target: string;
  inputKind: ScanInputKind;
  input: ScanJobInput;
  blobId: string | null;
}

async function storeUpload(store: Store, source: AsyncIterable<Uint8Array>, maxBytes: number, chunkSize: number | undefined): Promise<string> {
  let blob;
  try {
    blob = await store.scans.writeBlob(source, { maxBytes, ...(chunkSize === undefined ? {} : { chunkSize }) });
  } catch (error) {
    if (isStoreError(error) && error.code === 'TOO_LARGE') throw tooLarge(maxBytes);
    if ((error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
    throw error;
  }
  if (blob.size === 0) {
    await store.scans.deleteBlob(blob.id);
    throw new ApiError('BAD_REQUEST', 'the upload is empty');
  }
  return blob.id;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', `the upload exceeds the ${maxBytes}-byte limit`, { details: { limit: maxBytes }, headers: { connection: 'close' } });
}

async function acceptMultipart(request: FastifyRequest, store: Store, maxBytes: number, chunkSize: number | undefined, platform: string | undefined): Promise<Accepted> {
  const part = await request.file({ limits: { fileSize: maxBytes + 1, files: 1, fields: 4, parts: 5 } });
  if (part === undefined) throw new ApiError('VALIDATION', 'the multipart body has no file part (name it "image" or "sbom")');
  if (part.fieldname !== 'image' && part.fieldname !== 'sbom') {
    throw new ApiError('VALIDATION', `multipart file part ${JSON.stringify(part.fieldname)}: name it "image" (docker-archive or OCI archive) or "sbom"`);
  }
  const blobId = await storeUpload(store, part.file, maxBytes, chunkSize);
  if (part.file.truncated) {
    await store.scans.deleteBlob(blobId);
    throw tooLarge(maxBytes);
  }
  const name = cleanName(part.filename);
  if (part.fieldname === 'sbom') {
    const type = sbomTypeOf(request);
    return sbomAccepted(blobId, name, type);
  }
  return imageAccepted(blobId, name, platform);
}

function sbomAccepted(blobId: string, name: string | undefined, type: string | undefined): Accepted {
  return {
    target: `sbom:${name ?? 'upload'}`,
    inputKind: 'sbom',
    input: { kind: 'sbom', blobId, ...(type === undefined ? {} : { type }), ...(name === undefined ? {} : { name }) },
    blobId,
  };
}

function imageAccepted(blobId: string, name: string | undefined, platform: string | undefined): Accepted {
  return {
    target: `upload:${name ?? 'image.tar'}`,
    inputKind: 'upload',
    input: { kind: 'upload', blobId, ...(name === undefined ? {} : { name }), ...(platform === undefined ? {} : { platform }) },
    blobId,
  };
}

async function accept(request: FastifyRequest, ctx: ServerContext, options: ScanRoutesOptions, platform: string | undefined): Promise<Accepted> {
  const max = ctx.maxUploadBytes;
  const declared = Number(header(request, 'content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  const type = mediaType(request);
  const chunkSize = options.uploadChunkSize;
  if (type === 'multipart/form-data') return acceptMultipart(request, ctx.store, max, chunkSize, platform);
  const body = request.body as Readable | undefined | null;
  if (body === undefined || body === null) throw new ApiError('BAD_REQUEST', 'the request has no body');
  const sbomType = sbomTypeOf(request);
  const name = dispositionName(request);
  if (sbomType === undefined && IMAGE_TYPES.has(type)) return imageAccepted(await storeUpload(ctx.store, body, max, chunkSize), name, platform);
  if (sbomType !== undefined || SBOM_TYPES.has(type) || type === 'application/json') {
    const { head, ended, all } = await peek(body, Math.min(IMAGE_REQUEST_MAX, max));
    const wanted = sbomType === undefined && type === 'application/json' && ended ? imageRequest(head) : undefined;
    if (wanted !== undefined) {
      if (options.registryScans === false) throw new ApiError('FORBIDDEN', 'this server does not scan registry images; upload the image archive instead');
      return {
        target: `registry:${wanted.image}`,
        inputKind: 'registry',
        input: { kind: 'registry', reference: wanted.image, ...(wanted.platform ?? platform) === undefined ? {} : { platform: wanted.platform ?? platform } },
        blobId: null,
      };
    }
    return sbomAccepted(await storeUpload(ctx.store, all, max, chunkSize), name, sbomType);
  }
  throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(type)}: send an image archive (application/x-tar, application/octet-stream or multipart/form-data), {"image": "ref"} as application/json, or an SBOM (with X-Stella-Sbom-Type, or a JSON/XML/SPDX media type)`);
}

// ---------------------------------------------------------------- results

interface ParsedResults {
  readonly inventory: Inventory;
  readonly findings: Finding[];
}

/**
 * Per process: a few parsed results, and rendered documents up to a byte budget, keyed by scan id,
 * results hash and what was asked (format, filters). A finished scan's documents are a pure function
 * of those (the report's clock is the scan's finish time), so repeated GETs (a UI polling, many
 * clients on one scan) skip the JSON parse and the report writer; nothing here is state another
 * node would miss, and a re-run's new results hash misses the old entries.
 */
class ResultCache {
  private readonly parsed = new Map<string, ParsedResults>();
  private readonly rendered = new Map<string, string>();
  private renderedBytes = 0;

  constructor(private readonly maxParsed: number, private readonly maxRenderedBytes: number) {}

  private static touch<V>(map: Map<string, V>, key: string): V | undefined {
    const hit = map.get(key);
    if (hit !== undefined) {
      map.delete(key);
      map.set(key, hit);
    }
    return hit;
  }

  async results(store: Store, scan: ScanRecord): Promise<ParsedResults> {
    const key = `${scan.id}:${scan.resultsSha256 ?? ''}`;
    const hit = ResultCache.touch(this.parsed, key);
    if (hit !== undefined) return hit;
    const stored = await store.scans.getScanResults(scan.id);
    if (stored === undefined) throw new ApiError('CONFLICT', `scan ${scan.id} has no results`, { details: { status: scan.status } });
    const parsed = { inventory: JSON.parse(stored.inventory) as Inventory, findings: JSON.parse(stored.findings) as Finding[] };
    if (this.maxParsed > 0 && stored.sha256 === scan.resultsSha256) {
      this.parsed.set(key, parsed);
      while (this.parsed.size > this.maxParsed) this.parsed.delete(this.parsed.keys().next().value as string);
    }
    return parsed;
  }

  async render(store: Store, scan: ScanRecord, what: string, render: (results: ParsedResults) => string): Promise<string> {
    const key = `${scan.id}:${scan.resultsSha256 ?? ''}:${what}`;
    const hit = ResultCache.touch(this.rendered, key);
    if (hit !== undefined) return hit;
    const text = render(await this.results(store, scan));
    const size = Buffer.byteLength(text);
    if (size <= this.maxRenderedBytes / 4) {
      this.rendered.set(key, text);
      this.renderedBytes += size;
      while (this.renderedBytes > this.maxRenderedBytes) {
        const oldest = this.rendered.keys().next().value as string;
        this.renderedBytes -= Buffer.byteLength(this.rendered.get(oldest) ?? '');
        this.rendered.delete(oldest);
      }
    }
    return text;
  }
}

/** A strong ETag for a document of a finished scan: results hash, what was asked, tool version. */
function etagOf(scan: ScanRecord, what: string, toolVersion: string): string {
  return `"${createHash('sha256').update(`${scan.resultsSha256 ?? ''}\n${what}\n${toolVersion}`).digest('hex').slice(0, 32)}"`;
}

function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  return typeof header === 'string' && header.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*');
}

async function finishedScan(store: Store, id: string): Promise<ScanRecord> {
  const scan = await store.scans.getScan(id);
  if (scan === undefined) throw new ApiError('NOT_FOUND', `no scan ${id}`);
  if (scan.status !== 'done') {
    throw new ApiError('CONFLICT', scan.status === 'failed' ? `scan ${id} failed: ${scan.error ?? 'unknown error'}` : `scan ${id} is ${scan.status}; try again when it is done`, {
      details: { status: scan.status },
    });
  }
  return scan;
}

function encodeCursor(scan: ScanRecord): string {
  return Buffer.from(`${scan.createdAt}|${scan.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (createdAt === undefined || id === undefined || rest.length > 0 || !/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(createdAt)) {
    throw new ApiError('VALIDATION', 'cursor is not one this server handed out');
  }
  return { createdAt, id };
}

// ---------------------------------------------------------------- routes

export function scanRoutes(options: ScanRoutesOptions): ServerPart {
  const results = new ResultCache(options.resultCacheEntries ?? 8, options.renderCacheBytes ?? 64 * 1024 * 1024);
  return (root, ctx) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    // A graceful shutdown waits for in-flight requests: a `?wait=` poll would hold it for up to
    // MAX_WAIT_SECONDS, so closing ends the waits (their clients get the 202 and poll the scan).
    let closing = false;
    root.addHook('preClose', (done) => {
      closing = true;
      done();
    });

    app.get('/api/v1/scans', {
      config: { scope: 'read' },
      schema: {
        summary: "The caller's scans, newest first (an admin token lists everyone's)",
        tags: ['scans'],
        querystring: ListQuery,
        response: { 200: ScanList, 400: errorRef },
      },
    }, async (request) => {
      const { limit, cursor } = request.query;
      const admin = request.principal.scopes.has('admin');
      const rows = await ctx.store.scans.listScans({
        ...(admin ? {} : { owner: request.principal.quotaKey }),
        limit: limit + 1,
        ...(cursor === undefined ? {} : { before: decodeCursor(cursor) }),
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { scans: page.map(view), next: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
    });

    app.get('/api/v1/scans/:id', {
      config: { scope: 'read' },
      schema: { summary: 'One scan: status and summary', tags: ['scans'], params: IdParams, response: { 200: ScanEnvelope, 404: errorRef } },
    }, async (request) => {
      const scan = await ctx.store.scans.getScan(request.params.id);
      if (scan === undefined) throw new ApiError('NOT_FOUND', `no scan ${request.params.id}`);
      return { scan: view(scan) };
    });

    const findingsReport = async (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      query: { format: string; severity?: string; ignoreUnfixed: boolean; ignoreFile?: string; vex?: string },
    ): Promise<FastifyReply> => {
      const { format, severity, ignoreUnfixed, ignoreFile, vex } = query;
      if (!isReportFormat(format)) throw new ApiError('VALIDATION', `unknown format ${JSON.stringify(format)}`);
      let severities;
      let ignore;
      let statements;
      try {
        severities = severity === undefined ? undefined : parseSeverities(severity);
        ignore = ignoreFile === undefined ? undefined : parseIgnoreFile(ignoreFile, 'ignoreFile');
        statements = vex === undefined ? undefined : parseOpenVex(vex, 'vex');
      } catch (error) {
        throw new ApiError('VALIDATION', (error as Error).message);
      }
      const scan = await finishedScan(ctx.store, id);
      // An ignore file's expiry is judged today (UTC), so the day is part of what is rendered.
      const extra = ignore === undefined && statements === undefined ? ''
        : `:${createHash('sha256').update(`${ignoreFile ?? ''}\u0000${vex ?? ''}`).digest('hex')}:${ctx.now().toISOString().slice(0, 10)}`;
      const what = `findings:${format}:${severities?.join(',') ?? ''}:${ignoreUnfixed}${extra}`;
      const etag = etagOf(scan, what, options.toolVersion);
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (notModified(request, etag)) return reply.code(304).send();
      const text = await results.render(ctx.store, scan, what, ({ inventory, findings }) => {
        const created = new Date(scan.finishedAt ?? scan.createdAt);
        const filters: FilterOptions = {
          now: ignore === undefined ? created : ctx.now(),
          target: scan.target,
          ...(severities === undefined ? {} : { severities }),
          ...(ignoreUnfixed ? { ignoreUnfixed: true } : {}),
          ...(ignore === undefined ? {} : { ignore }),
          ...(statements === undefined ? {} : { vex: statements }),
        };
        const filtered = filterFindings(findings, filters);
        return writeReport(format, {
          inventory, findings: filtered.kept, suppressed: filtered.suppressed, target: scan.target, created, toolVersion: options.toolVersion,
        });
      });
      return reply.type(REPORT_TYPES[format]).send(text);
    };

    app.get('/api/v1/scans/:id/findings', {
      config: { scope: 'read' },
      schema: {
        summary: 'The findings of a finished scan, filtered as `stella scan` filters, in any report format',
        description: 'The same report writers as `stella scan --format`: json (our schema), sarif, cyclonedx (with vulnerabilities), trivy-json, table. `created` is the time the scan finished. Answers carry a strong ETag; If-None-Match with it gives 304. For an ignore file or VEX document, POST the same URL.',
        tags: ['scans'],
        params: IdParams,
        querystring: FindingsQuery,
        response: { 400: errorRef, 404: errorRef, 409: errorRef },
      },
    }, async (request, reply) => findingsReport(request, reply as FastifyReply, request.params.id, request.query));

    app.post('/api/v1/scans/:id/findings', {
      config: { scope: 'read' },
      schema: {
        summary: 'The findings of a finished scan with every `stella scan` filter, including an ignore file and an OpenVEX document',
        description: 'As GET, with the filters in a JSON body: `ignoreFile` (.trivyignore text or YAML; an expired entry no longer suppresses) and `vex` (OpenVEX 0.2 JSON text; not_affected and fixed statements suppress, the justification is kept in the json report).',
        tags: ['scans'],
        params: IdParams,
        body: FindingsBody,
        response: { 400: errorRef, 404: errorRef, 409: errorRef },
      },
    }, async (request, reply) => findingsReport(request, reply as FastifyReply, request.params.id, request.body));

    app.get('/api/v1/scans/:id/sbom', {
      config: { scope: 'read' },
      schema: {
        summary: "A finished scan's packages as an SBOM",
        tags: ['scans'],
        params: IdParams,
        querystring: SbomQuery,
        response: { 404: errorRef, 409: errorRef },
      },
    }, async (request, reply) => {
      const format = request.query.format as SbomWriteFormat;
      const scan = await finishedScan(ctx.store, request.params.id);
      const what = `sbom:${format}`;
      const etag = etagOf(scan, what, options.toolVersion);
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (notModified(request, etag)) return (reply as FastifyReply).code(304).send();
      const text = await results.render(ctx.store, scan, what, ({ inventory }) =>
        writeSbom(inventory, format, { created: new Date(scan.finishedAt ?? scan.createdAt), toolVersion: options.toolVersion }));
      return reply.type(SBOM_CONTENT_TYPES[format]).send(text);
    });

    // The upload route reads its body itself: in a child context whose only parsers hand the raw
    // stream through (and multipart), so no other route's body parsing changes.
    root.register(async (child: FastifyInstance) => {
      child.removeAllContentTypeParsers();
      child.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
      await child.register(multipart, { limits: { fileSize: ctx.maxUploadBytes + 1, files: 1, fields: 4, parts: 5 } });
      child.withTypeProvider<TypeBoxTypeProvider>().post('/api/v1/scans', {
        config: { scope: 'scan', streamedBody: true },
        schema: {
          summary: 'Start a scan: an image archive, a registry image or an SBOM',
          description: [
            'Bodies: a docker-archive or OCI archive as application/x-tar / application/octet-stream (Content-Disposition filename optional)',
            'or multipart/form-data with one file part named "image" or "sbom"; `{"image": "registry/repo:tag", "platform"?: "linux/arm64"}`',
            'as application/json; an SBOM (CycloneDX JSON/XML, SPDX 2 JSON/tag-value, SPDX 3, Syft, Trivy JSON) detected, or named by',
            `X-Stella-Sbom-Type (${SBOM_FAMILIES.join(', ')}). Uploads are streamed into the store and limited in size (413).`,
            'Counts against the daily scan quota (X-Stella-Quota-* headers; 429 with Retry-After past it).',
            `With ?wait=N (up to ${MAX_WAIT_SECONDS} s) the answer waits for the scan: 200 once it is done or failed, else 202 after N seconds.`,
          ].join(' '),
          tags: ['scans'],
          querystring: PostQuery,
          headers: Type.Object({ 'x-stella-sbom-type': Type.Optional(Type.String({ maxLength: 40 })) }),
          response: { 200: ScanEnvelope, 202: ScanEnvelope, 400: errorRef, 403: errorRef, 413: errorRef, 415: errorRef, 429: errorRef },
        },
      }, async (request, reply) => {
        await scanQuota(request, reply, ctx);
        const accepted = await accept(request, ctx, options, request.query.platform);
        let scan: ScanRecord;
        try {
          scan = await ctx.store.scans.createScan({
            target: accepted.target, inputKind: accepted.inputKind, input: accepted.input as never, quotaKey: request.principal.quotaKey,
          });
        } catch (error) {
          if (accepted.blobId !== null) await ctx.store.scans.deleteBlob(accepted.blobId).catch(() => false);
          throw error;
        }
        try {
          await options.enqueue(SCAN_JOB_KIND, { scanId: scan.id }, { dedupeKey: `scan:${scan.id}` });
        } catch (error) {
          await ctx.store.scans.failScan(scan.id, 'could not queue the scan', { deleteBlob: accepted.blobId }).catch(() => false);
          throw error;
        }
        reply.header('location', scanPath(scan.id));
        const wait = request.query.wait ?? 0;
        if (wait > 0) {
          // reply.raw, not request.raw: the request's 'close' fires once its body has been read.
          let gone = false;
          reply.raw.once('close', () => {
            gone = !reply.raw.writableFinished;
          });
          const finished = await waitForScan(ctx, scan.id, wait, () => gone || closing);
          if (finished !== undefined) return reply.code(200).send({ scan: view(finished) });
          return reply.code(202).send({ scan: view((await ctx.store.scans.getScan(scan.id)) ?? scan) });
        }
        return reply.code(202).send({ scan: view(scan) });
      });
    });
  };
}
