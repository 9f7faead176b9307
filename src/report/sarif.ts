import type { Severity } from '../advisories/index.js';
import type { Finding } from '../match/index.js';
import { sha256Hex } from './ids.js';
import type { ReportInput } from './model.js';
import { compareText, severityRank, sortFindings } from './order.js';
import { primaryUrl } from './sources.js';
import { displayName, indexPackages, packageOf, stripRoot } from './targets.js';
import { oneLine, prettyJson } from './text.js';

/*
 * SARIF 2.1.0 for GitHub code scanning: one run, one rule per vulnerability id, one result per
 * finding located at the file that declared the package (GitHub needs a location, so line 1).
 * Suppressed findings are left out: GitHub does not honour SARIF `suppressions` and would open
 * alerts for them.
 */

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const INFORMATION_URI = 'https://stella-ops.org';

type Json = Record<string, unknown>;

function level(severity: Severity): 'error' | 'warning' | 'note' {
  if (severity === 'CRITICAL' || severity === 'HIGH') return 'error';
  return severity === 'MEDIUM' ? 'warning' : 'note';
}

/** A representative score for a severity without one, inside GitHub's band for that severity. */
const LABEL_SCORES: Readonly<Record<Severity, number>> = { CRITICAL: 9.5, HIGH: 8.0, MEDIUM: 5.5, LOW: 2.0, NONE: 0, UNKNOWN: 0 };

/**
 * The score GitHub files the alert under: the score of the rating the shown severity came from (so
 * the band matches the level), else a representative score of the severity.
 */
function securityScore(f: Finding): number {
  const shown = f.ratings.find((r) => r.score !== undefined && r.severity === f.severity && (f.severitySource === undefined || r.source === f.severitySource));
  return shown?.score ?? LABEL_SCORES[f.severity];
}

/** A relative URI reference for a path inside the image ('?' and '#' escaped too). */
function pathUri(path: string, fallback: string): string {
  const relative = stripRoot(path) || fallback.replace(/^[a-z][a-z0-9+.-]*:/i, '').replace(/^\/+/, '') || 'unknown';
  return encodeURI(relative).replace(/[?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function fixedText(f: Finding): string {
  return f.fixedVersions.length > 0 ? f.fixedVersions.join(', ') : 'none';
}

function mdCell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}

function rule(id: string, findings: readonly Finding[], nameOf: (f: Finding) => string): Json {
  const first = findings[0] as Finding;
  const worst = findings.reduce((a, b) => severityRank(b.severity) < severityRank(a.severity) ? b : a);
  const score = Math.max(...findings.map(securityScore));
  const url = primaryUrl(first);
  const summary = oneLine(first.title ?? first.description ?? id) || id;
  const rows = findings.map((f) => [nameOf(f), f.installedVersion, fixedText(f), f.severity]);
  const text = [`Vulnerability ${id}`, `Severity: ${worst.severity}`, ...rows.map(([p, i, x]) => `Package: ${p} ${i} (fixed: ${x})`), `Link: ${url}`, '', first.description ?? summary].join('\n');
  const markdown = [
    `**Vulnerability ${id}**`, '', '| Package | Installed | Fixed | Severity |', '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.map((c) => mdCell(c ?? '')).join(' | ')} |`), '', `[${id}](${url})`, '', first.description ?? summary,
  ].join('\n');
  return {
    id,
    shortDescription: { text: summary },
    fullDescription: { text: first.description ?? summary },
    helpUri: url,
    help: { text, markdown },
    defaultConfiguration: { level: level(worst.severity) },
    properties: { tags: ['security', 'vulnerability'], 'security-severity': score.toFixed(1) },
  };
}

function result(f: Finding, ruleIndex: number, nameOf: (f: Finding) => string, target: string): Json {
  const uri = pathUri(f.package.location, target);
  const name = nameOf(f);
  return {
    ruleId: f.id,
    ruleIndex,
    level: level(f.severity),
    message: { text: `Package: ${name}\nInstalled Version: ${f.installedVersion}\nVulnerability: ${f.id}\nSeverity: ${f.severity}\nStatus: ${f.status}\nFixed Version: ${fixedText(f)}` },
    locations: [{
      physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } },
      message: { text: `${uri}: ${name}@${f.installedVersion}` },
    }],
    partialFingerprints: { 'stellaFinding/v1': sha256Hex([f.id, f.package.purl, f.package.location].join('\u0000')) },
  };
}

export function writeSarif(input: ReportInput): string {
  const packages = indexPackages(input.inventory);
  const nameOf = (f: Finding): string => displayName(packageOf(packages, f), f);
  const findings = sortFindings(input.findings, (f) => f);
  const byId = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byId.get(f.id) ?? [];
    list.push(f);
    byId.set(f.id, list);
  }
  const ids = [...byId.keys()].sort(compareText);
  const index = new Map(ids.map((id, i) => [id, i]));
  return prettyJson({
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'stella', version: input.toolVersion, informationUri: INFORMATION_URI,
          rules: ids.map((id) => rule(id, byId.get(id) ?? [], nameOf)),
        },
      },
      results: findings.map((f) => result(f, index.get(f.id) ?? 0, nameOf, input.target)),
    }],
  });
}
