import type { Socket } from 'node:net';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerFactory, type RouteOptions } from 'fastify';
import type { Principal, ServerContext, ServerPart } from './context.js';
import { ApiError, ApiErrorSchema, errorBody, mapError } from './errors.js';
import { DOCS_PREFIX, rawSecurityHeaderLines, registerSecurityHeaders, securityHeadersFor } from './headers.js';
import { healthRoutes } from './routes/health.js';
import type { TrustProxy } from './trust-proxy.js';

/*
 * The fastify app, not listening: core hooks (security headers, one error shape, 404s), OpenAPI
 * and its UI, health probes, then the parts in the order given (the auth hook first, then routes).
 * serve.ts listens; tests call buildApp and listen on port 0 themselves.
 */

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface BuildAppOptions {
  /** Largest JSON body, in bytes (default 1 MiB). Uploads stream under ctx.maxUploadBytes. */
  bodyLimit?: number;
  /** Creates the node server (serve.ts passes an HTTPS one); default: plain node:http. */
  serverFactory?: FastifyServerFactory;
  /** OpenAPI info.version. */
  version?: string;
  /** /readyz answers 503 when the store has not answered within this (default 2000 ms). */
  readyTimeoutMs?: number;
  /** Reverse proxies trusted to name the client (trust-proxy.ts); default none: the socket peer is the client. */
  trustProxy?: TrustProxy;
}

/** fastify's trustProxy: false, the trusted addresses, or for a hop count the nearest `hops` hops (0 = the socket peer). */
function trustProxyOption(trust: TrustProxy | undefined): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

/** Scopes an anonymous caller holds (documented as optional security in OpenAPI). */
const ANONYMOUS_SCOPES: ReadonlySet<string> = new Set(['read', 'scan']);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export async function buildApp(ctx: ServerContext, parts: readonly ServerPart[], options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger,
    // Per-request lines belong to the access log (which handles the IP); this log keeps errors.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Requests arriving while closing are served (with Connection: close), not answered by a
    // header-less 503 written past the hooks.
    return503OnClosing: false,
    requestIdHeader: false,
    trustProxy: trustProxyOption(options.trustProxy),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors: (error, request, reply) => sendError(error, request, reply),
    clientErrorHandler: writeClientError,
    ...(options.serverFactory === undefined ? {} : { serverFactory: options.serverFactory }),
  }) as unknown as FastifyInstance;

  // The auth part sets it on every request; until then null (and scoped routes refuse to run).
  app.decorateRequest('principal', null as unknown as Principal);
  registerSecurityHeaders(app);
  app.addHook('onRoute', checkRoute);
  // JSON only: fastify's text/plain parser would let unvalidated strings through.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody('NOT_FOUND', `no route for ${request.method} ${pathOf(request.url)}`));
  });
  app.addSchema(ApiErrorSchema);
  await registerDocs(app, options.version ?? '0.0.0');
  // Fail closed: a route asking for a scope never runs without a principal (no auth part).
  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config.scope !== undefined && (request.principal as Principal | null) === null) {
      throw new ApiError('UNAUTHORIZED', 'no authentication is configured on this server');
    }
  });
  await healthRoutes({ timeoutMs: options.readyTimeoutMs ?? 2000 })(app, ctx);
  for (const part of parts) await part(app, ctx);
  return app;
}

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = mapError(error);
  if (mapped.internal) request.log.error({ err: error, req: request }, 'request failed');
  void reply.code(mapped.status).headers({ ...securityHeadersFor(request.url), ...mapped.headers }).type('application/json; charset=utf-8').send(mapped.body);
}

/** Malformed HTTP (before any request exists): our error shape and headers, then close. */
function writeClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, text, code] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'BAD_REQUEST']
      : error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'BAD_REQUEST']
        : [400, 'Bad Request', 'BAD_REQUEST'];
  const body = JSON.stringify(errorBody(code as 'BAD_REQUEST', text));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n${rawSecurityHeaderLines()}\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Every /api/v1 route declares the scope it needs, and every route taking a body validates it
 * (or says it streams the body itself). Checked when the route is registered, so a route that
 * forgets cannot start.
 */
function checkRoute(route: RouteOptions): void {
  const url = route.url ?? '';
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if ((url === '/api/v1' || url.startsWith('/api/v1/')) && route.config?.scope === undefined) {
    throw new Error(`route ${methods.join(',')} ${url} must declare config.scope`);
  }
  const schema = route.schema as { body?: unknown } | undefined;
  if (methods.some((m) => BODY_METHODS.has(m)) && schema?.body === undefined && route.config?.streamedBody !== true) {
    throw new Error(`route ${methods.join(',')} ${url} takes a body: declare schema.body (or config.streamedBody)`);
  }
}

async function registerDocs(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stella Ops API',
        version,
        description: 'Errors share one shape (ApiError). Anonymous callers hold the read and scan scopes; others need a bearer token (JWT) with the scope an operation lists.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: ({ schema, url, route }) => {
      const scope = route.config?.scope;
      if (scope === undefined) return { schema, url };
      const security = ANONYMOUS_SCOPES.has(scope) ? [{}, { bearer: [scope] }] : [{ bearer: [scope] }];
      return { schema: { ...schema, security } as typeof schema, url };
    },
  });
  // Served from the package's own files: no CDN, no online validator (works offline).
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, validatorUrl: false, uiConfig: { deepLinking: true } });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)).slice(0, 200);
}
