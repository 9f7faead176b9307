import type { Connector } from '../../connector.js';
import { fetchGhsa } from './fetch.js';
import type { GhsaSettings } from './fetch-local.js';
import { mapGhsaDto } from './map.js';
import { parseGhsaDocument } from './parse.js';

/*
 * GHSA: GitHub's global security advisories, from the REST API (https://api.github.com, or
 * `baseUrl`) or from a local github/advisory-database clone or zip (`from`, OSV format).
 */

export function createGhsaConnector(settings: GhsaSettings = {}): Connector {
  return {
    name: 'ghsa',
    description: 'GitHub Security Advisories (REST API /advisories, or a github/advisory-database clone or zip)',
    fetch: (ctx) => fetchGhsa(ctx, settings),
    parse: parseGhsaDocument,
    map: mapGhsaDto,
  };
}

export const ghsaConnector: Connector = createGhsaConnector();

export { parseGhsaDocument, type GhsaDto } from './parse.js';
export { mapGhsaDto, mapGhsaRest } from './map.js';
export { osvEcosystemOf, ghsaRangeToVers } from './affected.js';
export { purlOf } from '../purl.js';
export { DEFAULT_BASE_URL, nextLink, pageDocumentId } from './fetch.js';
export { localDocumentId, localFilter, type GhsaSettings } from './fetch-local.js';
export type { GhsaCursor } from './cursor.js';
