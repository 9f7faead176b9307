import { purlOf } from '../purl.js';
import {
  canonicalJson, DISTRO_ECOSYSTEMS, normalizePackageName, normalizeTimestamp, splitEcosystem,
  type AffectedPackage, type AffectedRange, type Provenance, type SeverityRating, type SourceAdvisory,
  type SourceClass,
} from '../../../advisories/index.js';
import type { JsonValue } from '../../../store/index.js';
import {
  formatVers, getScheme, osvRangeToVers, schemeForOsvEcosystem, VersionError, type VersionScheme,
} from '../../../versions/index.js';
import { FeedError } from '../../errors.js';
import { labelRating, ratingOf, uniqueRatings, type RatingContext } from './severity.js';
import { validateOsvRecord, type OsvAffectedDto, type OsvRangeDto, type OsvRecordDto } from './validate.js';

/*
 * OSV record → SourceAdvisory. Used for the OSV bucket (source 'osv') and for GitHub's advisory
 * database, which publishes OSV records too (source 'ghsa').
 */

const GHSA_ID = /^GHSA-/i;

interface RecordContext {
  readonly id: string;
  readonly isGhsa: boolean;
  readonly provenance: Provenance;
}

function unique(values: readonly string[] | null | undefined, except?: string): string[] {
  const out: string[] = [];
  for (const v of values ?? []) if (v !== except && !out.includes(v)) out.push(v);
  return out;
}

