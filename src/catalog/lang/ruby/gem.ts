import type { PackageDraft } from '../../../inventory/index.js';
import correctSpdx from 'spdx-correct';
import { normalizeLicense } from '../../license.js';

/*
 * What the two Ruby analyzers share. Gems resolve through GEM_PATH, image-wide, not per project
 * directory: bundler installs into GEM_HOME (/usr/local/bundle in the official images), Debian
 * into /usr/share/rubygems-integration or /var/lib/gems, `--deployment` into vendor/bundle. So
 * every Ruby package, installed or declared, belongs to the image-wide project '': when any gem is
 * installed, every Gemfile.lock only enriches the installed gems of the same name and version;
 * a source tree with no installed gem reports its Gemfile.lock as declared.
 */

export const RUBY_PROJECT = '';

export interface GemFacts {
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly foundBy: string;
  readonly evidence: 'installed' | 'declared';
  readonly licenses?: readonly string[];
  readonly extra?: Readonly<Record<string, string | undefined>>;
}

/**
 * One gemspec license: an SPDX expression, else spdx-correct of the whole text ("Apache 2.0"),
 * refusing a version the text does not give ("GPL" is not GPL-3.0-or-later).
 */
function normalizeOne(text: string): string | undefined {
  const spdx = normalizeLicense(text);
  if (spdx !== undefined) return spdx;
  const fixed = correctSpdx(text);
  return fixed === null || (/\d/.test(fixed) && !/\d/.test(text)) ? undefined : fixed;
}

/** Each gemspec license normalized on its own; the raw list is kept when any is not SPDX as written. */
function licenseFacts(raw: readonly string[]): { licenses?: string[]; licenseRaw?: string } {
  const cleaned = raw.map((l) => l.trim()).filter((l) => l !== '');
  if (cleaned.length === 0) return {};
  const licenses: string[] = [];
  let exact = true;
  for (const text of cleaned) {
    const spdx = normalizeOne(text);
    if (spdx !== undefined && !licenses.includes(spdx)) licenses.push(spdx);
    if (spdx === undefined || spdx.replace(/\s/g, '') !== text.replace(/\s/g, '')) exact = false;
  }
  return { ...(licenses.length > 0 ? { licenses } : {}), ...(exact ? {} : { licenseRaw: cleaned.join(', ') }) };
}

export function gemDraft(facts: GemFacts): PackageDraft {
  const { licenses, licenseRaw } = licenseFacts(facts.licenses ?? []);
  const properties: Record<string, string> = { 'stella:evidence': facts.evidence, 'stella:project': RUBY_PROJECT };
  if (licenseRaw !== undefined) properties['stella:license-raw'] = licenseRaw;
  for (const [key, value] of Object.entries(facts.extra ?? {})) if (value !== undefined) properties[key] = value;
  return {
    type: 'gem', name: facts.name, version: facts.version, location: facts.path, foundBy: facts.foundBy,
    ...(licenses !== undefined ? { licenses } : {}), properties,
  };
}
