import { BlockList, isIP } from 'node:net';

/*
 * IP addresses and CIDR ranges as operators write them in options (`--trust-proxy`,
 * `--registry-allow`): parsed once, strictly, into node:net's BlockList.
 */

export interface Cidr {
  readonly address: string;
  readonly family: 'ipv4' | 'ipv6';
  /** Prefix length; a bare address is a /32 (IPv4) or /128 (IPv6). */
  readonly prefix: number;
}

/** An address or `address/prefix`; undefined when `text` is neither (the caller words the error). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const bits = version === 4 ? 32 : 128;
  if (slash === -1) return { address, family, prefix: bits };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined;
  return { address, family, prefix: Number(prefixText) };
}

/** A BlockList holding these ranges. */
export function blockListOf(ranges: readonly Cidr[]): BlockList {
  const list = new BlockList();
  for (const r of ranges) list.addSubnet(r.address, r.prefix, r.family);
  return list;
}

/** Whether `address` (an IP literal; IPv4-mapped IPv6 counts as its IPv4) is in `list`. */
export function inBlockList(list: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return list.check(mapped[1]!, 'ipv4');
  const version = isIP(address);
  if (version === 0) return false;
  return list.check(address, version === 4 ? 'ipv4' : 'ipv6');
}
