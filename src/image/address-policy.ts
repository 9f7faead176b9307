import { blockListOf, inBlockList, parseCidr, type Cidr } from '../common/index.js';
import { RegistryError } from './registry-errors.js';

/*
 * Which addresses a registry fetch may connect to. The CLI scanning `registry:localhost:5000/app`
 * connects anywhere; a server whose API callers name the image must not become their way into the
 * host's own services or the cloud metadata endpoint (SSRF). The policy is checked on every
 * connection the registry client makes (redirects and token realms included), on the address DNS
 * returned for it, so a name that resolves (or re-resolves) to a refused address is refused too.
 */

/** Returns why `address` (an IP literal) may not be contacted, or undefined when it may. */
export type AddressPolicy = (address: string) => string | undefined;

/** Never a registry a remote caller may point the server at: this host, link-local (cloud metadata), unspecified, multicast, broadcast. */
const INTERNAL_RANGES: readonly (readonly [string, string])[] = [
  ['127.0.0.0/8', 'loopback'],
  ['::1/128', 'loopback'],
  ['0.0.0.0/8', 'unspecified'],
  ['::/128', 'unspecified'],
  ['169.254.0.0/16', 'link-local (cloud metadata)'],
  ['fe80::/10', 'link-local'],
  ['224.0.0.0/4', 'multicast'],
  ['ff00::/8', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
];

/**
 * The server's policy: refuse this host's and link-local addresses (and unspecified, multicast,
 * broadcast) unless an `allow` range (`--registry-allow 127.0.0.1/32`) covers the address.
 * Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) stay reachable: an internal registry is
 * what a self-hosted server is most often asked to scan.
 */
export function internalAddressPolicy(allow: readonly string[] = []): AddressPolicy {
  const allowed = blockListOf(allow.map((entry) => {
    const cidr = parseCidr(entry);
    if (cidr === undefined) throw new RegistryError('BAD_OPTION', `--registry-allow: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
    return cidr;
  }));
  const ranges = INTERNAL_RANGES.map(([text, why]) => ({ list: blockListOf([parseCidr(text) as Cidr]), why }));
  return (address) => {
    if (inBlockList(allowed, address)) return undefined;
    const hit = ranges.find((r) => inBlockList(r.list, address));
    return hit === undefined ? undefined : `${hit.why} addresses are refused for scans requested over the API (allow with --registry-allow)`;
  };
}
