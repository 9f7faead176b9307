import {
  canonicalJson, severityFromLabel, type Provenance, type Severity, type SeverityRating,
} from '../../../advisories/index.js';
import { scoreVector } from '../../../cvss/index.js';
import type { OsvSeverityDto } from './validate.js';

/*
 * OSV `severity[]` entries (record level and per affected package) and the
 * `database_specific.severity` label databases such as GHSA add, as SeverityRatings.
 */

const CVSS_TYPES: Readonly<Record<string, SeverityRating['type']>> = {
  CVSS_V2: 'CVSS_V2', CVSS_V3: 'CVSS_V3', CVSS_V4: 'CVSS_V4',
};

const TYPE_OF_VERSION: Readonly<Record<string, SeverityRating['type']>> = {
  '2.0': 'CVSS_V2', '3.0': 'CVSS_V3', '3.1': 'CVSS_V3', '4.0': 'CVSS_V4',
};

export interface RatingContext {
  /** Who rates: 'ghsa', a distro ('debian'), or the connector's source. */
  readonly source: string;
  /** The record's `database_specific.severity` label, used when a vector cannot be scored. */
  readonly fallbackLabel?: string;
  readonly provenance: Provenance;
}

function cvssRating(entry: OsvSeverityDto, type: SeverityRating['type'], ctx: RatingContext): SeverityRating {
  try {
    const result = scoreVector(entry.score);
    return {
      source: ctx.source, type: TYPE_OF_VERSION[result.version] ?? type, vector: entry.score,
      score: result.baseScore, severity: result.baseSeverity, provenance: ctx.provenance,
    };
  } catch {
    // A vector our calculator rejects is kept as written; its severity can only come from a label.
    const label = ctx.fallbackLabel;
    const severity: Severity = label === undefined ? 'UNKNOWN' : severityFromLabel(label);
    return {
      source: ctx.source, type, vector: entry.score, severity, provenance: ctx.provenance,
      ...(label === undefined ? {} : { label }),
    };
  }
}

/** One `severity[]` entry as a rating. */
export function ratingOf(entry: OsvSeverityDto, ctx: RatingContext): SeverityRating {
  const cvss = CVSS_TYPES[entry.type];
  if (cvss !== undefined) return cvssRating(entry, cvss, ctx);
  if (entry.type === 'Ubuntu') {
    // Ubuntu's priority ('negligible', 'low', 'medium', 'high', 'critical'), rated by Ubuntu.
    return { source: 'ubuntu', type: 'LABEL', label: entry.score, severity: severityFromLabel(entry.score), provenance: ctx.provenance };
  }
  // A type the schema does not define (yet): kept as a label, the type named as its qualifier.
  return {
    source: ctx.source, type: 'LABEL', label: entry.score, severity: severityFromLabel(entry.score),
    assigner: entry.type, provenance: ctx.provenance,
  };
}

/** A textual rating (`database_specific.severity`: GHSA's 'MODERATE', 'HIGH'…). */
export function labelRating(label: string, ctx: RatingContext): SeverityRating {
  return { source: ctx.source, type: 'LABEL', label, severity: severityFromLabel(label), provenance: ctx.provenance };
}

/** Drops repeated ratings (the same rating given at record level and for every package). */
export function uniqueRatings(ratings: readonly SeverityRating[]): SeverityRating[] {
  const seen = new Set<string>();
  const out: SeverityRating[] = [];
  for (const rating of ratings) {
    const key = canonicalJson({ ...rating, provenance: undefined });
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(rating);
  }
  return out;
}
