import { readFileSync } from 'node:fs';

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
