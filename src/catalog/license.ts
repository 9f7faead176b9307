import parseSpdx from 'spdx-expression-parse';
import correctSpdx from 'spdx-correct';

/* SPDX normalization shared by the OS and language analyzers. */

type SpdxNode = ReturnType<typeof parseSpdx>;

function render(node: SpdxNode, parent?: 'and' | 'or'): string {
  if ('license' in node) {
    return `${node.license}${node.plus === true ? '+' : ''}${node.exception === undefined ? '' : ` WITH ${node.exception}`}`;
  }
  const text = `${render(node.left, node.conjunction)} ${node.conjunction.toUpperCase()} ${render(node.right, node.conjunction)}`;
  return parent !== undefined && parent !== node.conjunction ? `(${text})` : text;
}

function tryParse(expression: string): string | undefined {
  try {
    return render(parseSpdx(expression));
  } catch {
    return undefined;
  }
}

/**
 * spdx-correct for one identifier, refusing its guesses of a version the text does not give
 * ("GPL" → GPL-3.0-or-later, "BSD" → BSD-2-Clause); "GPL2" → GPL-2.0-only and "zlib" → Zlib pass.
 */
function correctId(id: string): string | undefined {
  const fixed = correctSpdx(id);
  if (fixed === null) return undefined;
  return /\d/.test(fixed) && !/\d/.test(id) ? undefined : fixed;
}

/** Corrects each license identifier of an expression (operators and parentheses kept) and parses it. */
function correctEach(raw: string): string | undefined {
  const tokens = raw.replace(/([()])/g, ' $1 ').split(/\s+/).filter((t) => t !== '');
  const fixed = tokens.map((t) => (/^(\(|\)|AND|OR|WITH)$/i.test(t) ? t.toUpperCase() : (correctId(t) ?? t)));
  return tryParse(fixed.join(' '));
}

/**
 * A declared licence text (apk `L:`, rpm LICENSE, package.json, gemspec…) as one SPDX expression,
 * or undefined when it is not one even after spdx-correct of each identifier (e.g. Alpine's old
 * space-separated lists "MIT BSD GPL2+", whose meaning — all of them? any? — the text does not
 * say, or "Public-Domain", or a bare "GPL").
 */
export function normalizeLicense(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  return tryParse(text) ?? correctEach(text);
}
