import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { canonicalJson, type Severity } from '../advisories/index.js';
import { isStellaError } from '../common/index.js';
import { isImageError, isRegistryError, type RegistryOptions } from '../image/index.js';
import type { Inventory } from '../inventory/index.js';
import type { Finding } from '../match/index.js';
import { SbomError } from '../sbom/index.js';
import { isStoreError, type JsonValue, type ScanRecord, type Store } from '../store/index.js';
import { isScanError, ScanError } from './errors.js';
import { isSbomType, matchInventory, scanInventory, storeFragmentCache, type ScanInput } from './service.js';

/*
 * The `scan` job (issue 8): payload `{ "scanId": "…" }`; everything else is in the scan's row. The
 * handler is idempotent: results, status and the removal of the upload are written in ONE
 * transaction keyed by the scan id, so a re-run after a worker died overwrites instead of adding,
 * and a scan already done (or failed) is left alone.
 */

export const SCAN_JOB_KIND = 'scan';

/** What a scan row's `input` holds, per input kind. */
export type ScanJobInput =
  | { readonly kind: 'upload'; readonly blobId: string; readonly name?: string; readonly platform?: string }
  | { readonly kind: 'registry'; readonly reference: string; readonly platform?: string }
  | { readonly kind: 'sbom'; readonly blobId: string; readonly type?: string; readonly name?: string };

export interface ScanJobOptions {
  readonly stellaHome: string;
  readonly now: () => Date;
  /** Advisories from this snapshot folder instead of the store (tests, air-gapped demos). */
  readonly advisoriesDir?: string;
  /** Where uploads are staged while scanned; default <stellaHome>/tmp. Removed after each scan. */
  readonly workDir?: string;
  /** Forbid registry scans (they fail with OFFLINE). */
  readonly offline?: boolean;
  readonly registry?: RegistryOptions;
  /** SBOM size limit in bytes (the upload limit). */
  readonly maxSbomBytes?: number;
}

/** Which attempt this is (from the job queue); the last one marks the scan failed before rethrowing. */
export interface ScanJobAttempt {
  readonly attempt?: number;
  readonly maxAttempts?: number;
}

export interface ScanJobResult {
  readonly scanId: string;
  readonly status: 'done' | 'failed';
  /** True when the scan was already finished and nothing was done. */
  readonly skipped?: boolean;
}

export interface ScanSummary {
  readonly packages: number;
  readonly findings: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly advisories: number;
  readonly issues: number;
}

const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE', 'UNKNOWN'];

export function summarize(inventory: Inventory, findings: readonly Finding[], advisories: number): ScanSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity] += 1;
  return { packages: inventory.packages.length, findings: findings.length, bySeverity, advisories, issues: inventory.issues.length };
}

/** Parses a scan row's input; BAD_TARGET when it is not one of the known shapes. */
export function scanJobInput(value: JsonValue): ScanJobInput {
  const o = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  const str = (key: string): string | undefined => (typeof o?.[key] === 'string' ? o[key] as string : undefined);
  const kind = str('kind');
  const platform = str('platform');
  const name = str('name');
  const blobId = str('blobId');
  if (kind === 'upload' && blobId !== undefined) return { kind, blobId, ...(name === undefined ? {} : { name }), ...(platform === undefined ? {} : { platform }) };
  const reference = str('reference');
  if (kind === 'registry' && reference !== undefined) return { kind, reference, ...(platform === undefined ? {} : { platform }) };
  const type = str('type');
  if (kind === 'sbom' && blobId !== undefined) return { kind, blobId, ...(type === undefined ? {} : { type }), ...(name === undefined ? {} : { name }) };
  throw new ScanError('BAD_TARGET', `scan input is not an upload, registry or sbom input: ${JSON.stringify(value)}`);
}

/** Errors no retry can fix: the input itself is bad. */
function isPermanent(error: unknown): boolean {
  if (isScanError(error)) return error.code !== 'ADVISORIES';
  if (isRegistryError(error)) return error.code !== 'UNREACHABLE' && error.code !== 'PROTOCOL';
  if (isImageError(error) || error instanceof SbomError) return true;
  return isStoreError(error) && (error.code === 'NOT_FOUND' || error.code === 'CORRUPT');
}

