import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SCOPES, type ServerPart } from '../context.js';
import { parseDuration } from './authority.js';
import { isAuthorityError, toApiError } from './errors.js';
import { authorityFor } from './hook.js';

/*
 * Admin token API (scope `admin`): create, list, revoke. A token is returned once, by create;
 * list and revoke speak of hashes only.
 */

const ScopeSchema = Type.Enum([...SCOPES]);
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'salted SHA-256 of the token id' });

const tokenInfo = {
  hash: Hash,
  label: Type.String(),
  scopes: Type.Array(ScopeSchema),
  issuedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};
const TokenInfoSchema = Type.Object(tokenInfo, { additionalProperties: false });
const IssuedSchema = Type.Object({ ...tokenInfo, token: Type.String({ description: 'the bearer token; shown this once' }) }, { additionalProperties: false });

const ErrorSchema = Type.Ref('ApiError');

const CreateBody = Type.Object(
  {
    scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
    expires: Type.String({ pattern: '^[0-9]{1,9}[smhdwy]$', description: 'lifetime, e.g. 30d, 12h, 1y', examples: ['30d'] }),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema };

export const tokenRoutesPart: ServerPart = (app, ctx) => {
  const authority = authorityFor(ctx);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/api/v1/tokens',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'Issue a token (returned once; stored only as a salted hash of its id)',
        body: CreateBody,
        response: { 201: IssuedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { scopes, expires, label } = request.body;
      try {
        const issued = await authority.issue({ scopes, expiresInSeconds: parseDuration(expires), ...(label === undefined ? {} : { label }) });
        return await reply.code(201).header('cache-control', 'no-store').send(issued);
      } catch (error) {
        throw rethrown(error);
      }
    },
  );

  api.get(
    '/api/v1/tokens',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'List issued tokens (hashes, labels, scopes, expiry, revocation)',
        response: { 200: Type.Object({ tokens: Type.Array(TokenInfoSchema) }), ...errors },
      },
    },
    async () => ({ tokens: await authority.list() }),
  );

  api.delete(
    '/api/v1/tokens/:hash',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token by its hash (idempotent: the first revocation time is kept)',
        params: Type.Object({ hash: Hash }),
        response: { 200: TokenInfoSchema, 404: ErrorSchema, ...errors },
      },
    },
    async (request) => {
      try {
        return await authority.revoke(request.params.hash);
      } catch (error) {
        throw rethrown(error);
      }
    },
  );
};

function rethrown(error: unknown): unknown {
  return isAuthorityError(error) ? toApiError(error) : error;
}
