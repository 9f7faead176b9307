import type { Connector } from '../../connector.js';
import { fetchNvd } from './fetch.js';
import { mapNvdCve } from './map.js';
import { parseNvdDocument } from './parse.js';

export { fetchNvd, NVD_BASE_URL, NVD_MAX_WINDOW_MS, NVD_RESULTS_PER_PAGE, windowsBetween, type NvdWindow } from './fetch.js';
export { readCursor, type NvdCursor, type WindowProgress } from './cursor.js';
export { mapNvdCve } from './map.js';
export { parseNvdDocument } from './parse.js';

/**
 * NVD CVE API 2.0 (default https://services.nvd.nist.gov/rest/json/cves/2.0, `baseUrl` overrides;
 * `apiKey` is sent as the apiKey header), or `--from` a local mirror of API pages or per-CVE files.
 */
export const nvdConnector: Connector = {
  name: 'nvd',
  description: 'NVD CVE API 2.0 (incremental by lastModified), or a local mirror of API pages / per-CVE files',
  // NVD's published limits: 5 requests per rolling 30 s without a key, 50 with one.
  httpOptions: (options) => ({ minIntervalMs: options.apiKey === undefined ? 6000 : 600 }),
  fetch: fetchNvd,
  parse: parseNvdDocument,
  map: mapNvdCve,
};
