import { getConnector, runMerge, runSource, type ConnectorOptions, type RunSourceResult } from '../feeds/index.js';
import type { JsonValue } from '../store/index.js';
import { JobError } from './errors.js';
import type { JobHandler } from './handler.js';

/*
 * `feed-run`: one Concelier source's fetch → parse → map, then the merge into canonical advisories
 * (what `stella db fetch --source X --merge` does). Its effect is idempotent by construction: raw
 * documents are content-addressed, records are replaced by id, the merge rewrites only advisories
 * whose canonical JSON changed. A run repeated after a lost lease therefore carries on where the
 * dead one stopped instead of writing anything twice.
 */

export interface FeedRunPayload {
  readonly source: string;
  /** Local directory, zip or file (only when the handler allows it: it names a path on the worker). */
  readonly from?: string;
  readonly baseUrl?: string;
  readonly since?: string;
  readonly ecosystems?: readonly string[];
  /** Run even while the source is backing off after failures. */
  readonly force?: boolean;
  /** Merge afterwards (default true). */
  readonly merge?: boolean;
}

export interface FeedRunDeps {
  readonly stellaHome: string;
  /** Forbid the network (only `from` sources). */
  readonly offline?: boolean;
  /** Accept `from` in payloads. Off by default: a payload must not make a worker read arbitrary paths. */
  readonly allowFrom?: boolean;
  readonly githubToken?: string;
  readonly nvdApiKey?: string;
}

export function parseFeedRunPayload(payload: JsonValue): FeedRunPayload {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new JobError('INVALID_INPUT', 'feed-run payload must be an object with a "source"');
  }
  const { source, from, baseUrl, since, ecosystems, force, merge } = payload;
  const optionalString = (name: string, v: JsonValue | undefined): string | undefined => {
    if (v === undefined || typeof v === 'string') return v;
    throw new JobError('INVALID_INPUT', `feed-run payload: "${name}" must be a string`);
  };
  const optionalBoolean = (name: string, v: JsonValue | undefined): boolean | undefined => {
    if (v === undefined || typeof v === 'boolean') return v;
    throw new JobError('INVALID_INPUT', `feed-run payload: "${name}" must be true or false`);
  };
  if (typeof source !== 'string') throw new JobError('INVALID_INPUT', 'feed-run payload: "source" must be a string');
  if (ecosystems !== undefined && !(Array.isArray(ecosystems) && ecosystems.every((e) => typeof e === 'string'))) {
    throw new JobError('INVALID_INPUT', 'feed-run payload: "ecosystems" must be a list of strings');
  }
  const out: Record<string, unknown> = {
    source,
    from: optionalString('from', from),
    baseUrl: optionalString('baseUrl', baseUrl),
    since: optionalString('since', since),
    ecosystems,
    force: optionalBoolean('force', force),
    merge: optionalBoolean('merge', merge),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as unknown as FeedRunPayload;
}

export function feedRunHandler(deps: FeedRunDeps): JobHandler {
  return async (job, ctx) => {
    const payload = parseFeedRunPayload(job.payload);
    if (payload.from !== undefined && deps.allowFrom !== true) {
      throw new JobError('INVALID_INPUT', 'feed-run payload: "from" is not allowed on this worker');
    }
    let connector;
    try {
      connector = getConnector(payload.source);
    } catch (cause) {
      throw new JobError('INVALID_INPUT', `feed-run payload: ${(cause as Error).message}`, { cause });
    }
    const connectorOptions: ConnectorOptions = {
      ...(payload.from === undefined ? {} : { from: payload.from }),
      ...(payload.baseUrl === undefined ? {} : { baseUrl: payload.baseUrl }),
      ...(payload.since === undefined ? {} : { since: payload.since }),
      ...(payload.ecosystems === undefined ? {} : { ecosystems: payload.ecosystems }),
      ...(connector.name === 'ghsa' && deps.githubToken !== undefined ? { token: deps.githubToken } : {}),
      ...(connector.name === 'nvd' && deps.nvdApiKey !== undefined ? { apiKey: deps.nvdApiKey } : {}),
    };
    const log = (m: string): void => ctx.log(`job ${job.id}: ${m}`);
    const run: RunSourceResult = await runSource(ctx.store, connector, {
      connectorOptions,
      stellaHome: deps.stellaHome,
      now: ctx.now,
      force: payload.force === true,
      http: { offline: deps.offline === true },
      log,
      signal: ctx.signal,
    });
    if (ctx.signal.aborted) throw ctx.signal.reason as Error;
    const merge = payload.merge === false ? undefined : await runMerge(ctx.store, { log });
    if (run.error !== undefined) {
      // The source keeps its own failure count and back-off (a retry now would only be skipped);
      // the next scheduled run tries again.
      throw new JobError('NO_RETRY', `feed ${run.source}: fetch failed (${run.error.code}): ${run.error.message}`);
    }
    return JSON.parse(JSON.stringify({ source: run, ...(merge === undefined ? {} : { merge }) })) as JsonValue;
  };
}
