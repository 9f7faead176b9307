import { PackageURL } from 'packageurl-js';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Severity } from '../advisories/index.js';
import { StellaError } from '../common/index.js';
import type { Finding } from '../match/index.js';
import type { SuppressedFinding } from './model.js';

/*
 * Filtering and gating of findings (issue 6): --severity, --ignore-unfixed, --ignore-file (Trivy's
 * .trivyignore and .trivyignore.yaml), --vex (OpenVEX 0.2.0, v0.0.1 shapes read too) and --exit-code.
 * Pure: the CLI reads the files and passes their text; `now` is injected.
 */

export type FilterErrorCode = 'BAD_IGNORE_FILE' | 'BAD_VEX' | 'BAD_SEVERITY' | 'BAD_OPTIONS';

export class FilterError extends StellaError<FilterErrorCode> {
  constructor(code: FilterErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'FilterError';
  }
}

// ---------------------------------------------------------------- severities

const SEVERITY_ORDER: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE', 'UNKNOWN'];

/** "critical, HIGH" → ['CRITICAL', 'HIGH'] (unique, most severe first); unknown names throw BAD_SEVERITY. */
export function parseSeverities(text: string): Severity[] {
  const wanted = new Set<Severity>();
  for (const raw of text.split(',')) {
    const name = raw.trim().toUpperCase();
    if (name === '') continue;
    const severity = SEVERITY_ORDER.find((s) => s === name);
    if (severity === undefined) throw new FilterError('BAD_SEVERITY', `unknown severity ${JSON.stringify(raw.trim())}: expected one of ${SEVERITY_ORDER.join(', ')}`);
    wanted.add(severity);
  }
  if (wanted.size === 0) throw new FilterError('BAD_SEVERITY', 'expected at least 1 severity, got 0');
  return SEVERITY_ORDER.filter((s) => wanted.has(s));
}

// ---------------------------------------------------------------- ignore files

export interface IgnoreEntry {
  /** Vulnerability id; '' (only in .trivyignore.yaml, with purls or paths) matches every id. */
  readonly id: string;
  /** YYYY-MM-DD: from 00:00 UTC of that day on, the entry no longer suppresses (as Trivy). */
  readonly expires?: string;
  readonly reason?: string;
  /** Only these packages (Trivy's purl constraint: no version = any version; qualifiers must be present). */
  readonly purls?: readonly string[];
  /** Only packages declared in files matching these globs (doublestar syntax, relative to the image root). */
  readonly paths?: readonly string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

function ignoreError(fileName: string, line: number, message: string, cause?: unknown): FilterError {
  return new FilterError('BAD_IGNORE_FILE', `${fileName}:${line}: ${message}`, cause === undefined ? undefined : { cause });
}

/** .trivyignore.yaml when the name ends in .yaml/.yml (as Trivy decides), else the .trivyignore text format. */
export function parseIgnoreFile(text: string, fileName: string): IgnoreEntry[] {
  const body = text.replace(/^\uFEFF/, '');
  return /\.ya?ml$/i.test(fileName) ? parseIgnoreYaml(body, fileName) : parseIgnoreText(body, fileName);
}

/*
 * One id per line, `#` comments, `exp:YYYY-MM-DD` anywhere after the id, other `key:value` fields
 * ignored (pkg/result/ignore.go). Text after a ` #` on an entry line is kept as the reason. Trivy
 * skips a line with a bad date with a warning; a security gate refuses the file instead.
 */
function parseIgnoreText(text: string, fileName: string): IgnoreEntry[] {
  const entries: IgnoreEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const hash = raw.search(/(^|\s)#/);
    const body = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    if (body === '') return;
    const comment = hash < 0 ? '' : raw.slice(raw.indexOf('#', hash) + 1).trim();
    const [id = '', ...fields] = body.split(/\s+/);
    if (id.startsWith('exp:')) throw ignoreError(fileName, index + 1, `expected an id before ${JSON.stringify(id)}`);
    const exp = fields.find((f) => f.startsWith('exp:'))?.slice(4);
    if (exp !== undefined && !validDate(exp)) throw ignoreError(fileName, index + 1, `expected exp:YYYY-MM-DD, got ${JSON.stringify(`exp:${exp}`)}`);
    entries.push({ id, ...(exp === undefined ? {} : { expires: exp }), ...(comment === '' ? {} : { reason: comment }) });
  });
  return entries;
}

