import { AttestError } from './errors.js';

export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

export interface Subject {
  name: string;
  /** Lower-case hex SHA-256. */
  sha256: string;
}

export interface Statement {
  _type: typeof STATEMENT_TYPE_V1;
  subject: Array<{ name: string; digest: { sha256: string } }>;
  predicateType: string;
  predicate: object;
}

/**
 * An in-toto Statement v1. Deterministic: subjects sorted by name (byte order), predicate keys
 * sorted recursively, so the same inputs always give the same payload bytes.
 */
export function inTotoStatement(subjects: Subject[], predicateType: string, predicate: object): Statement {
  if (predicateType === '') throw new AttestError('BAD_INPUT', 'predicateType must not be empty');
  const seen = new Set<string>();
  for (const subject of subjects) {
    if (!/^[0-9a-f]{64}$/.test(subject.sha256)) throw new AttestError('BAD_INPUT', `subject ${subject.name}: sha256 must be 64 lower-case hex digits`);
    if (seen.has(subject.name)) throw new AttestError('BAD_INPUT', `subject ${subject.name} is listed twice`);
    seen.add(subject.name);
  }
  const sorted = [...subjects].sort((a, b) => compareBytes(a.name, b.name));
  return {
    _type: STATEMENT_TYPE_V1,
    subject: sorted.map((s) => ({ name: s.name, digest: { sha256: s.sha256 } })),
    predicateType,
    predicate: sortKeys(predicate) as object,
  };
}

/** The statement's bytes as signed: compact JSON in the key order inTotoStatement builds. */
export function statementBytes(statement: Statement): Buffer {
  return Buffer.from(JSON.stringify(statement), 'utf8');
}

/** Reads a statement from payload bytes; a string says why it is not one. */
export function parseStatement(payload: Uint8Array): Statement | string {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return 'the DSSE payload is not JSON';
  }
  const statement = value as Partial<Statement> | null;
  if (statement?._type !== STATEMENT_TYPE_V1) return `the payload is not an in-toto Statement v1 (_type ${JSON.stringify(statement?._type)})`;
  if (!Array.isArray(statement.subject)) return 'the statement has no subject list';
  for (const subject of statement.subject as unknown[]) {
    const s = subject as { name?: unknown; digest?: { sha256?: unknown } } | null;
    if (typeof s?.name !== 'string' || typeof s.digest?.sha256 !== 'string') return 'a statement subject has no name or sha256 digest';
  }
  return statement as Statement;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
