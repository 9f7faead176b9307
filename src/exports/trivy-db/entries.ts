import type { Advisory, AffectedPackage } from '../../advisories/index.js';
import { getScheme, VersionError } from '../../versions/index.js';
import { applyLastKnownAffected, langVersions } from './constraints.js';
import { STATUS, type LangSpec, type OsSpec } from './names.js';

/*
 * Advisory values (types.Advisory, written as sorted-key maps) for the affected entries of one
 * canonical advisory that fall on one (bucket, package) pair. A value is undefined when the entries
 * have no counterpart in trivy's model; `reason` says why (counted in the export summary).
 */

export type EntryValue = { readonly value: Record<string, unknown> } | { readonly skip: string };

const DEBIAN_VENDOR_ID = /^(DSA|DLA)-/;

/** debian.go severityFromUrgency. */
function urgencyToSeverity(urgency: string | undefined): number {
  switch (urgency) {
    case 'unimportant': case 'low': case 'low*': case 'low**': return 1;
    case 'medium': case 'medium*': case 'medium**': return 2;
    case 'high': case 'high*': case 'high**': return 3;
    default: return 0;
  }
}

/** The newest of the fixed versions by the distro's order; the first in our order when one does not parse. */
function newestFix(spec: OsSpec, fixes: readonly string[]): string | undefined {
  const scheme = getScheme(spec.scheme);
  let best: string | undefined;
  for (const fix of fixes) {
    if (best === undefined) {
      best = fix;
      continue;
    }
    try {
      if (scheme.compare(fix, best) > 0) best = fix;
    } catch (error) {
      if (!(error instanceof VersionError)) throw error;
    }
  }
  // utils.ConstructVersion writes no epoch when it is 0.
  return spec.scheme === 'rpm' && best !== undefined ? best.replace(/^0:/, '') : best;
}

/**
 * An OS value. Fixed: {"FixedVersion"}; not fixed: per OsSpec.unfixed. Debian-style values add
 * VendorIDs (the DSA/DLA records the entries came from) and Severity (Debian's urgency, which our
 * model keeps per advisory, not per package: the advisory's 'debian' LABEL rating).
 * Entries marked not_affected are never written (trivy-db skips not-affected annotations); an entry
 * marked fixed without a version cannot be written (trivy would report an empty FixedVersion as
 * unfixed).
 */
export function osValue(spec: OsSpec, advisory: Advisory, entries: readonly AffectedPackage[]): EntryValue {
  const live = entries.filter((e) => e.status !== 'not_affected');
  if (live.length === 0) return { skip: 'not-affected' };
  const fix = newestFix(spec, live.flatMap((e) => e.fixedVersions));
  const value: Record<string, unknown> = {};
  if (fix !== undefined) value.FixedVersion = fix;
  else {
    const open = live.filter((e) => e.status !== 'fixed');
    if (open.length === 0) return { skip: 'fixed-without-version' };
    if (spec.unfixed === 'skip') return { skip: 'unfixed-not-representable' };
    if (spec.unfixed === 'status') value.Status = open.every((e) => e.status === 'will_not_fix') ? STATUS.will_not_fix : STATUS.affected;
  }
  if (spec.debianStyle) {
    const vendorIds = [...new Set(live.map((e) => e.sourceId).filter((id) => DEBIAN_VENDOR_ID.test(id)))].sort();
    if (vendorIds.length > 0) value.VendorIDs = vendorIds;
    const urgency = advisory.severities.find((s) => s.source === 'debian' && s.type === 'LABEL')?.label;
    const severity = urgencyToSeverity(urgency);
    if (severity !== 0) value.Severity = severity;
  }
  return { value };
}

/** Go records name the platforms an import is limited to (ecosystem_specific.imports[].goos/goarch). */
function goPlatforms(entries: readonly AffectedPackage[]): { OSes?: string[]; Arches?: string[] } {
  const oses: string[] = [];
  const arches: string[] = [];
  for (const entry of entries) {
    if (entry.extra === undefined) continue;
    let imports: unknown;
    try {
      imports = (JSON.parse(entry.extra) as { ecosystem_specific?: { imports?: unknown } }).ecosystem_specific?.imports;
    } catch {
      continue;
    }
    if (!Array.isArray(imports)) continue;
    for (const imp of imports as { goos?: unknown; goarch?: unknown }[]) {
      for (const os of Array.isArray(imp.goos) ? imp.goos : []) if (typeof os === 'string' && !oses.includes(os)) oses.push(os);
      for (const arch of Array.isArray(imp.goarch) ? imp.goarch : []) if (typeof arch === 'string' && !arches.includes(arch)) arches.push(arch);
    }
  }
  return { ...(oses.length === 0 ? {} : { OSes: oses }), ...(arches.length === 0 ? {} : { Arches: arches }) };
}

/**
 * A language value: {"VendorIDs", "VulnerableVersions", "PatchedVersions"} (+ OSes/Arches for Go),
 * the entries' ranges concatenated as trivy-db does for a package listed more than once.
 */
export function langValue(spec: LangSpec, vendorIds: readonly string[], entries: readonly AffectedPackage[]): EntryValue & { skippedRanges: number } {
  const vulnerable: string[] = [];
  const patched: string[] = [];
  let skippedRanges = 0;
  for (const entry of entries) {
    const versions = langVersions(entry);
    skippedRanges += versions.skippedRanges;
    vulnerable.push(...applyLastKnownAffected(entry, versions.vulnerable));
    patched.push(...versions.patched);
  }
  if (vulnerable.length === 0 && patched.length === 0) return { skip: 'no-version-constraint', skippedRanges };
  const value: Record<string, unknown> = {
    ...(vendorIds.length === 0 ? {} : { VendorIDs: [...vendorIds] }),
    ...(vulnerable.length === 0 ? {} : { VulnerableVersions: vulnerable }),
    ...(patched.length === 0 ? {} : { PatchedVersions: patched }),
    ...(spec.slug === 'go' ? goPlatforms(entries) : {}),
  };
  return { value, skippedRanges };
}
