import { writeCycloneDx } from './cyclonedx.js';
import { ReportError } from './errors.js';
import { writeJson } from './json.js';
import { REPORT_FORMATS, type ReportFormat, type ReportInput } from './model.js';
import { writeSarif } from './sarif.js';
import { writeTable } from './table.js';
import { writeTrivyJson } from './trivy.js';

/** The one place report formats are registered. */
const WRITERS: Readonly<Record<ReportFormat, (input: ReportInput) => string>> = {
  table: writeTable,
  json: writeJson,
  cyclonedx: writeCycloneDx,
  sarif: writeSarif,
  'trivy-json': writeTrivyJson,
};

/** Renders a report; the same input (in any finding order) gives the same bytes, ending in a newline. */
export function writeReport(format: ReportFormat, input: ReportInput): string {
  const writer = Object.hasOwn(WRITERS, format) ? WRITERS[format] : undefined;
  if (writer === undefined) throw new ReportError('unknown-format', `unknown report format "${String(format)}"; known: ${REPORT_FORMATS.join(', ')}`);
  return writer(input);
}
