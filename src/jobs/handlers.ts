import { internalAddressPolicy } from '../image/index.js';
import { SCAN_JOB_KIND } from '../scan/index.js';
import { feedRunHandler, type FeedRunDeps } from './feed-run.js';
import type { HandlerRegistry } from './handler.js';
import { scanRunHandler, type ScanRunDeps } from './scan-run.js';
import { UPLOAD_RETENTION_JOB, uploadRetentionHandler, type UploadRetentionDeps } from './upload-retention.js';

/*
 * The one registry of job kinds a worker runs (`stella worker` and the in-process SQLite worker).
 * Kinds implemented above this layer (the access-log retention job lives in server/) are added by
 * the caller: `{ ...jobHandlers(deps), 'access-log-retention': … }`.
 */

export const JOB_KINDS = {
  feedRun: 'feed-run',
  scan: SCAN_JOB_KIND,
  uploadRetention: UPLOAD_RETENTION_JOB,
} as const;

export interface HandlerDeps extends FeedRunDeps, UploadRetentionDeps {
  /** Scans: advisories from this snapshot folder instead of the store (tests, demos). */
  readonly advisoriesDir?: string;
  /** Scans: where uploads are staged while scanned (default <stellaHome>/tmp). */
  readonly workDir?: string;
  /** Scans: SBOM size limit in bytes (the upload limit). */
  readonly maxSbomBytes?: number;
  readonly registry?: ScanRunDeps['registry'];
  /**
   * Scans: registry addresses that may be contacted although internal (`--registry-allow`, CIDRs).
   * Scan jobs come from API callers, so by default a registry on this host or a link-local address
   * (cloud metadata) is refused: see image/address-policy.ts. A `registry.addressPolicy` overrides.
   */
  readonly registryAllow?: readonly string[];
}

export function jobHandlers(deps: HandlerDeps): HandlerRegistry {
  return {
    [JOB_KINDS.feedRun]: feedRunHandler(deps),
    [JOB_KINDS.scan]: scanRunHandler({
      stellaHome: deps.stellaHome,
      ...(deps.offline === undefined ? {} : { offline: deps.offline }),
      ...(deps.advisoriesDir === undefined ? {} : { advisoriesDir: deps.advisoriesDir }),
      ...(deps.workDir === undefined ? {} : { workDir: deps.workDir }),
      ...(deps.maxSbomBytes === undefined ? {} : { maxSbomBytes: deps.maxSbomBytes }),
      registry: { addressPolicy: internalAddressPolicy(deps.registryAllow ?? []), ...deps.registry },
    }),
    [JOB_KINDS.uploadRetention]: uploadRetentionHandler(deps.uploadMaxAgeMs === undefined ? {} : { uploadMaxAgeMs: deps.uploadMaxAgeMs }),
  };
}