function parseIgnoreYaml(text: string, fileName: string): IgnoreEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number => (node?.range === undefined || node.range === null ? 1 : lines.linePos(node.range[0]).line);
  const first = doc.errors[0];
  if (first !== undefined) throw ignoreError(fileName, first.linePos?.[0].line ?? 1, `not YAML: ${first.message}`, first);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return [];
  if (!isMap(root)) throw ignoreError(fileName, lineOf(root), 'expected a mapping with a "vulnerabilities" list');
  const list = root.get('vulnerabilities', true) as Node | undefined;
  if (list === undefined || (isScalar(list) && list.value === null)) return [];
  if (!isSeq(list)) throw ignoreError(fileName, lineOf(list), '"vulnerabilities" must be a list');
  return list.items.map((item) => yamlEntry(item as Node, fileName, lineOf));
}

function yamlStrings(node: unknown, at: () => never): string[] | undefined {
  if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
  if (!isSeq(node) || !node.items.every((i) => isScalar(i) && typeof i.value === 'string')) return at();
  return node.items.map((i) => String((i as { value: string }).value));
}

function yamlEntry(item: Node, fileName: string, lineOf: (n: Node | null | undefined) => number): IgnoreEntry {
  if (!isMap(item)) throw ignoreError(fileName, lineOf(item), 'expected an entry mapping (id, paths, purls, expired_at, statement)');
  const field = (key: string): Node | undefined => item.get(key, true) as Node | undefined;
  const fail = (key: string, what: string): never => { throw ignoreError(fileName, lineOf(field(key) ?? item), `${key}: ${what}`); };
  const scalarText = (key: string): string | undefined => {
    const node = field(key);
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) return fail(key, 'expected a string');
    return String(node.value);
  };
  const id = scalarText('id') ?? '';
  const paths = yamlStrings(field('paths'), () => fail('paths', 'expected a list of strings'));
  const purls = yamlStrings(field('purls'), () => fail('purls', 'expected a list of strings'));
  if (id === '' && (paths ?? []).length === 0 && (purls ?? []).length === 0) fail('id', 'an entry needs an id, purls or paths (an empty entry would ignore everything)');
  for (const purl of purls ?? []) if (parsePurl(purl) === undefined) fail('purls', `not a package URL: ${JSON.stringify(purl)}`);
  for (const path of paths ?? []) if (globRegExp(path) === undefined) fail('paths', `invalid glob ${JSON.stringify(path)}`);
  const expires = scalarText('expired_at');
  if (expires !== undefined && !validDate(expires)) fail('expired_at', `expected YYYY-MM-DD, got ${JSON.stringify(expires)}`);
  const reason = scalarText('statement');
  return {
    id, ...(expires === undefined ? {} : { expires }), ...(reason === undefined ? {} : { reason }),
    ...(purls === undefined ? {} : { purls }), ...(paths === undefined ? {} : { paths }),
  };
}

