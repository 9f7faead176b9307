import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { currentAnalyzerFingerprint, isScanError, LAYER_DIGEST, parseLayerFragment } from '../../scan/index.js';
import type { ServerPart } from '../context.js';
import { ApiError } from '../errors.js';

/*
 * Delta SBOMs for CI builders (issue 8; format in docs/api/layer-fragments.md):
 *   POST /api/v1/layers/missing   {"digests": [diffID…]} → {"missing": [...], "analyzers": "…"}
 *   PUT  /api/v1/layers/{digest}  one layer's fragment (LayerFragment JSON) → 201 stored / 200 kept
 * A layer is named by its diffID (sha256 of the uncompressed layer tar, the image config's
 * rootfs.diff_ids): the key the scanner caches fragments under, whatever the compression. A scan of
 * an image whose layers all have fragments reads none of its layers.
 */

export interface LayerRoutesOptions {
  /** Largest fragment accepted, in bytes (default 32 MiB). */
  maxFragmentBytes?: number;
}

const errorRef = Type.Ref('ApiError');

export const MAX_MISSING_DIGESTS = 1000;

const Digest = Type.String({ pattern: LAYER_DIGEST.source, description: 'layer diffID, sha256:<64 hex>' });

const MissingBody = Type.Object({
  digests: Type.Array(Digest, { maxItems: MAX_MISSING_DIGESTS, description: `at most ${MAX_MISSING_DIGESTS}` }),
}, { additionalProperties: false });

const MissingResult = Type.Object({
  missing: Type.Array(Type.String(), { description: 'the digests asked for with no stored fragment (order kept, each once)' }),
  analyzers: Type.String({ description: 'the analyzer fingerprint fragments must carry to be used' }),
});

const PutResult = Type.Object({
  digest: Type.String(),
  stored: Type.Boolean({ description: 'false: a fragment for this layer and analyzers was already stored and is kept' }),
});

export function layerRoutes(options: LayerRoutesOptions = {}): ServerPart {
  const analyzers = currentAnalyzerFingerprint();
  return (root, ctx) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post('/api/v1/layers/missing', {
      config: { scope: 'scan' },
      schema: {
        summary: 'Which of these layers have no SBOM fragment yet',
        tags: ['layers'],
        body: MissingBody,
        response: { 200: MissingResult, 400: errorRef },
      },
    }, async (request) => ({
      missing: await ctx.store.scans.missingFragments(request.body.digests, analyzers, { owner: request.principal.quotaKey }),
      analyzers,
    }));

    app.put('/api/v1/layers/:digest', {
      config: { scope: 'scan' },
      bodyLimit: options.maxFragmentBytes ?? 32 * 1024 * 1024,
      schema: {
        summary: "Upload one layer's SBOM fragment",
        description: 'The body is a LayerFragment (docs/api/layer-fragments.md): schema 2, `layer` equal to the path digest, `analyzers` equal to what POST /api/v1/layers/missing reports. An existing fragment is never replaced by an upload.',
        tags: ['layers'],
        params: Type.Object({ digest: Digest }),
        body: Type.Object({}, { additionalProperties: true, description: 'LayerFragment' }),
        response: { 200: PutResult, 201: PutResult, 400: errorRef, 409: errorRef, 413: errorRef },
      },
    }, async (request, reply) => {
      const { digest } = request.params;
      let fragment;
      try {
        fragment = parseLayerFragment(request.body, { layer: digest, analyzers });
      } catch (error) {
        if (isScanError(error) && error.code === 'FRAGMENT_ANALYZERS') throw new ApiError('CONFLICT', error.message, { details: { analyzers } });
        if (isScanError(error)) throw new ApiError('VALIDATION', error.message);
        throw error;
      }
      const stored = await ctx.store.scans.putFragment({
        digest, analyzers, json: JSON.stringify(fragment), origin: 'upload', uploader: request.principal.quotaKey,
      });
      return reply.code(stored ? 201 : 200).send({ digest, stored });
    });
  };
}
