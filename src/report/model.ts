import type { Inventory } from '../inventory/index.js';
import type { Finding } from '../match/index.js';

/*
 * What every report writer reads: the scanned inventory, the findings that remain after filtering,
 * the ones a VEX document or an ignore file suppressed, and the injected clock and tool version.
 */

export type ReportFormat = 'table' | 'json' | 'cyclonedx' | 'sarif' | 'trivy-json';

export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'json', 'cyclonedx', 'sarif', 'trivy-json'];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

/** A finding that a filter removed, and why (filters.ts returns these). */
export interface SuppressedFinding {
  readonly finding: Finding;
  readonly reason: 'vex' | 'ignore-file';
  /** The ignore entry's reason, or the VEX statement's impact_statement. */
  readonly statement?: string;
  /** The OpenVEX justification label (vulnerable_code_not_present…). */
  readonly justification?: string;
  /** The VEX status that suppressed it; absent for ignore-file entries. */
  readonly vexStatus?: 'not_affected' | 'fixed';
  /** The VEX statement's @id, when it has one. */
  readonly statementId?: string;
}

export interface ReportInput {
  readonly inventory: Inventory;
  readonly findings: readonly Finding[];
  /** What the user asked to scan, as typed (docker-archive:img.tar, sbom:bom.json…). */
  readonly target: string;
  /** The injected clock: the CLI passes SOURCE_DATE_EPOCH, else now. */
  readonly created: Date;
  readonly toolVersion: string;
  readonly suppressed?: readonly SuppressedFinding[];
}