function text(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function isDistro(ecosystem: string): boolean {
  return DISTRO_ECOSYSTEMS.has(splitEcosystem(ecosystem).ecosystem);
}

function rangeScheme(range: OsvRangeDto, ecosystem: string): VersionScheme | undefined {
  if (range.type === 'SEMVER') return getScheme('semver');
  if (range.type !== 'ECOSYSTEM') return undefined;
  const name = schemeForOsvEcosystem(ecosystem);
  return name === undefined ? undefined : getScheme(name);
}

// The vers form of one range, or null when it has none (GIT, an ecosystem we cannot order, a bad event).
function versOf(range: OsvRangeDto, ecosystem: string): string | null {
  const scheme = rangeScheme(range, ecosystem);
  if (scheme === undefined) return null;
  try {
    return formatVers(osvRangeToVers(range, scheme), scheme);
  } catch (error) {
    if (error instanceof VersionError) return null;
    throw error;
  }
}

function mapRange(range: OsvRangeDto, ecosystem: string): AffectedRange {
  const original = {
    kind: `osv:${range.type}`,
    expression: JSON.stringify(range.events),
    ...(range.repo === undefined ? {} : { repo: range.repo }),
  };
  return { vers: versOf(range, ecosystem), original };
}

// Every `fixed` event in source order; commits of GIT ranges are not versions and are left out.
function fixedVersionsOf(ranges: readonly OsvRangeDto[]): string[] {
  return unique(ranges.filter((r) => r.type !== 'GIT').flatMap((r) => r.events.flatMap((e) => (e.fixed === undefined ? [] : [e.fixed]))));
}

function extraOf(entry: OsvAffectedDto): string | undefined {
  const { ecosystem_specific: eco, database_specific: db } = entry;
  if ((eco === undefined || eco === null) && (db === undefined || db === null)) return undefined;
  return canonicalJson({ ecosystem_specific: eco ?? undefined, database_specific: db ?? undefined });
}

function packageOf(entry: OsvAffectedDto): { ecosystem: string; name: string; purl?: string } {
  if (entry.package !== undefined && entry.package !== null) return entry.package;
  // No package: a GIT-only entry (NVD-derived records), filed under OSV's 'GIT' ecosystem by repository.
  const repo = (entry.ranges ?? []).find((r) => r.repo !== undefined)?.repo ?? '';
  return { ecosystem: 'GIT', name: repo };
}

function mapAffected(entry: OsvAffectedDto, rec: RecordContext): AffectedPackage {
  const pkg = packageOf(entry);
  const { ecosystem, release } = splitEcosystem(pkg.ecosystem);
  const ranges = entry.ranges ?? [];
  const fixedVersions = fixedVersionsOf(ranges);
  const distro = DISTRO_ECOSYSTEMS.has(ecosystem);
  const anyFixed = ranges.some((r) => r.events.some((e) => e.fixed !== undefined));
  const extra = extraOf(entry);
  // The record's purl, else one derived from ecosystem + name (as the GHSA REST mapper does).
  const purl = pkg.purl ?? (distro ? undefined : purlOf(ecosystem, pkg.name));
  return {
    ecosystem,
    ...(release === undefined ? {} : { release }),
    name: pkg.name,
    normalizedName: normalizePackageName(ecosystem, pkg.name),
    ...(purl === undefined ? {} : { purl }),
    ranges: ranges.map((r) => mapRange(r, pkg.ecosystem)),
    versions: [...(entry.versions ?? [])],
    fixedVersions,
    // An entry that names no fixed version is an open issue, as GHSA's REST form says with no
    // first_patched_version; a `last_affected` bound (GitHub's OSV export of "<= X" with no patch)
    // names no version to upgrade to either, so both forms of one advisory agree.
    status: anyFixed ? 'affected' : 'unfixed',
    origin: distro ? 'distro' : rec.isGhsa ? 'ghsa' : 'osv',
    sourceId: rec.id,
    provenance: rec.provenance,
    ...(extra === undefined ? {} : { extra }),
  };
}

/** 'Rocky Linux' → 'rocky-linux': the rating source name of a distro. */
function distroSource(ecosystem: string): string {
  return splitEcosystem(ecosystem).ecosystem.toLowerCase().replace(/\s+/g, '-');
}

function sourceClassOf(record: OsvRecordDto, isGhsa: boolean): SourceClass {
  const affected = record.affected ?? [];
  if (affected.length > 0 && affected.every((a) => a.package !== undefined && a.package !== null && isDistro(a.package.ecosystem))) return 'distro';
  return isGhsa ? 'ghsa' : 'osv';
}

function databaseSeverity(record: OsvRecordDto): string | undefined {
  const db = record.database_specific;
  if (db === null || typeof db !== 'object' || Array.isArray(db)) return undefined;
  const label = (db as Record<string, unknown>)['severity'];
  return typeof label === 'string' && label.trim() !== '' ? label : undefined;
}

function cwesOf(record: OsvRecordDto): string[] {
  const db = record.database_specific;
  if (db === null || typeof db !== 'object' || Array.isArray(db)) return [];
  const ids = (db as Record<string, unknown>)['cwe_ids'];
  return Array.isArray(ids) ? unique(ids.filter((v): v is string => typeof v === 'string')) : [];
}

function ratingSource(record: OsvRecordDto, sourceClass: SourceClass, isGhsa: boolean, source: string): string {
  if (isGhsa) return 'ghsa';
  const first = record.affected?.[0]?.package?.ecosystem;
  if (sourceClass === 'distro' && first !== undefined) return distroSource(first);
  return source;
}

function severitiesOf(record: OsvRecordDto, ctx: RatingContext): SeverityRating[] {
  const entries = [...(record.severity ?? []), ...(record.affected ?? []).flatMap((a) => a.severity ?? [])];
  const ratings = entries.map((s) => ratingOf(s, ctx));
  if (ctx.fallbackLabel !== undefined) ratings.push(labelRating(ctx.fallbackLabel, ctx));
  return uniqueRatings(ratings);
}

function toAdvisory(record: OsvRecordDto, provenance: Provenance, source: string): SourceAdvisory {
  const isGhsa = GHSA_ID.test(record.id);
  const sourceClass = sourceClassOf(record, isGhsa);
  const label = databaseSeverity(record);
  const ratingCtx: RatingContext = {
    source: ratingSource(record, sourceClass, isGhsa, source), provenance, ...(label === undefined ? {} : { fallbackLabel: label }),
  };
  const rec: RecordContext = { id: record.id, isGhsa, provenance };
  const summary = text(record.summary);
  const details = text(record.details);
  const published = normalizeTimestamp(record.published);
  const modified = normalizeTimestamp(record.modified);
  const withdrawn = normalizeTimestamp(record.withdrawn);
  return {
    source,
    id: record.id,
    aliases: unique(record.aliases, record.id),
    upstream: unique(record.upstream, record.id),
    related: unique(record.related, record.id),
    ...(summary === undefined ? {} : { summary }),
    ...(details === undefined ? {} : { details }),
    ...(published === undefined ? {} : { published }),
    ...(modified === undefined ? {} : { modified }),
    ...(withdrawn === undefined ? {} : { withdrawn }),
    severities: severitiesOf(record, ratingCtx),
    cwes: cwesOf(record),
    references: (record.references ?? []).map((r) => ({ url: r.url, type: r.type ?? 'WEB' })),
    affected: (record.affected ?? []).map((a) => mapAffected(a, rec)),
    cpeConfigurations: [],
    sourceClass,
    provenance,
  };
}

/** Maps one OSV record (a parse DTO) to a SourceAdvisory; throws MALFORMED_RECORD when it cannot. */
export function mapOsvRecord(dto: JsonValue, provenance: Provenance, source: string): SourceAdvisory {
  const checked = validateOsvRecord(dto);
  if ('problems' in checked) {
    throw new FeedError('MALFORMED_RECORD', `OSV record ${checked.id ?? '(no id)'} in ${provenance.documentId}: ${checked.problems.join('; ')}`);
  }
  try {
    return toAdvisory(checked.record, provenance, source);
  } catch (error) {
    throw new FeedError('MALFORMED_RECORD', `OSV record ${checked.record.id} in ${provenance.documentId}: ${(error as Error).message}`, { cause: error });
  }
}
