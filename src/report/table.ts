import type { Finding } from '../match/index.js';
import type { ReportInput, SuppressedFinding } from './model.js';
import { sortFindings, summaryLine } from './order.js';
import { displayName, indexPackages, packageOf, reportTargets, type ReportTarget } from './targets.js';
import { oneLine, truncate } from './text.js';

/*
 * The human report: one section per target (OS packages, then each language file) with its
 * findings worst first, a severity summary, and the suppressed findings at the end. Plain text,
 * no colours; every column is as wide as its widest cell, so the same input gives the same bytes.
 * Long names and titles are cut with an ellipsis; fixed versions never are.
 */

const TITLE_WIDTH = 60;
const CELL_WIDTH = 40;

type Row = readonly string[];

function renderTable(header: Row, rows: readonly Row[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: Row): string => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function heading(text: string): string[] {
  return [text, '='.repeat(text.length)];
}

function cell(text: string, width = CELL_WIDTH): string {
  const value = truncate(oneLine(text), width);
  return value === '' ? '-' : value;
}

function findingRow(finding: Finding, name: string): Row {
  return [
    cell(name), cell(finding.id), finding.severity, finding.status, cell(finding.installedVersion),
    // Fixed versions are the actionable part: never cut (RUSTSEC ranges list a fix per 0.2.x line).
    cell(finding.fixedVersions.join(', '), Number.POSITIVE_INFINITY), cell(finding.title ?? finding.description ?? '', TITLE_WIDTH),
  ];
}

function section(target: ReportTarget, nameOf: (f: Finding) => string): string[] {
  const first = target.class === 'os-pkgs' ? 'PACKAGE' : 'LIBRARY';
  const header = [first, 'VULNERABILITY', 'SEVERITY', 'STATUS', 'INSTALLED', 'FIXED', 'TITLE'];
  return [
    ...heading(target.label), summaryLine(target.findings), '',
    ...renderTable(header, target.findings.map((f) => findingRow(f, nameOf(f)))), '',
  ];
}

function suppressedSection(suppressed: readonly SuppressedFinding[], nameOf: (f: Finding) => string): string[] {
  if (suppressed.length === 0) return [];
  const rows = sortFindings(suppressed, (s) => s.finding).map((s) => [
    cell(nameOf(s.finding)), cell(s.finding.id), s.finding.severity,
    s.reason === 'vex' ? `vex:${s.vexStatus ?? 'not_affected'}` : 'ignore-file',
    cell([s.justification, s.statement].filter((t) => t !== undefined && t !== '').join(': '), TITLE_WIDTH),
  ]);
  return [
    ...heading('Suppressed'), `Total: ${suppressed.length}`, '',
    ...renderTable(['PACKAGE', 'VULNERABILITY', 'SEVERITY', 'REASON', 'DETAIL'], rows), '',
  ];
}

export function writeTable(input: ReportInput): string {
  const packages = indexPackages(input.inventory);
  const nameOf = (f: Finding): string => displayName(packageOf(packages, f), f);
  const targets = reportTargets(input).filter((t) => t.findings.length > 0);
  const lines = targets.length > 0
    ? targets.flatMap((t) => section(t, nameOf))
    : [...heading(oneLine(input.target)), summaryLine([]), ''];
  lines.push(...suppressedSection(input.suppressed ?? [], nameOf));
  return `${lines.join('\n').trimEnd()}\n`;
}
