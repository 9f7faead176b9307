import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import type { Provenance, Severity } from '../advisories/index.js';
import { scoreVector } from '../cvss/index.js';
import { finalizePackage, type Distro, type Inventory, type Package, type PackageDraft } from '../inventory/index.js';
import type { Finding, FindingEvidence, FindingRating } from '../match/index.js';
import type { ReportInput, SuppressedFinding } from './model.js';

/*
 * SYNTHETIC report inputs for the writer tests. The advisory facts (ids, aliases, titles,
 * descriptions, vectors, CWEs, references, dates, Debian's per-release status and urgency) are read
 * from the real records in testdata/advisories (see testdata/SOURCE); the image, the package
 * versions, paths, layers and digests, the matcher's verdicts and the VEX statement are made up.
 */

const TESTDATA = new URL('./testdata/advisories/', import.meta.url);

function read(file: string): string {
  return readFileSync(new URL(file, TESTDATA), 'utf8');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function provenance(source: string, documentId: string, body: string): Provenance {
  return { source, documentId, documentSha256: sha256(body), recordedAt: '2024-06-01T00:00:00Z' };
}

function cvss(source: string, vector: string): FindingRating {
  const result = scoreVector(vector);
  return { source, type: vector.startsWith('CVSS:4') ? 'CVSS_V4' : vector.startsWith('CVSS:3') ? 'CVSS_V3' : 'CVSS_V2', vector, score: result.baseScore, severity: result.baseSeverity as Severity };
}

export const DISTRO: Distro = { id: 'debian', version: '11', codename: 'bullseye', prettyName: 'Debian GNU/Linux 11 (bullseye)' };
export const TARGET = 'docker-archive:app.tar';
export const LAYERS = [1, 2].map((n) => ({ digest: `sha256:${sha256(`synthetic blob ${n}`)}`, diffId: `sha256:${sha256(`synthetic layer ${n}`)}` }));
const [LAYER1, LAYER2] = LAYERS.map((l) => l.diffId) as [string, string];

const DPKG = '/var/lib/dpkg/status';
const LOCK = '/app/package-lock.json';

function pkg(draft: PackageDraft, layer: string): Package {
  return finalizePackage(draft, layer, DISTRO);
}

export const PACKAGES = {
  ant: pkg({ type: 'deb', name: 'ant', version: '1.10.9-4', arch: 'all', source: { name: 'ant' }, location: DPKG, foundBy: 'dpkg' }, LAYER1),
  zlib: pkg({ type: 'deb', name: 'zlib1g', version: '1:1.2.11.dfsg-2+deb11u2', arch: 'amd64', source: { name: 'zlib' }, location: DPKG, foundBy: 'dpkg' }, LAYER1),
  putty: pkg({ type: 'deb', name: 'putty', version: '0.74-1+deb11u1', arch: 'amd64', source: { name: 'putty' }, location: DPKG, foundBy: 'dpkg' }, LAYER2),
  lodash: pkg({ type: 'npm', name: 'lodash', version: '4.17.15', location: LOCK, foundBy: 'npm-lock' }, LAYER2),
  lodashEs: pkg({ type: 'npm', name: 'lodash-es', version: '4.17.15', location: LOCK, foundBy: 'npm-lock' }, LAYER2),
  requests: pkg({ type: 'pypi', name: 'requests', version: '2.25.1', location: '/usr/lib/python3/dist-packages/requests-2.25.1.egg-info/PKG-INFO', foundBy: 'python-metadata' }, LAYER1),
} as const;

export function syntheticInventory(): Inventory {
  return {
    image: {
      reference: TARGET, configDigest: `sha256:${sha256('synthetic config')}`, manifestDigest: `sha256:${sha256('synthetic manifest')}`,
      tags: ['registry.example/app:1.0'], os: 'linux', architecture: 'amd64', layers: LAYERS,
    },
    distro: DISTRO,
    packages: Object.values(PACKAGES),
    issues: [],
  };
}

function findingPackage(p: Package): Finding['package'] {
  return { name: p.name, version: p.version, purl: p.purl, type: p.type, location: p.location, ...(p.source === undefined ? {} : { sourceName: p.source.name }), ...(p.layer === undefined ? {} : { layer: p.layer }) };
}

interface GhsaRecord {
  id: string; aliases: string[]; summary: string; details: string; published: string; modified: string;
  severity: Array<{ score: string }>; references: Array<{ url: string }>; database_specific: { cwe_ids: string[]; severity: string };
  affected: Array<{ package: { name: string }; ranges: Array<{ events: unknown[] }> }>;
}

/** lodash and lodash-es 4.17.15 against GHSA-p6mc-m468-83gw (real record, synthetic match). */
function lodashFindings(): Finding[] {
  const body = read('GHSA-p6mc-m468-83gw.json');
  const ghsa = JSON.parse(body) as GhsaRecord;
  const prov = provenance('ghsa', ghsa.id, body);
  return [PACKAGES.lodash, PACKAGES.lodashEs].map((p) => {
    const affected = ghsa.affected.find((a) => a.package.name === p.name);
    const evidence: FindingEvidence = {
      ecosystem: 'npm', name: p.name, range: 'vers:npm/<4.17.20', original: JSON.stringify(affected?.ranges[0]?.events), sourceId: ghsa.id, provenance: prov,
    };
    return {
      id: ghsa.aliases[0] as string, aliases: [ghsa.id], package: findingPackage(p), installedVersion: p.version, fixedVersions: ['4.17.20'],
      status: 'fixed', verdict: 'affected', severity: ghsa.database_specific.severity as Severity, severitySource: 'ghsa',
      ratings: [cvss('ghsa', (ghsa.severity[0] as { score: string }).score)], title: ghsa.summary, description: ghsa.details,
      published: ghsa.published, modified: ghsa.modified, dataSource: 'ghsa', references: ghsa.references.map((r) => r.url),
      cwes: ghsa.database_specific.cwe_ids, evidence,
    };
  });
}

interface NvdRecord {
  id: string; published: string; lastModified: string; descriptions: Array<{ lang: string; value: string }>;
  metrics: { cvssMetricV31: Array<{ cvssData: { vectorString: string } }> }; references: Array<{ url: string }>;
  weaknesses: Array<{ description: Array<{ value: string }> }>;
}

/** zlib1g against CVE-2023-45853 from NVD: a CPE range the matcher could not evaluate (synthetic verdict). */
function zlibFinding(): Finding {
  const body = read('CVE-2023-45853.json');
  const nvd = JSON.parse(body) as NvdRecord;
  const p = PACKAGES.zlib;
  return {
    id: nvd.id, aliases: [], package: findingPackage(p), installedVersion: p.version, fixedVersions: [], status: 'unknown', verdict: 'unknown',
    severity: 'CRITICAL', severitySource: 'nvd', ratings: nvd.metrics.cvssMetricV31.map((m) => cvss('nvd', m.cvssData.vectorString)),
    description: nvd.descriptions.find((d) => d.lang === 'en')?.value, published: `${nvd.published}Z`, modified: `${nvd.lastModified}Z`,
    dataSource: 'nvd', references: nvd.references.map((r) => r.url),
    cwes: [...new Set(nvd.weaknesses.flatMap((w) => w.description.map((d) => d.value)))],
    evidence: { ecosystem: 'cpe', name: 'zlib', reason: 'synthetic: CPE configuration not evaluable for this package', sourceId: nvd.id, provenance: provenance('nvd', nvd.id, body) },
  };
}

/** A CVE entry of Debian's data/CVE/list: the description in parentheses and the raw block. */
function debianEntry(cve: string): { description: string; block: string } {
  const text = read('security-tracker-data-CVE-list-sample.txt');
  const start = text.indexOf(`${cve} (`);
  const end = text.indexOf('\nCVE-', start + 1);
  const block = text.slice(start, end < 0 ? undefined : end);
  return { description: /^\S+ \((.*)\)$/m.exec(block)?.[1] ?? '', block };
}

function debianFinding(cve: string, p: Package, status: Finding['status'], range: string, label: string): Finding {
  const { description, block } = debianEntry(cve);
  const notes = [...block.matchAll(/NOTE: (https?:\S+)/g)].map((m) => m[1] as string);
  return {
    id: cve, aliases: [], package: findingPackage(p), installedVersion: p.version, fixedVersions: [], status, verdict: 'affected',
    severity: 'LOW', severitySource: 'debian', ratings: [{ source: 'debian', type: 'LABEL', severity: 'LOW' }], description,
    dataSource: 'debian', references: notes, cwes: [],
    evidence: { ecosystem: 'Debian', release: '11', name: p.source?.name ?? p.name, original: `${range} (${label})`, sourceId: cve, provenance: provenance('debian', 'data/CVE/list', block) },
  };
}

/** putty: `[bullseye] - putty <no-dsa> (Minor issue)`, urgency low. */
export function puttyFinding(): Finding {
  return debianFinding('CVE-2021-36367', PACKAGES.putty, 'will_not_fix', '<no-dsa>', 'low');
}

/** ant: `- ant <unfixed> (unimportant)`. */
export function antFinding(): Finding {
  return debianFinding('CVE-2021-36373', PACKAGES.ant, 'unfixed', '<unfixed>', 'unimportant');
}

export function syntheticFindings(): Finding[] {
  return [...lodashFindings(), zlibFinding(), puttyFinding()];
}

/** ant's finding, suppressed by a (synthetic) OpenVEX not_affected statement. */
export function syntheticSuppressed(): SuppressedFinding[] {
  return [{
    finding: antFinding(), reason: 'vex', vexStatus: 'not_affected', justification: 'vulnerable_code_not_in_execute_path',
    statement: 'The ant CLI is only run at build time (synthetic statement)', statementId: 'https://example.com/vex/app-1.0#ant',
  }];
}

export function syntheticInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    inventory: syntheticInventory(), findings: syntheticFindings(), suppressed: syntheticSuppressed(), target: TARGET,
    created: new Date('2024-06-01T12:00:00Z'), toolVersion: '0.1.0', ...overrides,
  };
}

type FormatsPlugin = (ajv: Ajv) => unknown;
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as unknown as FormatsPlugin;
let sarifValidator: ValidateFunction | undefined;

/**
 * Validates a SARIF log against the official 2.1.0 schema (testdata/schemas). The schema is
 * draft-04 but uses no draft-04-only keyword besides its root "id", so it is compiled as draft-07
 * with that "id" read as "$id"; formats (uri, uri-reference, date-time) are checked by ajv-formats.
 */
export function validateSarif(document: unknown): string[] {
  if (sarifValidator === undefined) {
    const schema = JSON.parse(readFileSync(new URL('./testdata/schemas/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const { $schema: _draft04, id, ...rest } = schema;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    sarifValidator = ajv.compile({ ...rest, $id: String(id) });
  }
  return sarifValidator(document) ? [] : (sarifValidator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}