/** doublestar-style glob → RegExp (`**` any depth, `*`/`?` within a segment, `[…]`, `{a,b}`); undefined when malformed. */
function globRegExp(glob: string): RegExp | undefined {
  let out = '';
  let braces = 0;
  const g = glob.replace(/^\/+/, '');
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string;
    if (c === '*' && g[i + 1] === '*') {
      const slash = g[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = g.indexOf(']', i + 2);
      if (end < 0) return undefined;
      const body = g.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      out += `[${body}]`;
      i = end;
    } else if (c === '{') { braces++; out += '(?:'; }
    else if (c === '}' && braces > 0) { braces--; out += ')'; }
    else if (c === ',' && braces > 0) out += '|';
    else if (c === '\\' && i + 1 < g.length) { out += escapeRegExp(g[i + 1] as string); i++; }
    else out += escapeRegExp(c);
  }
  if (braces !== 0) return undefined;
  try {
    return new RegExp(`^${out}$`);
  } catch {
    return undefined; // e.g. a reversed class range [z-a]
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// ---------------------------------------------------------------- OpenVEX

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexStatement {
  readonly vulnerability: string;
  /** The vulnerability's aliases, and its @id IRI when it has one. */
  readonly aliases: readonly string[];
  /** Product identifiers (@id and identifiers.purl): purls, pkg:oci purls or image references. */
  readonly products: readonly string[];
  /** When set, the statement covers only these packages of the products (purls). */
  readonly subcomponents?: readonly string[];
  readonly status: VexStatus;
  readonly justification?: string;
  readonly impactStatement?: string;
  readonly statementId?: string;
  /** RFC 3339, the statement's own or inherited from the document. */
  readonly timestamp?: string;
}

const VEX_CONTEXTS = new Set(['https://openvex.dev/ns', 'https://openvex.dev/ns/v0.0.1', 'https://openvex.dev/ns/v0.2.0']);
const VEX_STATUSES = new Set<string>(['not_affected', 'affected', 'fixed', 'under_investigation']);
const JUSTIFICATIONS = new Set([
  'component_not_present', 'vulnerable_code_not_present', 'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary', 'inline_mitigations_already_exist',
]);
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Sortable [seconds, nanoseconds] of an RFC 3339 timestamp; undefined when malformed. */
function timestampKey(text: string): [number, number] | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', , sign, oh = '0', om = '0'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== `${y}-${mo}-${d}T${h}:${mi}:${s}`) return undefined;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
  return [ms / 1000 - (sign === undefined ? 0 : offset), Number(frac.slice(0, 9).padEnd(9, '0'))];
}

/** OpenVEX 0.2.0 document → statements in document order; throws BAD_VEX on an invalid document. */
export function parseOpenVex(text: string, fileName: string): VexStatement[] {
  const fail = (message: string, cause?: unknown): never => {
    throw new FilterError('BAD_VEX', `${fileName}: ${message}`, cause === undefined ? undefined : { cause });
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return fail(`not JSON: ${(error as Error).message}`, error);
  }
  if (!isObject(doc) || typeof doc['@context'] !== 'string') return fail('not an OpenVEX document (no @context)');
  if (!VEX_CONTEXTS.has(doc['@context'])) return fail(`unsupported OpenVEX @context ${JSON.stringify(doc['@context'])}`);
  const docTime = doc.timestamp;
  if (docTime !== undefined && (typeof docTime !== 'string' || timestampKey(docTime) === undefined)) return fail(`document timestamp is not RFC 3339: ${JSON.stringify(docTime)}`);
  if (!Array.isArray(doc.statements)) return fail('expected a "statements" list');
  return doc.statements.flatMap((raw, index) => readStatement(raw, docTime, (m) => fail(`statement ${index}: ${m}`)));
}

function readVulnerability(raw: unknown, fail: (m: string) => never): { name: string; aliases: string[] } {
  if (typeof raw === 'string' && raw !== '') return { name: raw, aliases: [] }; // v0.0.1
  if (!isObject(raw) || optString(raw.name) === undefined) return fail('vulnerability.name is required');
  const aliases = raw.aliases ?? [];
  if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string')) return fail('vulnerability.aliases must be a list of strings');
  const iri = optString(raw['@id']);
  return { name: raw.name as string, aliases: [...(aliases as string[]), ...(iri === undefined ? [] : [iri])] };
}

/** A component's matchable identifiers: @id and identifiers.purl (hashes and CPEs have nothing to match in a finding). */
function componentIds(raw: unknown, fail: (m: string) => never): string[] {
  if (typeof raw === 'string') return raw === '' ? [] : [raw]; // v0.0.1
  if (!isObject(raw)) return fail('a product or subcomponent must be an object');
  const ids = [optString(raw['@id']), isObject(raw.identifiers) ? optString(raw.identifiers.purl) : undefined];
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

function readStatement(raw: unknown, docTime: string | undefined, fail: (m: string) => never): VexStatement[] {
  if (!isObject(raw)) return fail('expected an object');
  const { name, aliases } = readVulnerability(raw.vulnerability, fail);
  const status = raw.status;
  if (typeof status !== 'string' || !VEX_STATUSES.has(status)) return fail(`status must be one of ${[...VEX_STATUSES].join(', ')}, got ${JSON.stringify(status)}`);
  const justification = optString(raw.justification);
  if (raw.justification !== undefined && (justification === undefined || !JUSTIFICATIONS.has(justification))) fail(`unknown justification ${JSON.stringify(raw.justification)}`);
  const impactStatement = optString(raw.impact_statement);
  if (status === 'not_affected' && justification === undefined && impactStatement === undefined) fail('a not_affected statement needs a justification or an impact_statement');
  const timestamp = raw.timestamp === undefined ? docTime : raw.timestamp;
  if (timestamp !== undefined && (typeof timestamp !== 'string' || timestampKey(timestamp) === undefined)) fail(`timestamp is not RFC 3339: ${JSON.stringify(timestamp)}`);
  if (!Array.isArray(raw.products) || raw.products.length === 0) return fail('a statement needs products');
  const legacySubs = Array.isArray(raw.subcomponents) ? raw.subcomponents.flatMap((s) => componentIds(s, fail)) : [];
  const statementId = optString(raw['@id']);
  const base = {
    vulnerability: name, aliases, status: status as VexStatus,
    ...(justification === undefined ? {} : { justification }), ...(impactStatement === undefined ? {} : { impactStatement }),
    ...(statementId === undefined ? {} : { statementId }), ...(timestamp === undefined ? {} : { timestamp: timestamp as string }),
  };
  // Products are grouped by their subcomponent list, so each VexStatement keeps one product→subcomponents relation.
  const groups = new Map<string, { products: string[]; subcomponents: string[] }>();
  for (const product of raw.products) {
    const ids = componentIds(product, fail);
    const subs = isObject(product) && Array.isArray(product.subcomponents) ? product.subcomponents.flatMap((s) => componentIds(s, fail)) : legacySubs;
    if (ids.length === 0) continue;
    const key = JSON.stringify([...new Set(subs)].sort());
    const group = groups.get(key) ?? { products: [], subcomponents: [...new Set(subs)].sort() };
    group.products.push(...ids.filter((id) => !group.products.includes(id)));
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ ...base, products: g.products, ...(g.subcomponents.length === 0 ? {} : { subcomponents: g.subcomponents }) }));
}

