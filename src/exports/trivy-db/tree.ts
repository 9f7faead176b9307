import type { Advisory, AffectedPackage } from '../../advisories/index.js';
import { createBoltTree, type BoltBucket } from '../../bolt/index.js';
import { langValue, osValue, type EntryValue } from './entries.js';
import { goMapJson, goStructJson } from './json.js';
import {
  LANG_SPECS, langBucketName, langDataSource, normalizeLangName, OS_SPECS, type DataSource,
} from './names.js';
import { trivyVulnerability } from './vulnerability.js';

/*
 * Canonical advisories → the Trivy DB v2 bucket tree (what trivy-db's Build leaves after optimize
 * and cleanup):
 *   <OS or language bucket> / <package> / <vulnerability id> → Advisory JSON
 *   vulnerability / <vulnerability id> → Vulnerability JSON
 *   data-source / <bucket name> → DataSource JSON
 * Vulnerability ids follow trivy-db's OSV rule (osv.go groupVulnIDs): every CVE id among the
 * advisory's key and aliases, each with its own entry; with no CVE, the key. The other ids become
 * VendorIDs of language values. (trivy-db also maps ids to data sources only through the
 * `data-source` bucket, one entry per bucket; the build-time vulnerability-id bucket is deleted
 * before release, so it is not written.)
 * Our model has no counterpart for some trivy-db keys, and these are noted where they are made:
 * non-CVE advisories keyed by their own id (an ALSA with only `related` CVEs stays ALSA-…, where
 * trivy-db's errata source files it under each CVE); GHSA Swift records are not copied to CocoaPods
 * names (that needs the CocoaPods Specs repository).
 */

export interface TrivyTreeOptions {
  /**
   * 'advised' (default, as trivy-db): `vulnerability` holds only ids some bucket names — an id
   * only NVD knows gets no record. 'all': every non-withdrawn advisory gets one.
   */
  readonly vulnerabilities?: 'advised' | 'all';
}

export interface TrivyTreeSummary {
  /** Advisories read. */
  advisories: number;
  /** Withdrawn advisories (never written). */
  withdrawn: number;
  /** Advisories written to at least one package bucket. */
  exported: number;
  /** Keys in the `vulnerability` bucket. */
  vulnerabilities: number;
  /** Top-level advisory bucket → number of (package, id) values in it. */
  buckets: Record<string, number>;
  /** Why affected entries (or, for 'duplicate-id', advisories) were not written → how many. */
  skipped: Record<string, number>;
  /** Ecosystems (and OS releases) with no trivy bucket → how many affected entries. */
  unmapped: Record<string, number>;
  /** Ranges with no trivy counterpart (OSV GIT ranges, unreadable ones). */
  skippedRanges: number;
  /** Severity ratings from sources with no trivy source id. */
  unmappedRatings: number;
}

export interface TrivyTree {
  readonly root: BoltBucket;
  readonly summary: TrivyTreeSummary;
}

const CVE = /^CVE-\d{4}-\d+$/i;

interface Group {
  readonly bucket: string;
  readonly pkg: string;
  readonly source: DataSource;
  readonly entries: AffectedPackage[];
  readonly value: (entries: readonly AffectedPackage[]) => EntryValue & { skippedRanges?: number };
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Fills a Trivy DB tree one advisory at a time (memory holds the tree, not the advisories). */
export class TrivyTreeBuilder {
  private readonly root = createBoltTree();
  private readonly dataSources = new Map<string, DataSource>();
  private readonly seenIds = new Set<string>();
  private readonly summary: TrivyTreeSummary = {
    advisories: 0, withdrawn: 0, exported: 0, vulnerabilities: 0, buckets: {}, skipped: {}, unmapped: {},
    skippedRanges: 0, unmappedRatings: 0,
  };

  constructor(private readonly options: TrivyTreeOptions = {}) {
    // trivy reads `vulnerability` without a nil check: it must exist even when empty.
    this.root.bucket('vulnerability');
    this.root.bucket('data-source');
  }

