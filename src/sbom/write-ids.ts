import { createHash } from 'node:crypto';

/** The namespace of every name-based UUID this tool derives (a fixed, randomly chosen v4 UUID). */
export const STELLA_UUID_NAMESPACE = '5a3c1d0e-8f47-4b9a-9d2e-6c71f0b4e2a8';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** RFC 4122 §4.3 name-based UUID (version 5, SHA-1): same name and namespace, same UUID. */
export function uuidV5(name: string, namespace: string = STELLA_UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new TypeError(`namespace is not a UUID: ${namespace}`);
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) out[key] = sortKeys(child);
  }
  return out;
}

/** JSON with every object's keys sorted (code-unit order), two-space indent and a trailing newline. */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/** Compact canonical JSON, for hashing and tie-breaking. */
export function canonicalKey(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Plain code-unit comparison (never locale-dependent). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
