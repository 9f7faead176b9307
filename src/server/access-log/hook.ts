import type { ServerPart } from '../context.js';

/*
 * The access log: one row per request — time, method, route pattern (never the raw URL: ids,
 * queries and whatever a client typed stay out), status, duration, client IP and token hash. The
 * raw IP lives only here and only until the retention job replaces it (see retention.ts); the
 * application log (pino) never sees it.
 *
 * Rows are written after the response is sent (onResponse), so logging never slows a client; the
 * writes still pending when the app closes are awaited by its onClose hook. `time` is the injected
 * clock's reading when the response finished.
 */
export const accessLogPart: ServerPart = (app, ctx) => {
  const pending = new Set<Promise<void>>();
  app.addHook('onResponse', (request, reply, done) => {
    const principal = request.principal as typeof request.principal | null;
    const write = ctx.store.authority
      .appendAccessLog({
        at: ctx.now(),
        method: request.method.slice(0, 16),
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
        ip: request.ip ?? '',
        tokenHash: principal?.tokenHash ?? null,
      })
      .catch((error: unknown) => {
        // The error's type and code only: a driver message could quote the row it failed on.
        const code = (error as { code?: unknown }).code;
        ctx.logger.error({ type: (error as Error).name, code: typeof code === 'string' ? code : undefined }, 'access log write failed');
      });
    pending.add(write);
    void write.finally(() => pending.delete(write));
    done();
  });
  app.addHook('onClose', async () => {
    await Promise.all([...pending]);
  });
};
