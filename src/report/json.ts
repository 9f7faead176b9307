import type { ReportInput } from './model.js';
import { countBySeverity, sortFindings } from './order.js';
import { formatCreated, prettyJson } from './text.js';

/*
 * Our own JSON report (docs/report-json.md). Bump REPORT_JSON_SCHEMA_VERSION on any change that
 * removes or renames a field or changes a field's meaning; adding a field does not bump it.
 */

export const REPORT_JSON_SCHEMA_VERSION = 1;

export function writeJson(input: ReportInput): string {
  const suppressed = sortFindings(input.suppressed ?? [], (s) => s.finding);
  const { image, distro } = input.inventory;
  return prettyJson({
    schemaVersion: REPORT_JSON_SCHEMA_VERSION,
    target: input.target,
    created: formatCreated(input.created),
    tool: { name: 'stella', version: input.toolVersion },
    image,
    distro,
    issues: input.inventory.issues,
    summary: {
      packages: input.inventory.packages.length,
      findings: input.findings.length,
      bySeverity: countBySeverity(input.findings),
      suppressed: suppressed.length,
    },
    findings: sortFindings(input.findings, (f) => f),
    suppressed,
  });
}
