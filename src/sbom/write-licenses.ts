import parseSpdx from 'spdx-expression-parse';

/** One declared licence of a package, classified once for every writer. */
export type LicenseTerm =
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'expression'; readonly expression: string }
  | { readonly kind: 'text'; readonly text: string };

export interface DeclaredLicenses {
  readonly terms: readonly LicenseTerm[];
  /** All terms as one SPDX expression (AND-joined); absent when there are none or one is not SPDX. */
  readonly expression?: string;
  /** `LicenseRef-…` identifiers used by `expression`, sorted. */
  readonly licenseRefs: readonly string[];
}

type Node = parseSpdx.Info;

function collectRefs(node: Node, into: Set<string>): void {
  if ('conjunction' in node) {
    collectRefs(node.left, into);
    collectRefs(node.right, into);
  } else if (node.license.startsWith('LicenseRef-')) {
    into.add(node.license);
  }
}

function classify(raw: string, refs: Set<string>): LicenseTerm {
  const text = raw.trim();
  let node: Node;
  try {
    node = parseSpdx(text);
  } catch {
    return { kind: 'text', text: raw };
  }
  collectRefs(node, refs);
  if (!('conjunction' in node) && node.plus !== true && node.exception === undefined) return { kind: 'id', id: node.license };
  return { kind: 'expression', expression: text };
}

function termExpression(term: LicenseTerm): string | undefined {
  if (term.kind === 'id') return term.id;
  if (term.kind === 'expression') return /\s/.test(term.expression) ? `(${term.expression})` : term.expression;
  return undefined;
}

/** Classifies a package's licences (order kept, duplicates dropped) and joins them into one expression. */
export function declaredLicenses(licenses: readonly string[] | undefined): DeclaredLicenses {
  const refs = new Set<string>();
  const terms = [...new Set(licenses ?? [])].filter((l) => l.trim() !== '').map((l) => classify(l, refs));
  const parts = terms.map(termExpression);
  let expression: string | undefined;
  if (terms.length > 0 && parts.every((p) => p !== undefined)) {
    const only = terms.length === 1 ? terms[0] : undefined;
    expression = only?.kind === 'expression' ? only.expression : parts.join(' AND ');
  }
  return expression === undefined ? { terms, licenseRefs: [] } : { terms, expression, licenseRefs: [...refs].sort() };
}
