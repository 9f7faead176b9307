import { parseCidr, StellaError } from '../common/index.js';

/*
 * Which reverse proxies may name the client (`stella serve --trust-proxy`). The client IP keys the
 * anonymous quota (a salted hash of it) and is what the access log records, so by default the
 * socket's peer is the client and X-Forwarded-For is ignored. Behind a TLS-terminating proxy the
 * operator names the proxies (addresses, CIDR ranges, or proxy-addr's `loopback`, `linklocal`,
 * `uniquelocal`) or a hop count; fastify then takes the client from X-Forwarded-For, walking back
 * through trusted hops only. "Trust everyone" is refused: any client could then pick its own IP,
 * and with it a fresh anonymous quota and a forged access-log line, per request.
 */

export type TrustProxy = readonly string[] | number;

export type TrustProxyErrorCode = 'BAD_TRUST_PROXY';

export class TrustProxyError extends StellaError<TrustProxyErrorCode> {
  constructor(message: string) {
    super('BAD_TRUST_PROXY', message);
    this.name = 'TrustProxyError';
  }
}

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const EVERYONE = new Set(['true', '*', 'all', 'any', 'yes']);
/** More hops than any real proxy chain; a larger number is a typo or "trust everyone". */
const MAX_HOPS = 10;

/** Parses `--trust-proxy`: a hop count (1–10), or a comma-separated list of IPs, CIDRs and named ranges. */
export function parseTrustProxy(text: string): TrustProxy {
  const value = text.trim();
  if (value === '') throw new TrustProxyError('--trust-proxy wants proxy addresses, CIDR ranges or a hop count; omit it to trust no proxy');
  if (EVERYONE.has(value.toLowerCase())) {
    throw new TrustProxyError(`--trust-proxy ${value} would let any client set its own IP (X-Forwarded-For), and with it its anonymous quota and the access log's record; name the proxies' addresses or ranges instead`);
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > MAX_HOPS) throw new TrustProxyError(`--trust-proxy hop count must be 1 to ${MAX_HOPS}, got ${value} (omit the option to trust no proxy)`);
    return hops;
  }
  const entries = value.split(',').map((e) => e.trim());
  for (const entry of entries) checkEntry(entry);
  return [...new Set(entries)];
}

function checkEntry(entry: string): void {
  if (NAMED_RANGES.has(entry)) return;
  const cidr = parseCidr(entry);
  if (cidr === undefined) throw new TrustProxyError(`--trust-proxy: ${JSON.stringify(entry)} is not an IP address, CIDR range (prefix within the address's bits), loopback, linklocal or uniquelocal`);
  if (cidr.prefix === 0) {
    throw new TrustProxyError(`--trust-proxy: ${JSON.stringify(entry)} trusts every address: any client could set its own IP; name the proxies' addresses or ranges instead`);
  }
}
