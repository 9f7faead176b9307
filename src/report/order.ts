import { canonicalJson, type Severity } from '../advisories/index.js';
import type { Finding } from '../match/index.js';

/** Report order of severities, worst first. NONE (a CVSS 0.0 rating) sits between LOW and UNKNOWN. */
export const SEVERITY_ORDER: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE', 'UNKNOWN'];

export function severityRank(severity: Severity): number {
  const rank = SEVERITY_ORDER.indexOf(severity);
  return rank < 0 ? SEVERITY_ORDER.length : rank;
}

/** Code-unit order, the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareFindings(a: Finding, b: Finding): number {
  return severityRank(a.severity) - severityRank(b.severity)
    || compareText(a.package.name, b.package.name)
    || compareText(a.installedVersion, b.installedVersion)
    || compareText(a.id, b.id)
    || compareText(a.package.purl, b.package.purl)
    || compareText(a.package.location, b.package.location);
}

/**
 * Findings in report order: severity (worst first), package, installed version, id, purl, location;
 * findings equal on all of those are ordered by their whole content, so any input order gives the
 * same output.
 */
export function sortFindings<T>(items: readonly T[], findingOf: (item: T) => Finding): T[] {
  const keys = new Map<T, string>();
  const keyOf = (item: T): string => {
    let key = keys.get(item);
    if (key === undefined) keys.set(item, key = canonicalJson(item));
    return key;
  };
  return [...items].sort((a, b) => compareFindings(findingOf(a), findingOf(b)) || compareText(keyOf(a), keyOf(b)));
}

export type SeverityCounts = Readonly<Record<Severity, number>>;

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, NONE: 0, UNKNOWN: 0 };
  for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

/** `Total: 3 (CRITICAL: 0, HIGH: 2, MEDIUM: 0, LOW: 1, UNKNOWN: 0)`; NONE is listed only when present. */
export function summaryLine(findings: readonly Finding[]): string {
  const counts = countBySeverity(findings);
  const shown = SEVERITY_ORDER.filter((s) => s !== 'NONE' || counts.NONE > 0);
  return `Total: ${findings.length} (${shown.map((s) => `${s}: ${counts[s]}`).join(', ')})`;
}
