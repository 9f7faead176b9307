import correctSpdx from 'spdx-correct';
import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type AnalyzerFile } from '../../analyzer.js';
import { normalizeLicense } from '../../license.js';

/*
 * What the npm analyzers share: scoped names, project roots, licences and the package draft.
 * Every analyzer here reads one file; `stella:project` is how an installed tree and its lock
 * file meet (src/scan/reconcile.ts).
 */

export type Evidence = 'installed' | 'declared';

const NODE_MODULES = '/node_modules/';

/**
 * The project a file belongs to: the directory that holds the top-most node_modules of its path
 * (/app for /app/node_modules/a/node_modules/b/package.json), else the file's own directory (a
 * lock file next to package.json). "/" for the root.
 */
export function projectOf(path: string): string {
  const top = path.indexOf(NODE_MODULES);
  const end = top >= 0 ? top : path.lastIndexOf('/');
  return end <= 0 ? '/' : path.slice(0, end);
}

/** True when a path lies inside a node_modules directory (a lock file shipped in a package). */
export const insideNodeModules = (path: string): boolean => path.includes(NODE_MODULES);

/** "@scope/name" → namespace "scope" (no "@", as the model keeps it), name "name"; undefined when not a valid shape. */
export function splitNpmName(full: string): { namespace?: string; name: string } | undefined {
  if (full === '' || full.length > 214 || full.trim() !== full) return undefined;
  if (!full.startsWith('@')) return full.includes('/') ? undefined : { name: full };
  const slash = full.indexOf('/');
  if (slash <= 1 || slash === full.length - 1 || full.indexOf('/', slash + 1) >= 0) return undefined;
  return { namespace: full.slice(1, slash), name: full.slice(slash + 1) };
}

/** A version we can report: not a local path, link or URL (those are not registry versions). */
export function isRegistryVersion(version: string): boolean {
  return version !== '' && !version.includes(':') && !version.includes('/') && version.trim() === version;
}

/** Texts npm gives a licence field that are not SPDX and must never be "corrected" into one. */
function isNonSpdxMarker(text: string): boolean {
  const upper = text.toUpperCase();
  return upper === 'UNLICENSED' || upper.startsWith('SEE LICENSE IN') || upper.startsWith('SEE LICENCE IN');
}

/**
 * One licence text as an SPDX expression: parsed as is, else spdx-correct of the whole text when
 * it does not invent a version ("Apache 2.0" → Apache-2.0; "BSD" stays raw), else each identifier
 * corrected (the apk rules). UNLICENSED and "SEE LICENSE IN …" are never SPDX.
 */
export function normalizeNpmLicense(raw: string): string | undefined {
  // A node_modules repeats a handful of licence texts thousands of times; SPDX parsing is not free.
  if (licenseMemo.has(raw)) return licenseMemo.get(raw);
  const spdx = normalizeUncached(raw);
  if (licenseMemo.size >= LICENSE_MEMO_SIZE) licenseMemo.clear();
  licenseMemo.set(raw, spdx);
  return spdx;
}

const LICENSE_MEMO_SIZE = 4096;
const licenseMemo = new Map<string, string | undefined>();

function normalizeUncached(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '' || isNonSpdxMarker(text)) return undefined;
  const direct = normalizeLicense(text);
  if (direct !== undefined && direct.replace(/\s/g, '') === text.replace(/\s/g, '')) return direct;
  const whole = /\s(AND|OR|WITH)\s/i.test(text) ? null : correctSpdx(text);
  if (whole !== null && (/\d/.test(text) || !/\d/.test(whole))) return whole;
  return direct;
}

/** The licence texts of a manifest: `license` (string or legacy {type}), legacy `licenses` array. */
export function licenseTexts(manifest: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === 'string') out.push(value);
    else if (isObject(value) && typeof value.type === 'string') out.push(value.type);
  };
  add(manifest.license);
  if (Array.isArray(manifest.licenses)) manifest.licenses.forEach(add);
  else add(manifest.licenses);
  return out.map((t) => t.trim()).filter((t, i, all) => t !== '' && all.indexOf(t) === i);
}

