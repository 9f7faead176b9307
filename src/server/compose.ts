import type { Store } from '../store/index.js';
import { authPart, tokenRoutesPart } from './authority/index.js';
import type { QuotaLedger, ServerContext, ServerPart } from './context.js';
import { createQuotaLedger } from './quota/index.js';
import { advisoryRoutes } from './routes/advisories.js';
import { exportRoutes } from './routes/exports.js';
import { feedRoutes, type EnqueueJob } from './routes/feeds.js';
import { accessLogPart } from './access-log/index.js';
import { layerRoutes } from './routes/layers.js';
import { scanRoutes, type EnqueueScanJob } from './routes/scans.js';

/*
 * What `stella serve` registers, in order: the auth hook first (it sets request.principal and
 * enforces each route's scope), then the routes. One place to add a part.
 */

export interface DefaultPartsOptions {
  /** The job queue's enqueue; without it feed runs answer 503 and scan routes are not served. */
  enqueue?: EnqueueJob & EnqueueScanJob;
  /** The tool version written into reports and SBOMs. */
  toolVersion?: string;
  /** false: `{"image": ref}` scans are refused (403). */
  registryScans?: boolean;
}

export function defaultParts(options: DefaultPartsOptions = {}): (ctx: ServerContext) => readonly ServerPart[] {
  const { enqueue } = options;
  return () => [
    authPart,
    accessLogPart,
    tokenRoutesPart,
    advisoryRoutes(),
    feedRoutes(enqueue === undefined ? {} : { enqueue }),
    exportRoutes(),
    ...(enqueue === undefined ? [] : [scanRoutes({
      enqueue, toolVersion: options.toolVersion ?? '0.0.0', ...(options.registryScans === undefined ? {} : { registryScans: options.registryScans }),
    })]),
    layerRoutes(),
  ];
}

export function defaultQuota(store: Store, now: () => Date): QuotaLedger {
  return createQuotaLedger(store, { now });
}