async function readAll(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

/**
 * The handler for `scan` jobs. `payload` is `{ scanId }`. Returns what happened; throws (for the
 * queue to retry) only on errors a retry may cure (store or registry unreachable), after marking
 * the scan failed when `job` says this was the last attempt.
 */
export function scanJobHandler(store: Store, options: ScanJobOptions): (payload: unknown, job?: ScanJobAttempt) => Promise<ScanJobResult> {
  return async (payload, job) => {
    const scanId = typeof payload === 'object' && payload !== null && typeof (payload as { scanId?: unknown }).scanId === 'string'
      ? (payload as { scanId: string }).scanId : undefined;
    if (scanId === undefined) throw new ScanError('BAD_TARGET', `scan job payload must be {"scanId": "…"}, got ${JSON.stringify(payload)}`);
    const existing = await store.scans.getScan(scanId);
    if (existing === undefined) throw new ScanError('NOT_FOUND', `scan ${scanId} is not in the store`);
    if (existing.status === 'done' || existing.status === 'failed') return { scanId, status: existing.status, skipped: true };
    const scan = await store.scans.markScanRunning(scanId);
    if (scan === undefined) {
      const now = await store.scans.getScan(scanId);
      return { scanId, status: now?.status === 'failed' ? 'failed' : 'done', skipped: true };
    }
    let blobId: string | null = null;
    try {
      const input = scanJobInput(scan.input);
      blobId = input.kind === 'registry' ? null : input.blobId;
      // Fragments: the scanner's own, and those uploaded by whoever asked for this scan (only theirs).
      const fragments = storeFragmentCache(store, { owner: scan.quotaKey });
      const inventory = await inventoryOf(store, scan, input, options, fragments);
      const matched = await matchInventory(inventory, {
        ...(options.advisoriesDir === undefined ? { store } : { advisoriesDir: options.advisoriesDir }),
        stellaHome: options.stellaHome,
        now: options.now,
      });
      const summary = summarize(inventory, matched.findings, matched.advisoryCount);
      await store.scans.completeScan(scanId, {
        inventory: canonicalJson(inventory),
        findings: canonicalJson(matched.findings),
        summary: summary as unknown as JsonValue,
      }, { deleteBlob: blobId });
      return { scanId, status: 'done' };
    } catch (error) {
      // Another worker may have finished the same scan (and removed its upload) meanwhile.
      const now = await store.scans.getScan(scanId);
      if (now?.status === 'done') return { scanId, status: 'done', skipped: true };
      const last = job?.attempt !== undefined && job.maxAttempts !== undefined && job.attempt >= job.maxAttempts;
      if (isPermanent(error) || last) {
        await store.scans.failScan(scanId, errorText(error), { deleteBlob: blobId });
        if (!isPermanent(error)) throw error;
        return { scanId, status: 'failed' };
      }
      throw error;
    }
  };
}

function errorText(error: unknown): string {
  if (isStellaError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function inventoryOf(store: Store, scan: ScanRecord, input: ScanJobInput, options: ScanJobOptions, fragments: ReturnType<typeof storeFragmentCache>): Promise<Inventory> {
  const common = {
    stellaHome: options.stellaHome,
    fragments,
    ...(options.offline === undefined ? {} : { offline: options.offline }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.maxSbomBytes === undefined ? {} : { maxSbomBytes: options.maxSbomBytes }),
  };
  if (input.kind === 'sbom') {
    if (input.type !== undefined && !isSbomType(input.type)) throw new ScanError('BAD_TARGET', `unknown SBOM type ${JSON.stringify(input.type)}`);
    const bytes = await readAll(store.scans.readBlob(input.blobId));
    const target: ScanInput = { kind: 'sbom', bytes, name: input.name ?? scan.target, ...(input.type === undefined ? {} : { type: input.type }) };
    return scanInventory(target, common);
  }
  if (input.kind === 'registry') {
    return scanInventory({ kind: 'image', ref: input.reference }, { ...common, ...(input.platform === undefined ? {} : { platform: input.platform }) });
  }
  const base = options.workDir ?? join(options.stellaHome, 'tmp');
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'scan-'));
  try {
    const file = join(dir, 'image.tar');
    await pipeline(Readable.from(store.scans.readBlob(input.blobId)), createWriteStream(file, { flags: 'wx' }));
    return await scanInventory({ kind: 'image', path: file, reference: scan.target }, {
      ...common, workDir: dir, ...(input.platform === undefined ? {} : { platform: input.platform }),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
