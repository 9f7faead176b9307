import type { AnalyzerResult, DistroHint } from '../catalog/index.js';
import { normalizeImagePath } from '../image/index.js';
import type { Distro, PackageDraft, PackageType, ScanIssue, SourcePackage } from '../inventory/index.js';
import { ScanError } from './errors.js';
import { FRAGMENT_SCHEMA, type FragmentFile, type LayerFragment } from './fragment.js';

/*
 * Validation of a layer fragment that comes from outside the scanner (a CI builder's
 * `PUT /api/v1/layers/{digest}`, or a row read back from the store). The format is LayerFragment
 * (docs/api/layer-fragments.md): nothing more, nothing less; every key is checked, unknown keys
 * are refused, paths must be absolute and normalized, so a fragment that passes here merges like
 * one the scanner built itself.
 */

const PACKAGE_TYPES: ReadonlySet<PackageType> = new Set<PackageType>([
  'deb', 'apk', 'rpm', 'npm', 'pypi', 'maven', 'golang', 'cargo', 'nuget', 'gem', 'composer', 'generic',
]);

export const LAYER_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Most files one fragment may declare (the largest real layers analyze a few thousand). */
export const MAX_FRAGMENT_FILES = 100_000;

type Json = Record<string, unknown>;

function fail(at: string, message: string): never {
  throw new ScanError('BAD_FRAGMENT', `${at}: ${message}`);
}

function object(value: unknown, at: string, required: readonly string[], optional: readonly string[] = []): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'expected an object');
  const o = value as Json;
  for (const key of Object.keys(o)) {
    if (!required.includes(key) && !optional.includes(key)) fail(at, `unknown key ${JSON.stringify(key)}`);
  }
  for (const key of required) if (!(key in o)) fail(at, `missing ${JSON.stringify(key)}`);
  return o;
}

function text(value: unknown, at: string, nonEmpty = false): string {
  if (typeof value !== 'string') fail(at, 'expected a string');
  if (nonEmpty && value === '') fail(at, 'expected a non-empty string');
  return value;
}

function optText(o: Json, key: string, at: string): string | undefined {
  return o[key] === undefined ? undefined : text(o[key], `${at}.${key}`);
}

function array(value: unknown, at: string, max = MAX_FRAGMENT_FILES): unknown[] {
  if (!Array.isArray(value)) fail(at, 'expected an array');
  if (value.length > max) fail(at, `more than ${max} entries`);
  return value;
}

function imagePath(value: unknown, at: string): string {
  const path = text(value, at, true);
  if (!path.startsWith('/') || normalizeImagePath(path) !== path) fail(at, `expected an absolute, normalized path inside the image, got ${JSON.stringify(path)}`);
  return path;
}

function issue(value: unknown, at: string): ScanIssue {
  const o = object(value, at, ['code', 'message'], ['layer', 'path']);
  const layer = optText(o, 'layer', at);
  const path = optText(o, 'path', at);
  return {
    code: text(o.code, `${at}.code`, true),
    message: text(o.message, `${at}.message`),
    ...(layer === undefined ? {} : { layer }),
    ...(path === undefined ? {} : { path }),
  };
}

function strings(value: unknown, at: string): string[] {
  return array(value, at).map((v, i) => text(v, `${at}[${i}]`));
}

function packageDraft(value: unknown, at: string): PackageDraft {
  const o = object(value, at, ['type', 'name', 'version', 'location', 'foundBy'], ['namespace', 'arch', 'source', 'licenses', 'properties']);
  const type = text(o.type, `${at}.type`) as PackageType;
  if (!PACKAGE_TYPES.has(type)) fail(`${at}.type`, `unknown package type ${JSON.stringify(type)}`);
  let source: SourcePackage | undefined;
  if (o.source !== undefined) {
    const s = object(o.source, `${at}.source`, ['name'], ['version']);
    const version = optText(s, 'version', `${at}.source`);
    source = { name: text(s.name, `${at}.source.name`, true), ...(version === undefined ? {} : { version }) };
  }
  let properties: Record<string, string> | undefined;
  if (o.properties !== undefined) {
    const p = object(o.properties, `${at}.properties`, [], Object.keys(o.properties as Json));
    // fromEntries defines own properties, so a "__proto__" key stays a plain key.
    properties = Object.fromEntries(Object.entries(p).map(([key, v]) => [key, text(v, `${at}.properties.${key}`)]));
  }
  const namespace = optText(o, 'namespace', at);
  const arch = optText(o, 'arch', at);
  return {
    type,
    name: text(o.name, `${at}.name`, true),
    ...(namespace === undefined ? {} : { namespace }),
    version: text(o.version, `${at}.version`),
    ...(arch === undefined ? {} : { arch }),
    ...(source === undefined ? {} : { source }),
    ...(o.licenses === undefined ? {} : { licenses: strings(o.licenses, `${at}.licenses`) }),
    location: imagePath(o.location, `${at}.location`),
    foundBy: text(o.foundBy, `${at}.foundBy`, true),
    ...(properties === undefined ? {} : { properties }),
  };
}

