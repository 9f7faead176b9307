import correctSpdx from 'spdx-correct';
import { normalizeLicense } from '../../license.js';
import { field, type CoreMetadata } from './metadata.js';

/*
 * A distribution's licence, in the order core metadata makes authoritative: PEP 639's
 * License-Expression (Metadata 2.4), else the free-text License field when it reads as SPDX,
 * else the `License ::` trove classifiers that name one licence version. Unversioned classifiers
 * ("Apache Software License", "BSD License") and texts like "BSD" or "GNU LGPL" are not guessed:
 * they stay in stella:license-raw.
 */

const CLASSIFIERS: Readonly<Record<string, string>> = {
  'MIT License': 'MIT',
  'MIT No Attribution License (MIT-0)': 'MIT-0',
  'ISC License (ISCL)': 'ISC',
  'Python Software Foundation License': 'PSF-2.0',
  'The Unlicense (Unlicense)': 'Unlicense',
  'CC0 1.0 Universal (CC0 1.0) Public Domain Dedication': 'CC0-1.0',
  'zlib/libpng License': 'Zlib',
  'Boost Software License 1.0 (BSL-1.0)': 'BSL-1.0',
  'Universal Permissive License (UPL)': 'UPL-1.0',
  'PostgreSQL License': 'PostgreSQL',
  'Historical Permission Notice and Disclaimer (HPND)': 'HPND',
  'Mozilla Public License 1.0 (MPL)': 'MPL-1.0',
  'Mozilla Public License 1.1 (MPL 1.1)': 'MPL-1.1',
  'Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'Eclipse Public License 1.0 (EPL-1.0)': 'EPL-1.0',
  'Eclipse Public License 2.0 (EPL-2.0)': 'EPL-2.0',
  'European Union Public Licence 1.1 (EUPL 1.1)': 'EUPL-1.1',
  'European Union Public Licence 1.2 (EUPL 1.2)': 'EUPL-1.2',
  'Common Development and Distribution License 1.0 (CDDL-1.0)': 'CDDL-1.0',
  'Open Software License 3.0 (OSL-3.0)': 'OSL-3.0',
  'Apache Software License 2.0 (Apache-2.0)': 'Apache-2.0',
  'GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'GNU General Public License v2 or later (GPLv2+)': 'GPL-2.0-or-later',
  'GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'GNU General Public License v3 or later (GPLv3+)': 'GPL-3.0-or-later',
  'GNU Lesser General Public License v2 (LGPLv2)': 'LGPL-2.0-only',
  'GNU Lesser General Public License v2 or later (LGPLv2+)': 'LGPL-2.0-or-later',
  'GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
  'GNU Lesser General Public License v3 or later (LGPLv3+)': 'LGPL-3.0-or-later',
  'GNU Affero General Public License v3': 'AGPL-3.0-only',
  'GNU Affero General Public License v3 or later (AGPLv3+)': 'AGPL-3.0-or-later',
};

const RAW_MAX = 200;
const operators = (expression: string): number => expression.split(/[\s()]+/).filter((t) => t === 'AND' || t === 'OR' || t === 'WITH').length;
const NOT_A_LICENSE = new Set(['', 'unknown', 'none', 'n/a', 'other', 'other/proprietary license']);

/**
 * One license text as an SPDX expression: parsed as is, else spdx-correct of the whole text
 * ("Apache License, Version 2.0"), else of each identifier (normalizeLicense). A correction
 * that invents a version the text does not give ("BSD" → BSD-2-Clause) is refused.
 */
export function normalizePythonLicense(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '' || text.includes('\n') || text.length > 100) return undefined;
  const parsed = normalizeLicense(text);
  // An expression with operators is corrected identifier by identifier, never as one text, and
  // must keep every operator (the parser accepts a dangling "MIT AND" as one odd identifier).
  if (/\s(AND|OR|WITH)(\s|$)/.test(text)) return parsed !== undefined && operators(parsed) === operators(text) ? parsed : undefined;
  if (parsed !== undefined && !/\s/.test(text)) return parsed;
  const whole = correctSpdx(text);
  if (whole !== null && (/\d/.test(text) || !/\d/.test(whole))) return normalizeLicense(whole) ?? parsed;
  return parsed;
}

export interface LicenseFacts {
  readonly licenses?: readonly string[];
  readonly raw?: string;
}

const clip = (text: string): string => (text.length > RAW_MAX ? `${text.slice(0, RAW_MAX)}…` : text);
const sameText = (a: string, b: string): boolean => a.replace(/\s/g, '') === b.replace(/\s/g, '');

function fromClassifiers(metadata: CoreMetadata): { ids: string[]; unmapped: string[] } {
  const ids: string[] = [];
  const unmapped: string[] = [];
  for (const classifier of metadata.fields.get('classifier') ?? []) {
    const parts = classifier.split('::').map((p) => p.trim());
    if (parts[0] !== 'License') continue;
    const leaf = parts[parts.length - 1] ?? '';
    const id = CLASSIFIERS[leaf];
    if (id === undefined) unmapped.push(leaf);
    else if (!ids.includes(id)) ids.push(id);
  }
  return { ids, unmapped };
}

export function licenseOf(metadata: CoreMetadata): LicenseFacts {
  const expression = field(metadata, 'license-expression');
  if (expression !== undefined) {
    const spdx = normalizePythonLicense(expression);
    if (spdx === undefined) return { raw: clip(expression) };
    return sameText(spdx, expression) ? { licenses: [spdx] } : { licenses: [spdx], raw: expression };
  }
  const text = field(metadata, 'license');
  const usable = text !== undefined && !NOT_A_LICENSE.has(text.toLowerCase()) ? text : undefined;
  const spdx = usable === undefined ? undefined : normalizePythonLicense(usable);
  if (spdx !== undefined && usable !== undefined) return sameText(spdx, usable) ? { licenses: [spdx] } : { licenses: [spdx], raw: clip(usable) };
  const { ids, unmapped } = fromClassifiers(metadata);
  const raw = usable ?? (unmapped.length > 0 ? unmapped.join('; ') : undefined);
  if (ids.length > 0) return raw === undefined ? { licenses: ids } : { licenses: ids, raw: clip(raw) };
  return raw === undefined ? {} : { raw: clip(raw) };
}
