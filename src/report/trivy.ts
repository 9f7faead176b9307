import type { Severity } from '../advisories/index.js';
import type { Inventory } from '../inventory/index.js';
import type { Finding, FindingRating, FindingStatus } from '../match/index.js';
import type { ReportInput } from './model.js';
import { compareText } from './order.js';
import { primaryUrl } from './sources.js';
import { displayName, indexPackages, packageOf, PER_PACKAGE_TYPES, reportTargets, stripRoot, type ReportTarget } from './targets.js';
import { formatCreated, prettyJson, rfc3339 } from './text.js';
import { trivyDataSource, trivyOsFamily } from './trivy-sources.js';

/*
 * Trivy's JSON report, SchemaVersion 2 (aquasecurity/trivy pkg/types/report.go and
 * vulnerability.go, trivy-db pkg/types/types.go and status.go), so tools built on Trivy reports
 * read ours. Field names and value sets are Trivy's; what we cannot fill (PkgIdentifier.UID,
 * Fingerprint, ImageConfig) is left out, as Trivy's omitempty does for empty values.
 */

type Json = Record<string, unknown>;

/** trivy-db's severity integers (SeverityNames): UNKNOWN 0 … CRITICAL 4. NONE has no place there. */
const SEVERITY_INT: Readonly<Record<Severity, number>> = { UNKNOWN: 0, NONE: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

function trivySeverity(severity: Severity): string {
  return severity === 'NONE' ? 'UNKNOWN' : severity;
}

/** Our states in trivy-db's Statuses: an open distro issue is `affected` there. */
const STATUS: Readonly<Record<FindingStatus, string>> = {
  fixed: 'fixed', affected: 'affected', unfixed: 'affected', will_not_fix: 'will_not_fix', unknown: 'unknown',
};

const VENDOR_ID = /^(DSA|DLA|USN|RHSA|RHBA|RHEA|ALSA|ALBA|ALEA|RLSA|ALAS\d*|ELSA|SUSE-SU|openSUSE-SU)-/;

/** VendorSeverity: each source's preferred rating; CVSS: each source's vectors and scores by version. */
function ratingsBySource(ratings: readonly FindingRating[]): { vendor: Json; cvss: Json } {
  const vendor = new Map<string, number>();
  const cvss = new Map<string, Record<string, unknown>>();
  for (const r of ratings) {
    if (!vendor.has(r.source)) vendor.set(r.source, SEVERITY_INT[r.severity]);
    if (r.type === 'LABEL') continue;
    const entry = cvss.get(r.source) ?? {};
    cvss.set(r.source, entry);
    const [vectorKey, scoreKey] = r.type === 'CVSS_V2' ? ['V2Vector', 'V2Score'] : r.type === 'CVSS_V3' ? ['V3Vector', 'V3Score'] : ['V40Vector', 'V40Score'];
    if (entry[vectorKey] === undefined && entry[scoreKey] === undefined) {
      entry[vectorKey] = r.vector;
      entry[scoreKey] = r.score;
    }
  }
  return { vendor: Object.fromEntries(vendor), cvss: Object.fromEntries(cvss) };
}

function pkgId(name: string, f: Finding, type: string | undefined): string {
  return type === 'maven' ? `${name}:${f.installedVersion}` : `${name}@${f.installedVersion}`;
}

function vulnerability(f: Finding, inventory: Inventory, target: ReportTarget, packages: ReturnType<typeof indexPackages>): Json {
  const pkg = packageOf(packages, f);
  const name = displayName(pkg, f);
  const { vendor, cvss } = ratingsBySource(f.ratings);
  const digest = inventory.image?.layers.find((l) => l.diffId === f.package.layer)?.digest;
  const vendorIds = f.aliases.filter((a) => VENDOR_ID.test(a)).sort(compareText);
  return {
    VulnerabilityID: f.id,
    VendorIDs: vendorIds.length > 0 ? vendorIds : undefined,
    PkgID: pkgId(name, f, pkg?.type ?? f.package.type),
    PkgName: name,
    PkgPath: target.class === 'lang-pkgs' && PER_PACKAGE_TYPES.has(target.type) ? stripRoot(f.package.location) || undefined : undefined,
    PkgIdentifier: { PURL: f.package.purl },
    InstalledVersion: f.installedVersion,
    FixedVersion: f.fixedVersions.length > 0 ? f.fixedVersions.join(', ') : undefined,
    Status: STATUS[f.status],
    Layer: f.package.layer === undefined ? undefined : { Digest: digest, DiffID: f.package.layer },
    SeveritySource: f.severitySource,
    PrimaryURL: primaryUrl(f),
    DataSource: trivyDataSource(f),
    Title: f.title,
    Description: f.description,
    Severity: trivySeverity(f.severity),
    CweIDs: f.cwes.length > 0 ? f.cwes : undefined,
    VendorSeverity: Object.keys(vendor).length > 0 ? vendor : undefined,
    CVSS: Object.keys(cvss).length > 0 ? cvss : undefined,
    References: f.references.length > 0 ? f.references : undefined,
    PublishedDate: rfc3339(f.published),
    LastModifiedDate: rfc3339(f.modified),
  };
}

/** `name:tag` → `name@digest` for each tag, as Trivy's RepoDigests. */
function repoDigests(tags: readonly string[], digest: string | undefined): string[] | undefined {
  if (digest === undefined || tags.length === 0) return undefined;
  const repos = tags.map((t) => { const colon = t.lastIndexOf(':'); return colon > t.lastIndexOf('/') ? t.slice(0, colon) : t; });
  return [...new Set(repos)].sort(compareText).map((r) => `${r}@${digest}`);
}

function metadata(inventory: Inventory): Json {
  const { image, distro } = inventory;
  return {
    OS: distro === undefined ? undefined : { Family: trivyOsFamily(distro.id), Name: distro.version },
    ImageID: image?.configDigest,
    DiffIDs: image === undefined || image.layers.length === 0 ? undefined : image.layers.map((l) => l.diffId),
    RepoTags: image === undefined || image.tags.length === 0 ? undefined : [...image.tags].sort(compareText),
    RepoDigests: repoDigests(image?.tags ?? [], image?.manifestDigest),
  };
}

export function writeTrivyJson(input: ReportInput): string {
  const packages = indexPackages(input.inventory);
  const distro = input.inventory.distro;
  const results = reportTargets(input).map((t) => ({
    // Trivy names the OS target and type by its OS family: "<artifact> (<family> <version>)".
    Target: t.class === 'os-pkgs' && distro !== undefined ? `${input.target} (${trivyOsFamily(distro.id)} ${distro.version})` : t.label,
    Class: t.class,
    Type: t.class === 'os-pkgs' ? trivyOsFamily(t.type) : t.type,
    Vulnerabilities: t.findings.length > 0 ? t.findings.map((f) => vulnerability(f, input.inventory, t, packages)) : undefined,
  }));
  return prettyJson({
    SchemaVersion: 2,
    CreatedAt: formatCreated(input.created),
    ArtifactName: input.target,
    ArtifactType: input.inventory.image === undefined ? 'filesystem' : 'container_image',
    Metadata: metadata(input.inventory),
    Results: results.length > 0 ? results : undefined,
  });
}