/** Licences and the raw texts that did not normalize unchanged, for the draft. */
function licenseFacts(texts: readonly string[]): { licenses?: string[]; raw?: string } {
  const licenses: string[] = [];
  let changed = false;
  for (const text of texts) {
    const spdx = normalizeNpmLicense(text);
    if (spdx !== undefined && !licenses.includes(spdx)) licenses.push(spdx);
    if (spdx === undefined || spdx.replace(/\s/g, '') !== text.replace(/\s/g, '')) changed = true;
  }
  return {
    ...(licenses.length > 0 ? { licenses } : {}),
    ...(changed ? { raw: texts.join('; ') } : {}),
  };
}

export interface NpmFacts {
  readonly fullName: string;
  readonly version: string;
  readonly evidence: Evidence;
  readonly project: string;
  readonly dev?: boolean;
  readonly integrity?: string;
  readonly resolved?: string;
  readonly licenseTexts?: readonly string[];
}

/** A package draft, or a message saying why these facts are not one. */
export function npmDraft(file: AnalyzerFile, foundBy: string, facts: NpmFacts): PackageDraft | string {
  const parts = splitNpmName(facts.fullName);
  if (parts === undefined) return `invalid npm package name ${JSON.stringify(facts.fullName.slice(0, 100))}`;
  if (!isRegistryVersion(facts.version)) return `${facts.fullName}: version ${JSON.stringify(facts.version.slice(0, 100))} is not a registry version`;
  const { licenses, raw } = licenseFacts(facts.licenseTexts ?? []);
  const properties: Record<string, string> = { 'stella:evidence': facts.evidence, 'stella:project': facts.project };
  if (facts.dev !== undefined) properties['stella:dev'] = String(facts.dev);
  if (facts.integrity !== undefined && facts.integrity !== '') properties['stella:integrity'] = facts.integrity;
  if (facts.resolved !== undefined && facts.resolved !== '') properties['stella:resolved'] = facts.resolved;
  if (raw !== undefined) properties['stella:license-raw'] = raw;
  return {
    type: 'npm', ...parts, version: facts.version, location: file.path, foundBy,
    ...(licenses !== undefined ? { licenses } : {}),
    properties,
  };
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const stringOr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The file as one JSON object, or a CatalogError naming what it should have been. */
export function parseJsonObject(file: AnalyzerFile, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(file.content.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CatalogError('MALFORMED_FILE', `${file.path} is not valid JSON (${what})`, { cause: error });
  }
  if (!isObject(doc)) throw new CatalogError('MALFORMED_FILE', `${file.path}: expected a JSON object (${what})`);
  return doc;
}

/** Collects drafts and per-entry issues, de-duplicating identical packages of one file. */
export class DraftCollector {
  private readonly packages = new Map<string, PackageDraft>();
  private readonly issues: ScanIssue[] = [];

  constructor(private readonly file: AnalyzerFile, private readonly foundBy: string) {}

  add(facts: NpmFacts, where: string): void {
    const draft = npmDraft(this.file, this.foundBy, facts);
    if (typeof draft === 'string') {
      this.issue(`${where}: ${draft}`);
      return;
    }
    const key = `${draft.namespace ?? ''}/${draft.name}@${draft.version}`;
    const seen = this.packages.get(key);
    // The same package at several places: it counts as production when any place is.
    if (seen === undefined || (seen.properties?.['stella:dev'] === 'true' && draft.properties?.['stella:dev'] === 'false')) this.packages.set(key, draft);
  }

  issue(message: string): void {
    this.issues.push({ code: 'MALFORMED_RECORD', message: `${this.foundBy}: ${message}`, path: this.file.path });
  }

  result(): { packages: PackageDraft[]; issues?: ScanIssue[] } {
    const packages = [...this.packages.values()];
    return this.issues.length > 0 ? { packages, issues: this.issues } : { packages };
  }
}
