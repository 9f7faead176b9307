/*
 * The canonical advisory model (pure data). Every external feed (OSV, GHSA, NVD, later the
 * distro trackers and regional feeds) is mapped once, at the edge in src/feeds/connectors/*, into a
 * SourceAdvisory; the merge (merge.ts) unites SourceAdvisories that name the same vulnerability
 * into one Advisory. Nothing downstream (match, report, exports) reads a foreign format.
 *
 * All timestamps are ISO-8601 UTC strings (`2020-07-15T17:15:12Z` as the source wrote it,
 * normalized by `normalizeTimestamp`). All lists in a canonical Advisory are sorted, so that the
 * same inputs always serialize (canonicalJson) to the same bytes.
 */

/** Precedence classes for affected ranges: distro > vendor > ghsa/osv > nvd (configurable). */
export type SourceClass = 'distro' | 'vendor' | 'ghsa' | 'osv' | 'nvd' | 'regional';

/** Where a value came from: the raw document it was mapped from. */
export interface Provenance {
  /** Connector name: 'osv', 'ghsa', 'nvd'… */
  readonly source: string;
  /** The raw document's id within its source (store: raw_documents.document_id). */
  readonly documentId: string;
  /** Lower-case hex SHA-256 of the raw document's bytes. */
  readonly documentSha256: string;
  /** When the raw document was fetched (ISO-8601 UTC); part of the raw document, so deterministic. */
  readonly recordedAt: string;
}

export type Severity = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' | 'UNKNOWN';

export interface SeverityRating {
  /** Who rated it: 'nvd', 'ghsa', 'osv', a distro ('debian', 'ubuntu'…), a CNA… */
  readonly source: string;
  /** CVSS_V2 | CVSS_V3 (3.0 and 3.1; the vector says which) | CVSS_V4 | LABEL (a textual rating only). */
  readonly type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'LABEL';
  /** The CVSS vector as the source wrote it (absent for LABEL). */
  readonly vector?: string;
  /** Base score computed from `vector` with src/cvss (or the source's score when it gives no vector). */
  readonly score?: number;
  /** Normalized severity (from the score, or the source's label mapped to this scale). */
  readonly severity: Severity;
  /** The source's own label, untouched ('moderate', 'important', 'Medium'…). */
  readonly label?: string;
  /** Extra qualifier the source gives, e.g. NVD's metric source + type: 'nvd@nist.gov Primary'. */
  readonly assigner?: string;
  readonly provenance: Provenance;
}

export interface Reference {
  readonly url: string;
  /** OSV reference type (ADVISORY, FIX, WEB, PACKAGE, REPORT…), or the source's tag, or 'WEB'. */
  readonly type: string;
  readonly provenance: readonly Provenance[];
}

export interface Weakness {
  /** 'CWE-79'. NVD-CWE-Other / NVD-CWE-noinfo are kept as written. */
  readonly id: string;
  readonly provenance: readonly Provenance[];
}

export type AffectedStatus = 'affected' | 'fixed' | 'not_affected' | 'unfixed' | 'will_not_fix';

/** One range, in the internal form plus the source's own expression. */
export interface AffectedRange {
  /**
   * The internal form: a `vers:` string (src/versions formatVers), in the ordering of the scheme its
   * type names; null when the source range cannot be put in it (OSV GIT ranges, ecosystems without a
   * version scheme, a constraint that does not parse). A null range is evaluated as 'unknown', never
   * dropped and never guessed.
   */
  readonly vers: string | null;
  /** The source's original expression, kept verbatim for audit and for formats that need it. */
  readonly original: {
    /** e.g. 'osv:ECOSYSTEM', 'osv:SEMVER', 'osv:GIT', 'ghsa', 'nvd:cpe'. */
    readonly kind: string;
    /** The expression: OSV events as compact JSON, GHSA's `>= 1.0, < 1.2`, a CPE match as JSON. */
    readonly expression: string;
    /** OSV GIT ranges: the repository. */
    readonly repo?: string;
  };
}

