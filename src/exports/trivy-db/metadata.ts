import { TrivyDbError } from './errors.js';
import { goStructJson, goTime } from './json.js';

/*
 * metadata.json (trivy-db pkg/metadata/metadata.go): {"Version":2,"NextUpdate","UpdatedAt",
 * "DownloadedAt"} in that field order. trivy rejects a Version other than its SchemaVersion (2);
 * DownloadedAt is filled by trivy after a download, so a fresh build writes Go's zero time.
 * NextUpdate = UpdatedAt + the update interval (trivy-db's Makefile builds with --update-interval 24h).
 *
 * One field of ours: "BaseManifestDigest" ("sha256:…"), only in a delta export: the digest of the
 * OCI manifest (tag "2") of the export it extends. Go's decoder ignores unknown fields, and trivy
 * rewrites the file (dropping it) when it records DownloadedAt.
 */

export const SCHEMA_VERSION = 2;
export const DEFAULT_UPDATE_INTERVAL_MS = 24 * 60 * 60 * 1000;
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export interface ClockInputs {
  /** An explicit export time (overrides everything). */
  readonly now?: Date;
  /** The environment read for SOURCE_DATE_EPOCH (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** store.lastMergeAt(). */
  readonly lastMergeAt: string | null;
}

/** The export clock: `now`, else SOURCE_DATE_EPOCH, else the last merge. Never the wall clock. */
export function exportTime(inputs: ClockInputs): Date {
  if (inputs.now !== undefined) {
    if (Number.isNaN(inputs.now.getTime())) throw new TrivyDbError('BAD_OPTION', 'now is an invalid Date');
    return inputs.now;
  }
  const epoch = (inputs.env ?? process.env).SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d{1,15}$/.test(epoch)) throw new TrivyDbError('BAD_OPTION', `SOURCE_DATE_EPOCH must be whole seconds since 1970, got ${JSON.stringify(epoch)}`);
    return new Date(Number(epoch) * 1000);
  }
  if (inputs.lastMergeAt !== null) {
    const t = Date.parse(inputs.lastMergeAt);
    if (Number.isNaN(t)) throw new TrivyDbError('BAD_RECORD', `the store's last merge time is not a timestamp: ${JSON.stringify(inputs.lastMergeAt)}`);
    return new Date(t);
  }
  throw new TrivyDbError('NO_CLOCK', 'no export time: the store has never merged; set SOURCE_DATE_EPOCH or pass now');
}

export interface TrivyMetadata {
  readonly Version: number;
  readonly NextUpdate: string;
  readonly UpdatedAt: string;
  readonly DownloadedAt: string;
  readonly BaseManifestDigest?: string;
}

export function trivyMetadata(updatedAt: Date, updateIntervalMs: number, baseManifestDigest?: string): TrivyMetadata {
  if (!Number.isSafeInteger(updateIntervalMs) || updateIntervalMs < 0) {
    throw new TrivyDbError('BAD_OPTION', `updateIntervalMs must be a non-negative whole number, got ${updateIntervalMs}`);
  }
  const go = (d: Date): string => goTime(d.toISOString()) as string;
  return {
    Version: SCHEMA_VERSION,
    NextUpdate: go(new Date(updatedAt.getTime() + updateIntervalMs)),
    UpdatedAt: go(updatedAt),
    DownloadedAt: GO_ZERO_TIME,
    ...(baseManifestDigest === undefined ? {} : { BaseManifestDigest: baseManifestDigest }),
  };
}

/** The file's bytes: json.NewEncoder(f).Encode writes a final newline. */
export function metadataJson(metadata: TrivyMetadata): string {
  return `${goStructJson(metadata)}\n`;
}