  add(advisory: Advisory): void {
    this.summary.advisories += 1;
    if (advisory.withdrawn !== undefined) {
      this.summary.withdrawn += 1;
      return;
    }
    const ids = [advisory.key, ...advisory.aliases];
    const cves = ids.filter((id) => CVE.test(id));
    const vulnIds = cves.length > 0 ? cves : [advisory.key];
    if (vulnIds.some((id) => this.seenIds.has(id))) {
      bump(this.summary.skipped, 'duplicate-id');
      return;
    }
    vulnIds.forEach((id) => this.seenIds.add(id));
    const vendorIds = ids.filter((id) => !CVE.test(id) && !vulnIds.includes(id)).sort();
    let written = 0;
    for (const group of this.groups(advisory, vendorIds)) written += this.write(group, vulnIds);
    if (written > 0) this.summary.exported += 1;
    if (written > 0 || this.options.vulnerabilities === 'all') this.putVulnerability(advisory, vulnIds);
  }

  finish(): TrivyTree {
    const sources = this.root.bucket('data-source');
    for (const name of [...this.dataSources.keys()].sort()) sources.put(name, goStructJson(this.dataSources.get(name)));
    return { root: this.root, summary: this.summary };
  }

  /** The advisory's entries grouped by (bucket, package key), in the advisory's (sorted) order. */
  private groups(advisory: Advisory, vendorIds: readonly string[]): Group[] {
    const groups = new Map<string, Group>();
    const add = (bucket: string, source: DataSource, pkg: string, entry: AffectedPackage, value: Group['value']): void => {
      const id = `${bucket}\u0000${pkg}`;
      const group = groups.get(id) ?? { bucket, pkg, source, entries: [], value };
      groups.set(id, group);
      group.entries.push(entry);
    };
    for (const entry of advisory.affected) {
      const os = OS_SPECS.get(entry.ecosystem);
      const lang = LANG_SPECS.get(entry.ecosystem);
      if (os !== undefined) {
        const bucket = os.bucket(entry.release);
        if (bucket === undefined) {
          bump(this.summary.unmapped, `${entry.ecosystem}:${entry.release ?? ''}`);
          continue;
        }
        // Keyed by the name as the record gives it: for Debian/Ubuntu our model holds the SOURCE package.
        add(bucket, os.dataSource, entry.name, entry, (entries) => osValue(os, advisory, entries));
      } else if (lang !== undefined) {
        const source = langDataSource(lang, entry.sourceId);
        const bucket = langBucketName(lang, source);
        const key = normalizeLangName(lang.slug, entry.name);
        add(bucket, source, key, entry, (entries) => langValue(lang, vendorIds, entries));
        // trivy-db's GHSA source also keeps NuGet advisories under the original-case name.
        if (lang.slug === 'nuget' && key !== entry.name) add(bucket, source, entry.name, entry, (entries) => langValue(lang, vendorIds, entries));
      } else {
        bump(this.summary.unmapped, entry.ecosystem);
      }
    }
    return [...groups.values()];
  }

  private write(group: Group, vulnIds: readonly string[]): number {
    const result = group.value(group.entries);
    this.summary.skippedRanges += result.skippedRanges ?? 0;
    if ('skip' in result) {
      bump(this.summary.skipped, result.skip, group.entries.length);
      return 0;
    }
    this.dataSources.set(group.bucket, group.source);
    const json = goMapJson(result.value);
    const bucket = this.root.bucket(group.bucket).bucket(group.pkg);
    for (const id of vulnIds) bucket.put(id, json);
    bump(this.summary.buckets, group.bucket, vulnIds.length);
    return vulnIds.length;
  }

  private putVulnerability(advisory: Advisory, vulnIds: readonly string[]): void {
    const { value, unmappedRatings } = trivyVulnerability(advisory);
    this.summary.unmappedRatings += unmappedRatings;
    const json = goStructJson(value);
    const bucket = this.root.bucket('vulnerability');
    for (const id of vulnIds) bucket.put(id, json);
    this.summary.vulnerabilities += vulnIds.length;
  }
}

/** The whole tree of a set of advisories. */
export function buildTrivyTree(advisories: Iterable<Advisory>, options?: TrivyTreeOptions): TrivyTree {
  const builder = new TrivyTreeBuilder(options);
  for (const advisory of advisories) builder.add(advisory);
  return builder.finish();
}

/** The same, from a stream of advisories (a store page at a time). */
export async function buildTrivyTreeAsync(advisories: AsyncIterable<Advisory>, options?: TrivyTreeOptions): Promise<TrivyTree> {
  const builder = new TrivyTreeBuilder(options);
  for await (const advisory of advisories) builder.add(advisory);
  return builder.finish();
}
