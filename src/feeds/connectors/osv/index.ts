import type { Connector } from '../../connector.js';
import { fetchOsv } from './fetch.js';
import { mapOsvRecord } from './map.js';
import { parseOsvDocument } from './parse.js';

/** OSV.dev's export bucket (default https://osv-vulnerabilities.storage.googleapis.com). */
export const osvConnector: Connector = {
  name: 'osv',
  description: 'OSV.dev bulk export: per-ecosystem all.zip, then modified_id.csv increments',
  fetch: fetchOsv,
  parse: parseOsvDocument,
  map: (dto, provenance) => mapOsvRecord(dto, provenance, 'osv'),
};

export { mapOsvRecord } from './map.js';
export { parseOsvDocument } from './parse.js';
export { DEFAULT_OSV_BASE_URL } from './bucket.js';