export interface AffectedPackage {
  /**
   * The ecosystem without release, as OSV names ecosystems: 'npm', 'PyPI', 'Maven', 'Go',
   * 'crates.io', 'RubyGems', 'NuGet', 'Packagist', 'Debian', 'Ubuntu', 'Alpine', 'Rocky Linux'…
   */
  readonly ecosystem: string;
  /** Distro release ('12', 'v3.19', '22.04'), absent for language ecosystems. */
  readonly release?: string;
  /** The package name as the source spells it; for distros, the SOURCE package name. */
  readonly name: string;
  /** Name normalized for lookup (PyPI: PEP 503; others as written). */
  readonly normalizedName: string;
  readonly purl?: string;
  readonly ranges: readonly AffectedRange[];
  /** Explicitly listed affected versions (OSV `versions`). */
  readonly versions: readonly string[];
  /** Every version the source names as a fix, in source order, deduplicated. */
  readonly fixedVersions: readonly string[];
  readonly status: AffectedStatus;
  /** The precedence class of the source record this entry came from. */
  readonly origin: SourceClass;
  /** The id of the source record this entry came from (GHSA-…, CVE-…, DSA-…). */
  readonly sourceId: string;
  readonly provenance: Provenance;
  /** Ecosystem-specific extras kept verbatim as compact JSON (OSV ecosystem_specific), if any. */
  readonly extra?: string;
}

/** NVD CPE applicability, kept faithfully (matching on CPE is opt-in, behind a flag). */
export interface CpeMatch {
  readonly vulnerable: boolean;
  readonly criteria: string;
  readonly matchCriteriaId?: string;
  readonly versionStartIncluding?: string;
  readonly versionStartExcluding?: string;
  readonly versionEndIncluding?: string;
  readonly versionEndExcluding?: string;
}

export interface CpeNode {
  readonly operator: 'AND' | 'OR';
  readonly negate: boolean;
  readonly cpeMatch: readonly CpeMatch[];
}

export interface CpeConfiguration {
  readonly operator?: 'AND' | 'OR';
  readonly negate?: boolean;
  readonly nodes: readonly CpeNode[];
  readonly provenance: Provenance;
}

/**
 * One source's view of one vulnerability record, as mapped at the edge. Lists may be in any order;
 * the merge sorts and deduplicates.
 */
export interface SourceAdvisory {
  /** Connector name ('osv', 'ghsa', 'nvd'…). */
  readonly source: string;
  /** The record's own id in its source (GHSA-…, CVE-…, GO-…, DSA-…, PYSEC-…). */
  readonly id: string;
  /** Other ids for the same vulnerability (OSV `aliases`, GHSA identifiers, …); never includes `id`. */
  readonly aliases: readonly string[];
  /**
   * Ids of upstream vulnerabilities this record is about but is not the same as (OSV `upstream`,
   * e.g. a DSA or a DEBIAN-CVE record naming its CVEs). Used by the alias graph: see merge.ts.
   */
  readonly upstream: readonly string[];
  /** Loosely related ids (OSV `related`), informational only: they never unite advisories. */
  readonly related: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly published?: string;
  readonly modified?: string;
  /** Set when the source withdrew the record. */
  readonly withdrawn?: string;
  readonly severities: readonly SeverityRating[];
  /** CWE ids ('CWE-79'). */
  readonly cwes: readonly string[];
  readonly references: readonly { readonly url: string; readonly type: string }[];
  readonly affected: readonly AffectedPackage[];
  readonly cpeConfigurations: readonly CpeConfiguration[];
  /** The precedence class of this record for scalar fields (summary, details…). */
  readonly sourceClass: SourceClass;
  readonly provenance: Provenance;
}

/** A scalar field with the provenance of the value chosen. */
export interface Field<T> {
  readonly value: T;
  readonly provenance: Provenance;
}

export interface ContributingRecord {
  readonly source: string;
  readonly id: string;
  readonly modified?: string;
  readonly withdrawn?: string;
  readonly provenance: Provenance;
}

export const ADVISORY_SCHEMA_VERSION = 1;

/** The canonical advisory: one per vulnerability, merged from every source that names it. */
export interface Advisory {
  readonly schemaVersion: typeof ADVISORY_SCHEMA_VERSION;
  /** The CVE id when there is one (the lowest, if the alias graph holds several), else a source id. */
  readonly key: string;
  /** Every other id of the vulnerability (sorted, never includes key). */
  readonly aliases: readonly string[];
  /** Related ids (informational), sorted. */
  readonly related: readonly string[];
  readonly summary?: Field<string>;
  readonly details?: Field<string>;
  readonly published?: Field<string>;
  readonly modified?: Field<string>;
  /** Set when every contributing record is withdrawn: the advisory stops matching, history stays. */
  readonly withdrawn?: Field<string>;
  readonly severities: readonly SeverityRating[];
  readonly cwes: readonly Weakness[];
  readonly references: readonly Reference[];
  /** After precedence: per package, the entries of the highest-precedence class that covers it. */
  readonly affected: readonly AffectedPackage[];
  readonly cpeConfigurations: readonly CpeConfiguration[];
  /** Every source record merged in (withdrawn ones included), sorted by source then id. */
  readonly sources: readonly ContributingRecord[];
}