function distroHint(value: unknown, at: string): DistroHint {
  const o = object(value, at, ['distro', 'priority']);
  const d = object(o.distro, `${at}.distro`, ['id', 'version'], ['codename', 'prettyName']);
  const codename = optText(d, 'codename', `${at}.distro`);
  const prettyName = optText(d, 'prettyName', `${at}.distro`);
  const distro: Distro = {
    id: text(d.id, `${at}.distro.id`, true),
    version: text(d.version, `${at}.distro.version`),
    ...(codename === undefined ? {} : { codename }),
    ...(prettyName === undefined ? {} : { prettyName }),
  };
  if (typeof o.priority !== 'number' || !Number.isFinite(o.priority)) fail(`${at}.priority`, 'expected a number');
  return { distro, priority: o.priority };
}

function analyzerResult(value: unknown, at: string): AnalyzerResult {
  const o = object(value, at, [], ['packages', 'distro', 'issues']);
  return {
    ...(o.packages === undefined ? {} : { packages: array(o.packages, `${at}.packages`).map((p, i) => packageDraft(p, `${at}.packages[${i}]`)) }),
    ...(o.distro === undefined ? {} : { distro: distroHint(o.distro, `${at}.distro`) }),
    ...(o.issues === undefined ? {} : { issues: array(o.issues, `${at}.issues`).map((x, i) => issue(x, `${at}.issues[${i}]`)) }),
  };
}

/**
 * Checks `value` against the fragment format and returns it as a LayerFragment rebuilt from the
 * checked fields only. `expect.layer` is the digest the fragment is stored under; `expect.analyzers`
 * the analyzer fingerprint of this scanner (a fragment of other analyzers is FRAGMENT_ANALYZERS).
 */
export function parseLayerFragment(value: unknown, expect: { readonly layer: string; readonly analyzers: string }): LayerFragment {
  const o = object(value, 'fragment', ['schema', 'layer', 'analyzers', 'files', 'symlinks', 'whiteouts', 'opaqueDirs', 'issues']);
  if (o.schema !== FRAGMENT_SCHEMA) fail('fragment.schema', `expected ${FRAGMENT_SCHEMA}, got ${JSON.stringify(o.schema)}`);
  const layer = text(o.layer, 'fragment.layer');
  if (layer !== expect.layer) fail('fragment.layer', `expected ${expect.layer}, got ${JSON.stringify(layer)}`);
  const analyzers = text(o.analyzers, 'fragment.analyzers');
  if (analyzers !== expect.analyzers) {
    throw new ScanError('FRAGMENT_ANALYZERS', `fragment.analyzers: made by ${JSON.stringify(analyzers)}, this server runs ${JSON.stringify(expect.analyzers)}`);
  }
  const names = new Set(analyzers.split(',').map((a) => a.slice(0, a.lastIndexOf('@'))));
  const files: FragmentFile[] = array(o.files, 'fragment.files').map((value, i) => {
    const at = `fragment.files[${i}]`;
    const f = object(value, at, ['path', 'analyzer', 'result']);
    const analyzer = text(f.analyzer, `${at}.analyzer`, true);
    if (!names.has(analyzer)) fail(`${at}.analyzer`, `${JSON.stringify(analyzer)} is not one of the fragment's analyzers`);
    return { path: imagePath(f.path, `${at}.path`), analyzer, result: analyzerResult(f.result, `${at}.result`) };
  });
  const symlinks = array(o.symlinks, 'fragment.symlinks').map((value, i): readonly [string, string] => {
    const pair = array(value, `fragment.symlinks[${i}]`, 2);
    if (pair.length !== 2) fail(`fragment.symlinks[${i}]`, 'expected [path, target]');
    return [imagePath(pair[0], `fragment.symlinks[${i}][0]`), text(pair[1], `fragment.symlinks[${i}][1]`, true)];
  });
  return {
    schema: FRAGMENT_SCHEMA,
    layer,
    analyzers,
    files,
    symlinks,
    whiteouts: array(o.whiteouts, 'fragment.whiteouts').map((p, i) => imagePath(p, `fragment.whiteouts[${i}]`)),
    opaqueDirs: array(o.opaqueDirs, 'fragment.opaqueDirs').map((p, i) => imagePath(p, `fragment.opaqueDirs[${i}]`)),
    issues: array(o.issues, 'fragment.issues').map((x, i) => issue(x, `fragment.issues[${i}]`)),
  };
}
