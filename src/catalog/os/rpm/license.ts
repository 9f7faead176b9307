import { normalizeLicense } from '../../license.js';

/*
 * rpm LICENSE tags: Fedora ≥ 38 and SUSE write SPDX expressions; RHEL ≤ 9, CentOS, Amazon and
 * Mariner write Fedora's older short names ("GPLv2+ and BSD", "ASL 2.0"). The unambiguous short
 * names are mapped first, because spdx-correct reads "GPLv3" as GPL-3.0-or-later where Fedora
 * meant GPL-3.0-only; the rest goes through spdx-correct, and ambiguous names ("BSD": which
 * clauses?) leave the package with its raw text only.
 */

const FEDORA_NAMES: readonly (readonly [RegExp, string])[] = [
  [/(?<![\w.+-])ASL 2\.0(?![\w.+-])/g, 'Apache-2.0'],
  [/(?<![\w.+-])ASL 1\.1(?![\w.+-])/g, 'Apache-1.1'],
  [/(?<![\w.+-])GPL\+(?![\w.+-])/g, 'GPL-1.0-or-later'],
  [/(?<![\w.+-])(A|L)?GPLv([23])\+(?![\w.+-])/g, '$1GPL-$2.0-or-later'],
  [/(?<![\w.+-])(A|L)?GPLv([23])(?![\w.+-])/g, '$1GPL-$2.0-only'],
  [/(?<![\w.+-])LGPLv2\.1\+(?![\w.+-])/g, 'LGPL-2.1-or-later'],
  [/(?<![\w.+-])LGPLv2\.1(?![\w.+-])/g, 'LGPL-2.1-only'],
  [/(?<![\w.+-])MPLv(1\.0|1\.1|2\.0)(?![\w.+-])/g, 'MPL-$1'],
  [/(?<![\w.+-])Boost(?![\w.+-])/g, 'BSL-1.0'],
];

/** The LICENSE text as one SPDX expression, or undefined when it is not one after correction. */
export function normalizeRpmLicense(raw: string): string | undefined {
  let text = raw.trim();
  if (text === '') return undefined;
  for (const [pattern, spdx] of FEDORA_NAMES) text = text.replace(pattern, spdx);
  return normalizeLicense(text);
}
