import type { Store } from '../store/index.js';
import { authPart, tokenRoutesPart } from './authority/index.js';
import type { QuotaLedger, ServerContext, ServerPart } from './context.js';
import { createQuotaLedger } from './quota/index.js';
import { advisoryRoutes } from './routes/advisories.js';
import { exportRoutes } from './routes/exports.js';
import { feedRoutes, type EnqueueJob } from './routes/feeds.js';

/*
 * What `stella serve` registers, in order: the auth hook first (it sets request.principal and
 * enforces each route's scope), then the routes. One place to add a part.
 */

export interface DefaultPartsOptions {
  /** The job queue's enqueue; without it feed runs answer 503. */
  enqueue?: EnqueueJob;
}

export function defaultParts(options: DefaultPartsOptions = {}): (ctx: ServerContext) => readonly ServerPart[] {
  return () => [
    authPart,
    tokenRoutesPart,
    advisoryRoutes(),
    feedRoutes(options.enqueue === undefined ? {} : { enqueue: options.enqueue }),
    exportRoutes(),
  ];
}

export function defaultQuota(store: Store, now: () => Date): QuotaLedger {
  return createQuotaLedger(store, { now });
}
