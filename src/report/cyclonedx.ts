import { canonicalJson } from '../advisories/index.js';
import type { Finding, FindingRating } from '../match/index.js';
import { writeSbom } from '../sbom/index.js';
import { analysisOf, type CdxAnalysis } from './cyclonedx-vex.js';
import { ReportError } from './errors.js';
import { sha256Hex, uuidV5 } from './ids.js';
import type { ReportInput, SuppressedFinding } from './model.js';
import { compareText, sortFindings } from './order.js';
import { idUrl, sourceName, sourceUrl } from './sources.js';
import { displayName, indexPackages, packageOf } from './targets.js';
import { prettyJson, rfc3339 } from './text.js';

/*
 * CycloneDX 1.6: the SBOM writer's document (components, bom-refs) plus `vulnerabilities`. One
 * vulnerability per id and analysis, `affects` pointing at the components by bom-ref; suppressed
 * findings carry their VEX / ignore-file analysis.
 */

type Json = Record<string, unknown>;

interface Entry { readonly finding: Finding; readonly suppression?: SuppressedFinding }

interface Component { readonly 'bom-ref': string; readonly purl?: string; readonly properties?: ReadonlyArray<{ name: string; value: string }> }

/** Component bom-refs by purl + stella:location, and by purl alone. */
function componentRefs(bom: Json): (finding: Finding) => string {
  const exact = new Map<string, string>();
  const byPurl = new Map<string, string>();
  for (const c of (bom.components ?? []) as Component[]) {
    if (c.purl === undefined) continue;
    const location = c.properties?.find((p) => p.name === 'stella:location')?.value ?? '';
    exact.set(`${c.purl}\u0000${location}`, c['bom-ref']);
    if (!byPurl.has(c.purl)) byPurl.set(c.purl, c['bom-ref']);
  }
  return (f) => {
    const ref = exact.get(`${f.package.purl}\u0000${f.package.location}`) ?? byPurl.get(f.package.purl);
    if (ref === undefined) throw new ReportError('unknown-package', `finding ${f.id} names ${f.package.purl} (${f.package.location}), which is not in the inventory`);
    return ref;
  };
}

const METHODS: Readonly<Record<FindingRating['type'], string>> = { CVSS_V2: 'CVSSv2', CVSS_V3: 'CVSSv3', CVSS_V4: 'CVSSv4', LABEL: 'other' };

function rating(r: FindingRating): Json {
  const method = r.type === 'CVSS_V3' && r.vector?.startsWith('CVSS:3.1/') === true ? 'CVSSv31' : METHODS[r.type];
  return { source: { name: sourceName(r.source) }, score: r.score, severity: r.severity.toLowerCase(), method, vector: r.vector };
}

function unique<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => { const k = canonicalJson(item); return seen.has(k) ? false : (seen.add(k), true); });
}

function cweNumbers(findings: readonly Finding[]): number[] | undefined {
  const numbers = new Set<number>();
  for (const f of findings) for (const cwe of f.cwes) { const m = /^CWE-(\d+)$/i.exec(cwe); if (m?.[1] !== undefined && Number(m[1]) > 0) numbers.add(Number(m[1])); }
  return numbers.size === 0 ? undefined : [...numbers].sort((a, b) => a - b);
}

function affects(findings: readonly Finding[], refOf: (f: Finding) => string): Json[] {
  const byRef = new Map<string, Json[]>();
  for (const f of findings) {
    const versions = byRef.get(refOf(f)) ?? [];
    versions.push({ version: f.installedVersion, status: f.verdict === 'unknown' ? 'unknown' : 'affected' });
    byRef.set(refOf(f), versions);
  }
  return [...byRef.keys()].sort(compareText).map((ref) => ({ ref, versions: unique(byRef.get(ref) ?? []) }));
}

function recommendation(findings: readonly Finding[], nameOf: (f: Finding) => string): string | undefined {
  const lines = unique(findings.filter((f) => f.fixedVersions.length > 0).map((f) => `Upgrade ${nameOf(f)} to ${f.fixedVersions.join(' or ')}`));
  return lines.length === 0 ? undefined : lines.map((l) => `${l}.`).join(' ');
}

function vulnerability(entries: readonly Entry[], bomRef: string, refOf: (f: Finding) => string, nameOf: (f: Finding) => string): Json {
  const findings = entries.map((e) => e.finding);
  const first = findings[0] as Finding;
  const aliases = [...new Set(findings.flatMap((f) => f.aliases))].filter((a) => a !== first.id).sort(compareText);
  const urls = [...new Set(findings.flatMap((f) => f.references))].sort(compareText);
  const statuses = [...new Set(findings.map((f) => f.status))].sort(compareText);
  const suppression = entries[0]?.suppression;
  const analysis: CdxAnalysis | undefined = suppression === undefined ? undefined : analysisOf(suppression);
  return {
    'bom-ref': bomRef,
    id: first.id,
    source: { name: sourceName(first.dataSource), url: sourceUrl(first.dataSource, [first.id, ...first.aliases]) ?? idUrl(first.id) },
    references: aliases.length === 0 ? undefined : aliases.map((id) => ({ id, source: { name: sourceName(schemeSource(id)), url: idUrl(id) } })),
    ratings: unique(findings.flatMap((f) => f.ratings.map(rating))),
    cwes: cweNumbers(findings),
    description: first.description ?? first.title,
    recommendation: recommendation(findings, nameOf),
    advisories: urls.length === 0 ? undefined : urls.map((url) => ({ url })),
    published: rfc3339(first.published),
    updated: rfc3339(first.modified),
    analysis,
    affects: affects(findings, refOf),
    properties: statuses.map((value) => ({ name: 'stella:status', value })),
  };
}

function schemeSource(id: string): string {
  return /^CVE-/i.test(id) ? 'nvd' : /^GHSA-/i.test(id) ? 'ghsa' : 'osv';
}

/** Groups by id and analysis, in id order; entries inside a group in report order. */
function groups(input: ReportInput): Entry[][] {
  const entries: Entry[] = [
    ...input.findings.map((finding) => ({ finding })),
    ...(input.suppressed ?? []).map((suppression) => ({ finding: suppression.finding, suppression })),
  ];
  const byKey = new Map<string, Entry[]>();
  for (const e of sortFindings(entries, (x) => x.finding)) {
    const s = e.suppression;
    const key = `${e.finding.id}\u0000${s === undefined ? '' : canonicalJson({ ...s, finding: undefined })}`;
    const list = byKey.get(key) ?? [];
    list.push(e);
    byKey.set(key, list);
  }
  return [...byKey.keys()].sort(compareText).map((k) => byKey.get(k) ?? []);
}

export function writeCycloneDx(input: ReportInput): string {
  const bom = JSON.parse(writeSbom(input.inventory, 'cyclonedx', { created: input.created, toolVersion: input.toolVersion })) as Json;
  const refOf = componentRefs(bom);
  const packages = indexPackages(input.inventory);
  const nameOf = (f: Finding): string => displayName(packageOf(packages, f), f);
  const seen = new Map<string, number>();
  const vulnerabilities = groups(input).map((entries) => {
    const id = (entries[0] as Entry).finding.id;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return vulnerability(entries, n === 0 ? `vulnerability:${id}` : `vulnerability:${id}:${n}`, refOf, nameOf);
  });
  const body = { ...bom, serialNumber: undefined, vulnerabilities: vulnerabilities.length === 0 ? undefined : vulnerabilities };
  return prettyJson({ ...body, serialNumber: `urn:uuid:${uuidV5(`stella-report:${sha256Hex(canonicalJson(body))}`)}` });
}