// ---------------------------------------------------------------- matching helpers

function parsePurl(text: string): PackageURL | undefined {
  try {
    return text.startsWith('pkg:') ? PackageURL.fromString(text) : undefined;
  } catch {
    return undefined;
  }
}

/** deb and rpm purls may carry the epoch as a qualifier (as ours do) or inside the version; compare one form. */
function fullVersion(p: PackageURL): string {
  const version = p.version ?? '';
  if (p.type !== 'deb' && p.type !== 'rpm') return version;
  const epoch = p.qualifiers?.epoch;
  if (version.includes(':')) return version.replace(/^0+:/, '');
  return epoch !== undefined && epoch !== '' && !/^0+$/.test(epoch) ? `${epoch}:${version}` : version;
}

/**
 * Does constraint purl `c` cover package purl `t`? Type, namespace and name must be equal; a version in
 * `c` must equal `t`'s. With `strict` (Trivy's ignore-file rule) `c`'s qualifiers and subpath must be in `t` too.
 */
function purlCovers(c: PackageURL, t: PackageURL, strict: boolean): boolean {
  if (c.type !== t.type || (c.namespace ?? '') !== (t.namespace ?? '') || c.name !== t.name) return false;
  if ((c.version ?? '') !== '' && fullVersion(c) !== fullVersion(t)) return false;
  if (!strict) return true;
  if ((c.subpath ?? '') !== '' && c.subpath !== t.subpath) return false;
  return Object.entries(c.qualifiers ?? {}).every(([k, v]) => k === 'epoch' || t.qualifiers?.[k] === v);
}

