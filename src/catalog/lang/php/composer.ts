import { posix } from 'node:path';
import correctSpdx from 'spdx-correct';
import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError } from '../../analyzer.js';
import { normalizeLicense } from '../../license.js';

/*
 * What the two Composer analyzers share: one package object of installed.json or composer.lock
 * (the same shape: name, version, version_normalized, license, dist, source) → a draft.
 * name "vendor/package" → namespace vendor, name package (Packagist names are lower-case; they are
 * lower-cased here too). `version` is kept as written ("v2.1.0", "dev-main", "1.0.x-dev"),
 * Composer's normalized form goes to `stella:version-normalized`.
 */

export type Evidence = 'installed' | 'declared';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

export function parseJsonFile(path: string, content: Buffer, what: string): unknown {
  try {
    return JSON.parse(content.toString('utf8').replace(/^\uFEFF/, '')) as unknown;
  } catch (cause) {
    throw new CatalogError('MALFORMED_FILE', `${path} is not valid JSON: not ${what}`, { cause });
  }
}

// Composer allows whole-string names spdx-correct knows ("Apache 2.0").
function composerLicense(raw: string): string | undefined {
  const spdx = normalizeLicense(raw);
  if (spdx !== undefined) return spdx;
  const fixed = correctSpdx(raw);
  return fixed === null || (/\d/.test(fixed) && !/\d/.test(raw)) ? undefined : fixed;
}

function licenseFacts(value: unknown): { licenses?: string[]; raw?: string } {
  const raw = (Array.isArray(value) ? value : [value]).map(text).filter((l): l is string => l !== undefined);
  if (raw.length === 0) return {};
  const licenses = [...new Set(raw.map(composerLicense).filter((l): l is string => l !== undefined))];
  const exact = raw.every((l) => composerLicense(l)?.replace(/\s/g, '') === l.replace(/\s/g, ''));
  return { ...(licenses.length > 0 ? { licenses } : {}), ...(exact ? {} : { raw: raw.join(', ') }) };
}

/** The dist archive URL, else the VCS source with its commit: where Composer got the package. */
function resolvedOf(pkg: Record<string, unknown>): string | undefined {
  const dist = isRecord(pkg.dist) ? pkg.dist : {};
  const source = isRecord(pkg.source) ? pkg.source : {};
  const distUrl = text(dist.url);
  if (distUrl !== undefined && text(dist.type) !== 'path') return distUrl;
  const sourceUrl = text(source.url);
  if (sourceUrl !== undefined) return `${text(source.type) ?? 'git'}+${sourceUrl}${text(source.reference) !== undefined ? `#${text(source.reference)}` : ''}`;
  return distUrl === undefined ? undefined : `path:${distUrl}`;
}

/** sha1 hex of the dist archive as Subresource Integrity (sha1-<base64>); Composer often leaves it empty. */
function integrityOf(pkg: Record<string, unknown>): string | undefined {
  const shasum = isRecord(pkg.dist) ? text(pkg.dist.shasum) : undefined;
  return shasum !== undefined && /^[0-9a-f]{40}$/i.test(shasum) ? `sha1-${Buffer.from(shasum, 'hex').toString('base64')}` : undefined;
}

export interface Context {
  readonly path: string;
  readonly foundBy: string;
  readonly evidence: Evidence;
  readonly project: string;
}

export function composerDraft(pkg: unknown, dev: boolean | undefined, ctx: Context): PackageDraft | string {
  if (!isRecord(pkg)) return 'package entry is not an object';
  const fullName = text(pkg.name)?.toLowerCase();
  const version = text(pkg.version);
  if (fullName === undefined || version === undefined) return `package ${fullName ?? '(no name)'} has no name or version`;
  const slash = fullName.indexOf('/');
  if (slash <= 0 || slash === fullName.length - 1) return `package name "${fullName}" is not "vendor/package"`;
  const { licenses, raw } = licenseFacts(pkg.license);
  const extra: Record<string, string | undefined> = {
    'stella:license-raw': raw,
    'stella:dev': dev === undefined ? undefined : String(dev),
    'stella:version-normalized': text(pkg.version_normalized),
    'stella:resolved': resolvedOf(pkg),
    'stella:integrity': integrityOf(pkg),
  };
  const properties: Record<string, string> = { 'stella:evidence': ctx.evidence, 'stella:project': ctx.project };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) properties[key] = value;
  return {
    type: 'composer', namespace: fullName.slice(0, slash), name: fullName.slice(slash + 1), version,
    location: ctx.path, foundBy: ctx.foundBy, ...(licenses !== undefined ? { licenses } : {}), properties,
  };
}

export function collect(entries: readonly unknown[], dev: (entry: unknown) => boolean | undefined, ctx: Context): { packages: PackageDraft[]; issues: ScanIssue[] } {
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  for (const entry of entries) {
    const outcome = composerDraft(entry, dev(entry), ctx);
    if (typeof outcome === 'string') issues.push({ code: 'MALFORMED_RECORD', message: `${posix.basename(ctx.path)} entry skipped: ${outcome}`, path: ctx.path });
    else packages.push(outcome);
  }
  return { packages, issues };
}

export { isRecord };
