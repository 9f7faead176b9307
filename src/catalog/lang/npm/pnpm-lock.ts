import { parse as parseYaml } from 'yaml';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { DraftCollector, insideNodeModules, isObject, projectOf, stringOr } from './common.js';
import { pnpmDevFlags } from './pnpm-graph.js';

/*
 * pnpm-lock.yaml, lockfile versions 5.x to 9.0, and its copy node_modules/.pnpm/lock.yaml.
 * `packages` keys: v5 "/name/1.0.0_peer+x@1", v6 "/name@1.0.0(peer@1)", v9 "name@1.0.0" (peers
 * then live in `snapshots`). v5/v6 mark each package `dev: true|false`; v9 does not, so the
 * dev flag is computed from `importers` through `snapshots` (pnpm-graph.ts).
 */

const HIDDEN = '/node_modules/.pnpm/lock.yaml';

export function wantsPnpmLock(path: string): boolean {
  if (path.endsWith('/pnpm-lock.yaml')) return !insideNodeModules(path);
  return path.endsWith(HIDDEN) && path.indexOf('/node_modules/') === path.length - HIDDEN.length;
}

/** Name and version of a `packages` key, peer suffixes dropped; undefined when not a registry key. */
export function parsePnpmKey(key: string, lockMajor: number): { name: string; version: string } | undefined {
  if (key.startsWith('/') && lockMajor < 6) {
    const rest = key.slice(1);
    const nameEnd = rest.startsWith('@') ? rest.indexOf('/', rest.indexOf('/') + 1) : rest.indexOf('/');
    if (nameEnd <= 0) return undefined;
    const tail = rest.slice(nameEnd + 1);
    const underscore = tail.indexOf('_');
    const version = underscore >= 0 ? tail.slice(0, underscore) : tail;
    return version.includes('/') || version === '' ? undefined : { name: rest.slice(0, nameEnd), version };
  }
  const plain = key.startsWith('/') ? key.slice(1) : key;
  const paren = plain.indexOf('(');
  const id = paren >= 0 ? plain.slice(0, paren) : plain;
  const at = id.indexOf('@', 1);
  return at <= 0 ? undefined : { name: id.slice(0, at), version: id.slice(at + 1) };
}

function lockMajorOf(doc: Record<string, unknown>): number {
  const raw = doc.lockfileVersion;
  const major = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number.parseFloat(raw) : Number.NaN;
  if (!Number.isFinite(major)) throw new CatalogError('MALFORMED_FILE', 'no lockfileVersion: not a pnpm lock file');
  return Math.floor(major);
}

/** Local directories and links are no registry packages; pnpm marks them in the resolution. */
function isLocal(entry: Record<string, unknown>, version: string): boolean {
  const resolution = isObject(entry.resolution) ? entry.resolution : {};
  return resolution.type === 'directory' || version.startsWith('link:') || version.startsWith('file:');
}

export function analyzePnpmLock(file: AnalyzerFile): AnalyzerResult {
  let doc: unknown;
  try {
    doc = parseYaml(file.content.toString('utf8').replace(/^\uFEFF/, ''), { maxAliasCount: 0, uniqueKeys: false });
  } catch (error) {
    throw new CatalogError('MALFORMED_FILE', `${file.path} is not valid YAML (pnpm lock file)`, { cause: error });
  }
  if (!isObject(doc)) throw new CatalogError('MALFORMED_FILE', `${file.path}: expected a YAML mapping (pnpm lock file)`);
  let major: number;
  try {
    major = lockMajorOf(doc);
  } catch (error) {
    throw new CatalogError('MALFORMED_FILE', `${file.path}: ${(error as Error).message}`, { cause: error });
  }
  const out = new DraftCollector(file, pnpmLockAnalyzer.name);
  const project = projectOf(file.path);
  const computedDev = pnpmDevFlags(doc);
  for (const [key, entry] of Object.entries(isObject(doc.packages) ? doc.packages : {})) {
    if (!isObject(entry)) {
      out.issue(`packages[${JSON.stringify(key)}] is not a mapping`);
      continue;
    }
    const parsed = parsePnpmKey(key, major);
    const name = stringOr(entry.name) ?? parsed?.name;
    const version = stringOr(entry.version) ?? parsed?.version;
    if (name === undefined || version === undefined) {
      out.issue(`packages[${JSON.stringify(key)}]: no package name and version`);
      continue;
    }
    if (isLocal(entry, version)) continue;
    const resolution = isObject(entry.resolution) ? entry.resolution : {};
    // v5/v6: `dev` absent means both a dev and a production dependency, i.e. not dev.
    const legacy = major < 7 && !isObject(doc.snapshots);
    const dev = typeof entry.dev === 'boolean' ? entry.dev : legacy ? false : computedDev.get(`${name}@${version}`);
    out.add({
      fullName: name, version, evidence: 'declared', project, ...(dev !== undefined ? { dev } : {}),
      integrity: stringOr(resolution.integrity), resolved: stringOr(resolution.tarball),
    }, `packages[${JSON.stringify(key)}]`);
  }
  return out.result();
}

export const pnpmLockAnalyzer: Analyzer = {
  name: 'pnpm-lock',
  version: 1,
  maxFileSize: 128 * 1024 * 1024,
  wants: wantsPnpmLock,
  analyze: analyzePnpmLock,
};
