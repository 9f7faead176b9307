import { Type } from '@fastify/type-provider-typebox';
import type { ServerPart } from '../context.js';
import { ApiError } from '../errors.js';

const Status = Type.Object({ status: Type.String() });
const errorRef = Type.Ref('ApiError');

/**
 * /healthz: the process answers (liveness). /readyz: the store answers a trivial query within
 * `timeoutMs` (readiness); 503 otherwise, so a load balancer stops sending traffic.
 */
export function healthRoutes(options: { timeoutMs: number }): ServerPart {
  return (app, ctx) => {
    app.get('/healthz', {
      schema: { summary: 'Liveness: the process is up', tags: ['health'], response: { 200: Status } },
    }, async () => ({ status: 'ok' }));

    app.get('/readyz', {
      schema: { summary: 'Readiness: the store answers', tags: ['health'], response: { 200: Status, 503: errorRef } },
    }, async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
      });
      try {
        await Promise.race([ctx.store.ping(), timeout]);
      } catch (cause) {
        throw new ApiError('UNAVAILABLE', 'the store is not reachable', { cause });
      } finally {
        clearTimeout(timer);
      }
      return { status: 'ready' };
    });
  };
}
