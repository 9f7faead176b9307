import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VersionError, type VersionScheme } from '../../src/versions/scheme.js';

export type VectorOp = '<' | '=' | '>';

export interface ComparisonVector {
  a: string;
  op: VectorOp;
  b: string;
  line: number;
}

export interface VectorFile {
  comparisons: ComparisonVector[];
  /** Versions the scheme must reject. */
  invalid: string[];
  /** Versions the scheme must accept. */
  valid: string[];
}

/**
 * Reads a version vector file: one `A <op> B` per line (op is <, = or >; fields split on
 * whitespace), `invalid: V` for a version that must be rejected, `valid: V` for one that must
 * parse, `#` comments and blank lines ignored.
 */
export function loadVectors(path: string): VectorFile {
  const out: VectorFile = { comparisons: [], invalid: [], valid: [] };
  readFileSync(path, 'utf8').split('\n').forEach((raw, index) => {
    const text = raw.replace(/\s+#.*$/, '').trim();
    if (text === '' || text.startsWith('#')) return;
    if (text.startsWith('invalid:')) return void out.invalid.push(text.slice(8).trim());
    if (text.startsWith('valid:')) return void out.valid.push(text.slice(6).trim());
    const parts = text.split(/\s+/);
    const [a, op, b] = parts;
    if (parts.length !== 3 || a === undefined || b === undefined || (op !== '<' && op !== '=' && op !== '>')) {
      throw new Error(`${path}:${index + 1}: expected "A <op> B", got ${JSON.stringify(raw)}`);
    }
    out.comparisons.push({ a, op, b, line: index + 1 });
  });
  return out;
}

const expected: Record<VectorOp, number> = { '<': -1, '=': 0, '>': 1 };

/**
 * Checks every comparison in both directions (A op B and B op' A) and returns the failures as
 * readable strings, so one assertion reports all of them.
 */
export function checkVectors(compare: (a: string, b: string) => number, file: VectorFile): string[] {
  const failures: string[] = [];
  for (const v of file.comparisons) {
    const want = expected[v.op];
    for (const [x, y, w] of [[v.a, v.b, want], [v.b, v.a, -want]] as const) {
      let got: number | string;
      try {
        got = compare(x, y);
      } catch (error) {
        got = `error ${(error as Error).message}`;
      }
      if (got !== w) failures.push(`line ${v.line}: compare(${x}, ${y}) = ${got}, want ${w}`);
    }
  }
  return failures;
}

/**
 * True when `scheme.parse` rejects the version, false when it parses. Any rejection must be a
 * VersionError with code INVALID_VERSION; anything else fails the calling test.
 */
export function rejectsVersion(scheme: VersionScheme, version: string): boolean {
  try {
    scheme.parse(version);
    return false;
  } catch (error) {
    assert.ok(
      error instanceof VersionError && error.code === 'INVALID_VERSION',
      `${scheme.name}.parse(${JSON.stringify(version)}) threw ${String(error)}`,
    );
    return true;
  }
}

const DEFAULT_VECTOR_DIR = fileURLToPath(new URL('../../src/versions/testdata/', import.meta.url));

export interface VectorFilesOptions {
  /** The test fails when fewer `<scheme>-*.txt` files than this are found. */
  minFiles: number;
  /** Folder holding the vector files; src/versions/testdata by default. */
  dir?: string;
  /** Versions listed as `invalid:` whose rejection is not checked here (each caller says why). */
  skipInvalid?: ReadonlySet<string>;
}

/**
 * Loads every `<scheme.name>-*.txt` vector file (sorted by name) and registers the
 * `<scheme> vector files` suite: the files exist, and for each file every comparison holds in both
 * directions, every `invalid:` version is rejected and every `valid:` one parses. Returns the
 * loaded files by name for the caller's own tests.
 */
export function describeVectorFiles(scheme: VersionScheme, options: VectorFilesOptions): ReadonlyMap<string, VectorFile> {
  const dir = options.dir ?? DEFAULT_VECTOR_DIR;
  const skipInvalid = options.skipInvalid ?? new Set<string>();
  const files = readdirSync(dir).filter((f) => f.startsWith(`${scheme.name}-`) && f.endsWith('.txt')).sort();
  const vectors = new Map<string, VectorFile>(files.map((f) => [f, loadVectors(join(dir, f))]));
  const rejects = (version: string): boolean => rejectsVersion(scheme, version);
  describe(`${scheme.name} vector files`, () => {
    it('finds the vector files', () => assert.ok(files.length >= options.minFiles, files.join(', ')));
    for (const [name, file] of vectors) {
      it(`${name}: every comparison holds in both directions`, () => {
        assert.deepEqual(checkVectors(scheme.compare, file), []);
      });
      it(`${name}: invalid versions are rejected and valid ones parse`, () => {
        assert.deepEqual(file.invalid.filter((v) => !skipInvalid.has(v) && !rejects(v)), []);
        assert.deepEqual(file.valid.filter(rejects), []);
      });
    }
  });
  return vectors;
}
