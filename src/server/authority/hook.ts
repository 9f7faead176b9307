import type { FastifyRequest } from 'fastify';
import type { Store } from '../../store/index.js';
import type { Principal, Scope, ServerContext, ServerPart } from '../context.js';
import { Authority } from './authority.js';
import { AuthorityError, isAuthorityError, toApiError } from './errors.js';

/** What a caller without a token may do. */
export const ANONYMOUS_SCOPES: readonly Scope[] = ['scan', 'read'];

const authorities = new WeakMap<Store, Authority>();

/** The one Authority per store in this process (it caches the instance key once loaded). */
export function authorityFor(ctx: Pick<ServerContext, 'store' | 'now'>): Authority {
  let authority = authorities.get(ctx.store);
  if (authority === undefined) {
    authority = new Authority(ctx.store, { now: ctx.now });
    authorities.set(ctx.store, authority);
  }
  return authority;
}

export interface AuthPartOptions {
  /** Default ANONYMOUS_SCOPES; [] makes every scoped route need a token. */
  anonymousScopes?: readonly Scope[];
}

/**
 * An onRequest hook on the root instance: sets `request.principal` on every request (anonymous
 * without an Authorization header), answers 401 for a bad, expired or revoked token (never falling
 * back to anonymous) and 403 when the route's `config.scope` is not among the caller's scopes
 * (both through the app's error handler: the one error shape, the reason in `details.reason`).
 * A token's scopes are added to the anonymous ones: a token never grants less than no token.
 */
export function createAuthPart(options: AuthPartOptions = {}): ServerPart {
  const anonymousScopes = options.anonymousScopes ?? ANONYMOUS_SCOPES;
  return (app, ctx) => {
    const authority = authorityFor(ctx);
    if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null as unknown as Principal);
    app.addHook('onRequest', async (request) => {
      try {
        request.principal = await principalOf(request, authority, anonymousScopes);
        const scope = request.routeOptions.config.scope;
        if (scope !== undefined && !request.principal.scopes.has(scope)) {
          const who = request.principal.anonymous ? 'anonymous callers' : 'this token';
          throw new AuthorityError('INSUFFICIENT_SCOPE', `${request.method} ${request.routeOptions.url ?? ''} needs scope "${scope}", which ${who} lack`);
        }
      } catch (error) {
        throw isAuthorityError(error) ? toApiError(error, request.routeOptions.config.scope) : error;
      }
    });
  };
}

/** The auth hook with the default anonymous scopes (scan, read). */
export const authPart: ServerPart = createAuthPart();

async function principalOf(request: FastifyRequest, authority: Authority, anonymousScopes: readonly Scope[]): Promise<Principal> {
  const header = request.headers.authorization;
  if (header === undefined) {
    return { anonymous: true, tokenHash: null, scopes: new Set(anonymousScopes), quotaKey: await authority.hashIp(request.ip) };
  }
  const match = /^Bearer +([A-Za-z0-9_.~+/-]+=*) *$/i.exec(header);
  if (match?.[1] === undefined) throw new AuthorityError('INVALID_TOKEN', 'the Authorization header must be "Bearer <token>"');
  const verified = await authority.verify(match[1]);
  return {
    anonymous: false,
    tokenHash: verified.hash,
    scopes: new Set([...anonymousScopes, ...verified.scopes]),
    quotaKey: verified.hash,
  };
}