interface ImageRef { readonly repo: string; readonly tag?: string; readonly digest?: string }

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** "alpine:3.19", "ghcr.io/o/r@sha256:…" → normalized repository (docker.io/library/alpine), tag, digest. */
function parseImageRef(text: string): ImageRef | undefined {
  const ref = text.replace(/^(docker|https?):\/\//, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/.test(ref)) return undefined;
  const at = ref.indexOf('@');
  const digest = at < 0 ? undefined : ref.slice(at + 1).toLowerCase();
  if (digest !== undefined && !/^[a-z0-9]+:[a-f0-9]{32,}$/.test(digest)) return undefined;
  const named = at < 0 ? ref : ref.slice(0, at);
  const colon = named.lastIndexOf(':');
  const tag = colon > named.lastIndexOf('/') ? named.slice(colon + 1) : undefined;
  const name = tag === undefined ? named : named.slice(0, colon);
  const parts = name.split('/');
  const first = parts[0] ?? '';
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? (DOCKER_HUB.has(first.toLowerCase()) ? 'docker.io' : first.toLowerCase()) : 'docker.io';
  const path = (hasHost ? parts.slice(1) : parts).join('/').toLowerCase();
  if (path === '' || path.includes('//')) return undefined;
  const repo = `${host}/${host === 'docker.io' && !path.includes('/') ? `library/${path}` : path}`;
  return { repo, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** A VEX product naming the scanned image: the same reference, an image reference, or a pkg:oci purl. */
function productIsTarget(product: string, target: string | undefined): boolean {
  if (target === undefined || target === '') return false;
  if (product === target) return true;
  const t = parseImageRef(target);
  if (t === undefined) return false;
  if (product.startsWith('pkg:')) {
    const p = parsePurl(product);
    if (p === undefined || p.type !== 'oci' || t.repo.split('/').pop() !== p.name.toLowerCase()) return false;
    const repoUrl = p.qualifiers?.repository_url;
    if (repoUrl !== undefined && parseImageRef(repoUrl)?.repo !== t.repo) return false;
    return sameImage({ repo: t.repo, ...(p.qualifiers?.tag === undefined ? {} : { tag: p.qualifiers.tag }), ...(p.version ? { digest: p.version.toLowerCase() } : {}) }, t);
  }
  const p = parseImageRef(product);
  return p !== undefined && p.repo === t.repo && sameImage(p, t);
}

/** A digest in the product must equal the target's; else a tag must; else any image of the repository. */
function sameImage(product: ImageRef, target: ImageRef): boolean {
  if (product.digest !== undefined) return product.digest === target.digest;
  if (product.tag !== undefined) return product.tag === (target.tag ?? (target.digest === undefined ? 'latest' : undefined));
  return true;
}

// ---------------------------------------------------------------- filtering

export interface FilterOptions {
  readonly severities?: readonly Severity[];
  readonly ignoreUnfixed?: boolean;
  readonly ignore?: readonly IgnoreEntry[];
  readonly vex?: readonly VexStatement[];
  readonly now: Date;
  /** The scanned image reference, matched against VEX products that name the image. */
  readonly target?: string;
}

/** A finding a filter removed, and why: the reports' SuppressedFinding. */
export type Suppression = SuppressedFinding;

export interface FilterResult {
  readonly kept: Finding[];
  readonly suppressed: Suppression[];
}

/** --ignore-unfixed keeps only findings with a fixed version (Trivy: status fixed only). */
function hasFix(f: Finding): boolean {
  return (f.status === 'fixed' || f.status === 'unknown') && f.fixedVersions.length > 0;
}

function findingIds(f: Finding): Set<string> {
  return new Set([f.id, ...f.aliases].map((id) => id.toLowerCase()));
}

function matchIgnore(entries: readonly CompiledIgnore[], f: Finding, ids: Set<string>, purl: PackageURL | undefined): CompiledIgnore | undefined {
  const location = f.package.location.replace(/^\/+/, '');
  return entries.find((e) =>
    (e.id === '' || ids.has(e.id)) &&
    (e.paths.length === 0 || e.paths.some((re) => re.test(location))) &&
    (e.purls.length === 0 || (purl !== undefined && e.purls.some((c) => purlCovers(c, purl, true)))));
}

interface CompiledIgnore { readonly id: string; readonly entry: IgnoreEntry; readonly paths: RegExp[]; readonly purls: PackageURL[] }

function compileIgnore(entries: readonly IgnoreEntry[], now: Date): CompiledIgnore[] {
  return entries
    .filter((e) => e.expires === undefined || Date.parse(`${e.expires}T00:00:00Z`) >= now.getTime())
    .map((entry) => ({
      id: entry.id.toLowerCase(),
      entry,
      paths: (entry.paths ?? []).map((p) => globRegExp(p) ?? /(?!)/),
      purls: (entry.purls ?? []).map((p) => parsePurl(p)).filter((p): p is PackageURL => p !== undefined),
    }));
}

interface VexIndex { readonly sorted: readonly VexStatement[]; readonly byId: ReadonlyMap<string, readonly number[]> }

/** Statements oldest first (timestamp, then input order; no timestamp = oldest), positions by id/alias lower-cased. */
function indexVex(statements: readonly VexStatement[]): VexIndex {
  const keyed = statements.map((s, order) => ({ s, order, key: s.timestamp === undefined ? undefined : timestampKey(s.timestamp) }));
  keyed.sort((a, b) => {
    const [as, an] = a.key ?? [-Infinity, 0];
    const [bs, bn] = b.key ?? [-Infinity, 0];
    return as !== bs ? as - bs : an !== bn ? an - bn : a.order - b.order;
  });
  const byId = new Map<string, number[]>();
  keyed.forEach(({ s }, position) => {
    for (const id of new Set([s.vulnerability, ...s.aliases].map((v) => v.toLowerCase()))) byId.set(id, [...(byId.get(id) ?? []), position]);
  });
  return { sorted: keyed.map((k) => k.s), byId };
}

/** The product is the package itself, or the image (then, if listed, a subcomponent must be the package). */
function vexCovers(s: VexStatement, purl: PackageURL | undefined, target: string | undefined): boolean {
  const isPackage = (id: string): boolean => {
    const p = parsePurl(id);
    return p !== undefined && purl !== undefined && p.type !== 'oci' && purlCovers(p, purl, false);
  };
  if (s.products.some(isPackage)) return true;
  if (!s.products.some((p) => productIsTarget(p, target))) return false;
  return s.subcomponents === undefined || s.subcomponents.length === 0 || s.subcomponents.some(isPackage);
}

/** The latest statement about this finding decides; not_affected and fixed suppress it. */
function matchVex(index: VexIndex, ids: Set<string>, purl: PackageURL | undefined, target: string | undefined): VexStatement | undefined {
  const positions = [...new Set([...ids].flatMap((id) => index.byId.get(id) ?? []))].sort((a, b) => b - a);
  const decisive = positions.map((p) => index.sorted[p] as VexStatement).find((s) => vexCovers(s, purl, target));
  return decisive !== undefined && (decisive.status === 'not_affected' || decisive.status === 'fixed') ? decisive : undefined;
}

/** Severity and --ignore-unfixed drop findings; the ignore file, then VEX, suppress them (Trivy's order). */
export function filterFindings(findings: readonly Finding[], options: FilterOptions): FilterResult {
  if (Number.isNaN(options.now.getTime())) throw new FilterError('BAD_OPTIONS', 'filterFindings: now is not a valid date');
  const severities = options.severities === undefined ? undefined : new Set(options.severities);
  const ignore = compileIgnore(options.ignore ?? [], options.now);
  const vex = indexVex(options.vex ?? []);
  const kept: Finding[] = [];
  const suppressed: Suppression[] = [];
  for (const finding of findings) {
    if (severities !== undefined && !severities.has(finding.severity)) continue;
    if (options.ignoreUnfixed === true && !hasFix(finding)) continue;
    const ids = findingIds(finding);
    const purl = parsePurl(finding.package.purl);
    const entry = matchIgnore(ignore, finding, ids, purl);
    if (entry !== undefined) {
      suppressed.push({ finding, reason: 'ignore-file', ...(entry.entry.reason === undefined ? {} : { statement: entry.entry.reason }) });
      continue;
    }
    const statement = matchVex(vex, ids, purl, options.target);
    if (statement === undefined) kept.push(finding);
    else suppressed.push(vexSuppression(finding, statement));
  }
  return { kept, suppressed };
}

function vexSuppression(finding: Finding, s: VexStatement): Suppression {
  return {
    finding, reason: 'vex', vexStatus: s.status as 'not_affected' | 'fixed',
    ...(s.impactStatement === undefined ? {} : { statement: s.impactStatement }),
    ...(s.justification === undefined ? {} : { justification: s.justification }),
    ...(s.statementId === undefined ? {} : { statementId: s.statementId }),
  };
}

/** --exit-code: `exitCode` when any finding remains after filtering, else 0. */
export function exitCodeFor(kept: readonly Finding[], exitCode: number | undefined): number {
  return kept.length > 0 && exitCode !== undefined ? exitCode : 0;
}
