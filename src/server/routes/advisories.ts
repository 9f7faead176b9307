import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { packageQuery, resolveAdvisoryKeys, searchAdvisories, type PackageQuery } from '../../feeds/index.js';
import type { ServerPart } from '../context.js';
import { ApiError } from '../errors.js';

/*
 * Canonical advisories, as `stella advisory get/search` show them (same lookups, src/feeds/lookup.ts).
 * One advisory is returned as stored (canonical JSON, sorted keys), not re-serialized.
 */

const errorRef = Type.Ref('ApiError');

const AdvisoryList = Type.Object({
  id: Type.String({ description: 'the id asked for' }),
  keys: Type.Array(Type.String(), { description: 'canonical keys it names (several when it is an alias of several advisories)' }),
  advisories: Type.Array(Type.Object({}, { additionalProperties: true, description: 'canonical advisory with per-field provenance' })),
});

const SearchRow = Type.Object({
  key: Type.String(),
  aliases: Type.Array(Type.String()),
  summary: Type.String(),
  withdrawn: Type.Union([Type.String(), Type.Null()]),
  packages: Type.Array(Type.Object({
    ecosystem: Type.String(),
    name: Type.String(),
    ranges: Type.Array(Type.String()),
    fixed: Type.Array(Type.String()),
  })),
});

const SearchResult = Type.Object({
  package: Type.String({ description: 'the name looked up, as advisories spell it' }),
  ecosystem: Type.Union([Type.String(), Type.Null()]),
  total: Type.Integer({ description: 'advisories matching; `advisories` holds the first `limit`' }),
  advisories: Type.Array(SearchRow),
});

const SearchQuery = Type.Object({
  package: Type.String({ minLength: 1, maxLength: 1000, description: 'a purl (pkg:npm/lodash) or a package name' }),
  ecosystem: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'OSV ecosystem (npm, PyPI, Maven, Go, Debian…) for a plain name' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
}, { additionalProperties: false });

export function advisoryRoutes(): ServerPart {
  return (root, ctx) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/api/v1/advisories/:id', {
      config: { scope: 'read' },
      schema: {
        summary: 'A canonical advisory by its key or any alias (CVE, GHSA, OSV, distro ids)',
        tags: ['advisories'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: AdvisoryList, 404: errorRef },
      },
    }, async (request, reply) => {
      const { id } = request.params;
      const keys = await resolveAdvisoryKeys(ctx.store, id);
      const jsons: string[] = [];
      for (const key of keys) {
        const stored = await ctx.store.getAdvisory(key);
        if (stored !== undefined) jsons.push(stored.json);
      }
      if (jsons.length === 0) throw new ApiError('NOT_FOUND', `no advisory has the id ${JSON.stringify(id)}`);
      // The stored JSON is canonical already: splice it in rather than parse and re-serialize.
      return reply.type('application/json; charset=utf-8').send(`{"id":${JSON.stringify(id)},"keys":${JSON.stringify(keys)},"advisories":[${jsons.join(',')}]}`);
    });

    app.get('/api/v1/advisories', {
      config: { scope: 'read' },
      schema: {
        summary: 'Advisories that name a package',
        tags: ['advisories'],
        querystring: SearchQuery,
        response: { 200: SearchResult, 400: errorRef },
      },
    }, async (request) => {
      const { package: text, ecosystem, limit } = request.query;
      let query: PackageQuery;
      try {
        query = packageQuery(text, ecosystem);
      } catch (cause) {
        throw new ApiError('VALIDATION', `not a package URL or name: ${(cause as Error).message}`, { cause });
      }
      const result = await searchAdvisories(ctx.store, query, limit);
      return { package: query.name, ecosystem: query.ecosystem ?? null, total: result.total, advisories: result.rows };
    });
  };
}
