import type { Provenance, Severity } from '../advisories/index.js';

/*
 * What the matcher produces (issue 6): one Finding per (package, vulnerability). Plain data, the
 * input of every report writer and filter; sorted deterministically by the matcher.
 */

/** How sure the matcher is that the installed version is affected. */
export type MatchVerdict = 'affected' | 'unknown';

/**
 * The state a report shows:
 * - fixed: a fixed version exists (the installed one is below it);
 * - affected: affected, and the entry names no fix above the installed version although it names
 *   fixes (e.g. listed in `versions` above its ranges' fixes);
 * - unfixed: no fix exists yet (a distro's open issue in this release, or an advisory whose ranges
 *   name no fixed version: no fix event, a bare `versions` list, only a `last_affected` bound, GHSA
 *   with no patched version);
 * - will_not_fix: the distro decided not to fix it in this release;
 * - unknown: the matcher could not evaluate the range (see evidence).
 */
export type FindingStatus = 'fixed' | 'affected' | 'unfixed' | 'will_not_fix' | 'unknown';

export interface FindingRating {
  /** Who rated: 'debian', 'ghsa', 'nvd'… */
  readonly source: string;
  readonly type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'LABEL';
  readonly vector?: string;
  readonly score?: number;
  readonly severity: Severity;
}

export interface FindingPackage {
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  /** purl type (deb, npm…). */
  readonly type: string;
  /** Source package name for OS packages (what distro advisories key on). */
  readonly sourceName?: string;
  readonly layer?: string;
  readonly location: string;
}

export interface FindingEvidence {
  /** The advisory package entry that matched: ecosystem (+ release) and name. */
  readonly ecosystem: string;
  readonly release?: string;
  readonly name: string;
  /** The range that covered the installed version (vers form, else the source's expression). */
  readonly range?: string;
  /** The source's own expression of that range. */
  readonly original?: string;
  /** Why the verdict is unknown, when it is. */
  readonly reason?: string;
  /** Which record gave the entry. */
  readonly sourceId: string;
  readonly provenance: Provenance;
}

export interface Finding {
  /** The canonical advisory key (a CVE id when there is one). */
  readonly id: string;
  readonly aliases: readonly string[];
  readonly package: FindingPackage;
  readonly installedVersion: string;
  readonly fixedVersions: readonly string[];
  readonly status: FindingStatus;
  readonly verdict: MatchVerdict;
  /** The severity shown: the distro's rating for OS packages, GHSA's for language packages, then NVD. */
  readonly severity: Severity;
  /** Where `severity` came from. */
  readonly severitySource?: string;
  /** Every rating, preferred first (CVSS v4.0 over v3.1 over v3.0 over v2 within a source). */
  readonly ratings: readonly FindingRating[];
  readonly title?: string;
  readonly description?: string;
  readonly published?: string;
  readonly modified?: string;
  /** The data source of the matched entry ('osv', 'ghsa', 'nvd'…). */
  readonly dataSource: string;
  readonly references: readonly string[];
  readonly cwes: readonly string[];
  readonly evidence: FindingEvidence;
}
