import parseSpdx from 'spdx-expression-parse';
import correctSpdx from 'spdx-correct';

/*
 * Licences as Java artifacts state them: a pom's <license><name> ("The Apache Software License,
 * Version 2.0") or a manifest's Bundle-License (an SPDX id or a URL).
 */

const KNOWN_URLS: ReadonlyArray<readonly [string, string]> = [
  ['apache.org/licenses/license-2.0', 'Apache-2.0'],
  ['opensource.org/licenses/mit', 'MIT'],
  ['eclipse.org/legal/epl-v10', 'EPL-1.0'],
  ['eclipse.org/legal/epl-2.0', 'EPL-2.0'],
  ['eclipse.org/org/documents/edl-v10', 'BSD-3-Clause'],
];

function isExpression(text: string): boolean {
  try {
    parseSpdx(text);
    return true;
  } catch {
    return false;
  }
}

/** spdx-correct, refusing its guess of a version the text does not give ("BSD" → BSD-2-Clause, "GNU LGPL" → LGPL-2.1-only). */
function corrected(text: string): string | undefined {
  const fixed = correctSpdx(text);
  if (fixed === null) return undefined;
  return /\d/.test(fixed) && !/\d/.test(text) ? undefined : fixed;
}

/** One licence as an SPDX expression, or undefined when the text does not name one for sure. */
export function normalizeJavaLicense(raw: string): string | undefined {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (text === '') return undefined;
  if (isExpression(text)) return text;
  const lower = text.toLowerCase();
  for (const [url, id] of KNOWN_URLS) if (lower.includes(url)) return id;
  return corrected(text);
}

/**
 * Licence texts → `licenses` (normalized, duplicates dropped) and the raw text of those that did
 * not normalize, for `stella:license-raw`.
 */
export function normalizeLicenses(raws: readonly string[]): { licenses: string[]; raw?: string } {
  const licenses: string[] = [];
  const unknown: string[] = [];
  for (const r of raws) {
    const id = normalizeJavaLicense(r);
    if (id === undefined) {
      if (r.trim() !== '') unknown.push(r.trim());
    } else if (!licenses.includes(id)) licenses.push(id);
  }
  return unknown.length > 0 ? { licenses, raw: unknown.join('; ') } : { licenses };
}
