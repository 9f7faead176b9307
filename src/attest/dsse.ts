import { decodeBase64Strict } from './base64.js';

/** The payload type of an in-toto statement inside DSSE. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** A DSSE envelope as JSON: payload and sig in standard base64. */
export interface SerializedEnvelope {
  payloadType: string;
  payload: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

export interface Envelope {
  payloadType: string;
  payload: Buffer;
  signatures: Array<{ keyid: string; sig: Buffer }>;
}

/**
 * DSSE pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, with
 * lengths as ASCII decimal BYTE counts (secure-systems-lab/dsse, protocol.md). The signature is
 * over these bytes, never over the bare payload.
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${payload.length} `, 'ascii'),
    payload,
  ]);
}

/** Reads an envelope from JSON, strictly: every base64 field canonical, at least one signature. */
export function parseEnvelope(value: unknown): Envelope | string {
  if (typeof value !== 'object' || value === null) return 'the DSSE envelope is not a JSON object';
  const env = value as Partial<Record<keyof SerializedEnvelope, unknown>>;
  if (typeof env.payloadType !== 'string') return 'the DSSE envelope has no payloadType';
  const payload = typeof env.payload === 'string' ? decodeBase64Strict(env.payload) : undefined;
  if (payload === undefined) return 'the DSSE payload is not canonical base64';
  if (!Array.isArray(env.signatures) || env.signatures.length === 0) return 'the DSSE envelope has no signatures';
  const signatures: Envelope['signatures'] = [];
  for (const entry of env.signatures as unknown[]) {
    const { keyid, sig } = (entry ?? {}) as { keyid?: unknown; sig?: unknown };
    const bytes = typeof sig === 'string' ? decodeBase64Strict(sig) : undefined;
    if (bytes === undefined || bytes.length === 0) return 'a DSSE signature is not canonical base64';
    signatures.push({ keyid: typeof keyid === 'string' ? keyid : '', sig: bytes });
  }
  return { payloadType: env.payloadType, payload, signatures };
}

export function serializeEnvelope(env: Envelope): SerializedEnvelope {
  return {
    payloadType: env.payloadType,
    payload: env.payload.toString('base64'),
    signatures: env.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig.toString('base64') })),
  };
}
