import spdxCorrect from 'spdx-correct';
import parseSpdx from 'spdx-expression-parse';

const NO_LICENSE = new Set(['NOASSERTION', 'NONE', 'UNKNOWN', 'UNLICENSED']);

function isExpression(text: string): boolean {
  try {
    parseSpdx(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * SPDX expressions kept as written when valid, single names corrected with spdx-correct
 * ("GPLv3+" → "GPL-3.0-or-later"); anything else is returned as raw text, never guessed.
 */
export function normalizeLicenses(values: readonly string[]): { licenses: string[]; raw: string[] } {
  const licenses = new Set<string>();
  const raw = new Set<string>();
  for (const value of values) {
    const text = value.trim();
    if (text === '' || NO_LICENSE.has(text.toUpperCase())) continue;
    if (isExpression(text)) {
      licenses.add(text);
      continue;
    }
    const corrected = spdxCorrect(text);
    if (corrected !== null) licenses.add(corrected);
    else raw.add(text);
  }
  return { licenses: [...licenses].sort(), raw: [...raw].sort() };
}
