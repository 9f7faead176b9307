import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CONNECTORS, feedStatus } from '../../feeds/index.js';
import type { ServerPart } from '../context.js';
import { ApiError } from '../errors.js';

/*
 * Feed status (as `stella db status --json`) and a trigger that queues a feed run: the run itself
 * is a job (src/jobs) executed by the server on SQLite or by `stella worker` on PostgreSQL, so the
 * API process only writes a row.
 */

export interface FeedJobPayload {
  source: string;
  force: boolean;
  merge: boolean;
}

/** Queues a job and returns its id (the job queue's enqueue, wired by whoever builds the parts). */
export type EnqueueJob = (kind: 'feed-run', payload: FeedJobPayload) => Promise<{ id: string | number }>;

export interface FeedRoutesOptions {
  /** Without it, POST …/run answers 503 UNAVAILABLE (no job queue on this server). */
  enqueue?: EnqueueJob;
}

const errorRef = Type.Ref('ApiError');

const Counts3 = (a: string, b: string, c: string) => Type.Object({ [a]: Type.Integer(), [b]: Type.Integer(), [c]: Type.Integer() });

const SourceStatus = Type.Object({
  source: Type.String(),
  lastSuccess: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  failureCount: Type.Integer(),
  backoffUntil: Type.Union([Type.String(), Type.Null()]),
  lastRun: Type.Union([Type.String(), Type.Null()]),
  cursor: Type.Unknown({ description: "the connector's resume point (its own shape), or null" }),
  documents: Counts3('pending', 'parsed', 'failed'),
  records: Counts3('parsed', 'mapped', 'failed'),
  errors: Type.Integer({ description: 'parse errors recorded' }),
});

const Status = Type.Object({
  sources: Type.Array(SourceStatus),
  advisories: Type.Object({ total: Type.Integer(), withdrawn: Type.Integer() }),
});

const RunBody = Type.Union([
  Type.Object({
    force: Type.Optional(Type.Boolean({ description: 'run even while the source is backing off after failures' })),
    merge: Type.Optional(Type.Boolean({ description: 'merge into canonical advisories afterwards (default true)' })),
  }, { additionalProperties: false }),
  Type.Null(),
]);

const Queued = Type.Object({
  job: Type.Object({ id: Type.String(), kind: Type.Literal('feed-run'), source: Type.String(), force: Type.Boolean(), merge: Type.Boolean() }),
});

export function feedRoutes(options: FeedRoutesOptions = {}): ServerPart {
  return (root, ctx) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/api/v1/feeds', {
      config: { scope: 'read' },
      schema: { summary: 'Per source: last run, cursor, counts and errors', tags: ['feeds'], response: { 200: Status } },
    }, async () => feedStatus(ctx.store));

    app.post('/api/v1/feeds/:source/run', {
      config: { scope: 'feeds' },
      schema: {
        summary: 'Queue a feed run (fetch, parse, map; then merge)',
        tags: ['feeds'],
        params: Type.Object({ source: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: RunBody,
        response: { 202: Queued, 404: errorRef, 503: errorRef },
      },
    }, async (request, reply) => {
      const { source } = request.params;
      if (!CONNECTORS.has(source)) {
        throw new ApiError('NOT_FOUND', `unknown feed source ${JSON.stringify(source)} (${[...CONNECTORS.keys()].sort().join(', ')})`);
      }
      if (options.enqueue === undefined) throw new ApiError('UNAVAILABLE', 'no job queue is configured on this server');
      const payload: FeedJobPayload = { source, force: request.body?.force ?? false, merge: request.body?.merge ?? true };
      const job = await options.enqueue('feed-run', payload);
      return reply.code(202).send({ job: { id: String(job.id), kind: 'feed-run' as const, ...payload } });
    });
  };
}
