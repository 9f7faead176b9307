import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Provenance } from '../../../advisories/index.js';
import type { RawDocument } from '../../../store/index.js';

/* Test helpers (imported by the *.test.ts files only). */

export const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));

export function testdata(name: string): Buffer {
  return readFileSync(`${TESTDATA}${name}`);
}

export function rawDocument(documentId: string, body: Uint8Array, contentType: string | null = null): RawDocument {
  return { id: 1, source: 'osv', documentId, url: null, contentType, sha256: 'f'.repeat(64), fetchedAt: '2024-06-01T00:00:00Z', body };
}

/** A testdata file as the raw document the fetch stage would have stored. */
export function rawTestdata(name: string, documentId = name): RawDocument {
  return rawDocument(documentId, testdata(name), /\.ya?ml$/.test(name) ? 'application/yaml' : 'application/json');
}

export function provenance(documentId: string, source = 'osv'): Provenance {
  return { source, documentId, documentSha256: 'f'.repeat(64), recordedAt: '2024-06-01T00:00:00Z' };
}
