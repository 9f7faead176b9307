import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Inventory, Package } from '../inventory/index.js';
import { validateSbom, type SbomSchema } from '../../test/support/sbom-schemas.js';
import { SbomWriteError } from './write-errors.js';
import { writeSbom } from './writer.js';
import type { SbomWriteFormat } from './writer-format.js';

const TESTDATA = new URL('./testdata/', import.meta.url);
const CREATED = new Date('2024-05-01T12:00:00.250Z');
const OPTIONS = { created: CREATED, toolVersion: '0.1.0' };
const FORMATS: readonly { format: SbomWriteFormat; schema: SbomSchema; golden: string }[] = [
  { format: 'cyclonedx', schema: 'cyclonedx-1.6', golden: 'debian-node-image.cdx.json' },
  { format: 'spdx-json', schema: 'spdx-2.3', golden: 'debian-node-image.spdx.json' },
  { format: 'spdx3-json', schema: 'spdx-3.0.1', golden: 'debian-node-image.spdx3.json' },
];

function loadInventory(): Inventory {
  return JSON.parse(readFileSync(new URL('inventory/debian-node-image.json', TESTDATA), 'utf8')) as Inventory;
}

/** A seeded shuffle (mulberry32), so a failing order can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let s = seed;
  const random = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function assertValid(schema: SbomSchema, json: string, log: (msg: string) => void): Promise<void> {
  const verdict = await validateSbom(schema, json);
  log(`validated by: ${verdict.validators.join('; ')}`);
  if (verdict.libraryUnavailable !== undefined) log(`CycloneDX library validator not run: ${verdict.libraryUnavailable}`);
  assert.deepEqual(verdict.errors, [], `${schema} schema errors`);
}

describe('writeSbom golden files', () => {
  for (const { format, schema, golden } of FORMATS) {
    test(`${format}: matches ${golden} and validates against the official ${schema} schema`, async (t) => {
      const written = writeSbom(loadInventory(), format, OPTIONS);
      const goldenUrl = new URL(`golden/${golden}`, TESTDATA);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenUrl, written);
      assert.equal(written, readFileSync(goldenUrl, 'utf8'));
      assert.ok(written.endsWith('}\n'));
      await assertValid(schema, written, (m) => t.diagnostic(m));
    });
  }
});

describe('writeSbom determinism', () => {
  for (const { format } of FORMATS) {
    test(`${format}: the same inputs in any package and property order give the same bytes`, () => {
      const inventory = loadInventory();
      const first = writeSbom(inventory, format, OPTIONS);
      assert.equal(writeSbom(inventory, format, OPTIONS), first);
      for (const seed of [1, 2, 3, 42]) {
        const packages = shuffled(inventory.packages, seed).map((p): Package => p.properties === undefined ? p
          : { ...p, properties: Object.fromEntries(shuffled(Object.entries(p.properties), seed)) });
        const image = inventory.image === undefined ? undefined : { ...inventory.image, tags: shuffled(inventory.image.tags, seed) };
        assert.equal(writeSbom({ ...inventory, packages, ...(image ? { image } : {}) }, format, OPTIONS), first, `seed ${seed}`);
      }
    });

    test(`${format}: another clock changes the timestamp and the document identity`, () => {
      const inventory = loadInventory();
      const a = writeSbom(inventory, format, OPTIONS);
      const b = writeSbom(inventory, format, { ...OPTIONS, created: new Date('2025-01-02T03:04:05Z') });
      assert.notEqual(a, b);
      assert.ok(b.includes('2025-01-02T03:04:05Z'));
      assert.ok(!b.includes('2024-05-01T12:00:00Z'));
    });
  }
});

describe('writeSbom inputs it rejects', () => {
  test('an unknown format', () => {
    assert.throws(() => writeSbom(loadInventory(), 'spdx-tag-value' as SbomWriteFormat, OPTIONS),
      (e: unknown) => e instanceof SbomWriteError && e.code === 'unknown-format');
  });
  test('an invalid clock', () => {
    assert.throws(() => writeSbom(loadInventory(), 'cyclonedx', { ...OPTIONS, created: new Date('not a date') }),
      (e: unknown) => e instanceof SbomWriteError && e.code === 'invalid-clock');
  });
  test('a namespace base that is not an absolute URI, or has a fragment', () => {
    for (const base of ['spdxdocs/here', 'https://example.org/docs#x']) {
      assert.throws(() => writeSbom(loadInventory(), 'spdx-json', { ...OPTIONS, documentNamespaceBase: base }),
        (e: unknown) => e instanceof SbomWriteError && e.code === 'invalid-namespace-base', base);
    }
  });
});

describe('writeSbom without an image (a root filesystem or SBOM input)', () => {
  for (const { format, schema } of FORMATS) {
    test(`${format}: still validates and lists every package`, async (t) => {
      const { image: _image, ...rest } = loadInventory();
      const written = writeSbom(rest, format, { ...OPTIONS, documentNamespaceBase: 'https://example.org/sboms/' });
      await assertValid(schema, written, (m) => t.diagnostic(m));
      for (const p of rest.packages) assert.ok(written.includes(JSON.stringify(p.purl)), p.purl);
    });
  }
});

/** 10,000 packages: must finish and keep every package (not timed; see the report for figures). */
describe('writeSbom at scale', () => {
  const template = loadInventory();
  const packages: Package[] = Array.from({ length: 10_000 }, (_, i) => {
    const base = template.packages[i % template.packages.length] as Package;
    return { ...base, name: `${base.name}-${i}`, purl: base.purl.replace(base.name, `${base.name}-${i}`) };
  });
  const counts: Record<SbomWriteFormat, (doc: Record<string, unknown[]>) => number> = {
    cyclonedx: (doc) => doc.components?.length ?? 0,
    'spdx-json': (doc) => doc.packages?.length ?? 0,
    'spdx3-json': (doc) => (doc['@graph'] ?? []).filter((e) => (e as { type?: string }).type === 'software_Package').length,
  };
  for (const { format } of FORMATS) {
    test(`${format}: writes a 10,000-package inventory with every package`, () => {
      const doc = JSON.parse(writeSbom({ ...template, packages }, format, OPTIONS)) as Record<string, unknown[]>;
      // + the operating system (all formats) and the image (SPDX lists it as a package)
      assert.equal(counts[format](doc), 10_000 + (format === 'cyclonedx' ? 1 : 2));
    });
  }
});
