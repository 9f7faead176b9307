import type { Connector } from './connector.js';
import { ghsaConnector } from './connectors/ghsa/index.js';
import { nvdConnector } from './connectors/nvd/index.js';
import { osvConnector } from './connectors/osv/index.js';
import { FeedError } from './errors.js';

/** Every connector, by `--source` name. Regional sources register here too. */
export const CONNECTORS: ReadonlyMap<string, Connector> = new Map(
  [osvConnector, ghsaConnector, nvdConnector].map((c) => [c.name, c] as const),
);

export function getConnector(name: string): Connector {
  const connector = CONNECTORS.get(name);
  if (connector === undefined) {
    throw new FeedError('BAD_OPTION', `unknown source ${JSON.stringify(name)} (known: ${[...CONNECTORS.keys()].join(', ')})`);
  }
  return connector;
}
