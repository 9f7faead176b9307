import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { DraftCollector, insideNodeModules, isObject, licenseTexts, parseJsonObject, projectOf, stringOr } from './common.js';

/*
 * npm's lock files: package-lock.json and npm-shrinkwrap.json (lockfileVersion 1: a nested
 * `dependencies` tree; 2 and 3: a flat `packages` map keyed by install path, v2 carrying both),
 * and the hidden lockfile npm ≥ 7 writes at node_modules/.package-lock.json (the same v3 shape,
 * describing exactly what is installed there).
 */

const HIDDEN = '/node_modules/.package-lock.json';
const NODE_MODULES_STEP = 'node_modules/';

/**
 * Lock files of a project, and the hidden lockfile of its top-most node_modules. Lock files
 * inside an installed package (a published npm-shrinkwrap.json) describe that package's own
 * development, not the image; its installed dependencies are found by their package.json files.
 */
export function wantsPackageLock(path: string): boolean {
  if (path.endsWith('/package-lock.json') || path.endsWith('/npm-shrinkwrap.json')) return !insideNodeModules(path);
  return path.endsWith(HIDDEN) && path.indexOf('/node_modules/') === path.length - HIDDEN.length;
}

const bool = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);

/** v2/v3 `packages`: "" is the root, keys without node_modules/ are workspace sources, links are skipped. */
function readPackages(packages: Record<string, unknown>, out: DraftCollector, project: string): void {
  for (const [key, entry] of Object.entries(packages)) {
    if (key === '') continue;
    const step = key.lastIndexOf(NODE_MODULES_STEP);
    if (step < 0 || (step > 0 && key[step - 1] !== '/')) continue;
    if (!isObject(entry)) {
      out.issue(`packages[${JSON.stringify(key)}] is not an object`);
      continue;
    }
    if (entry.link === true) continue;
    const fullName = stringOr(entry.name) ?? key.slice(step + NODE_MODULES_STEP.length);
    const version = stringOr(entry.version);
    if (version === undefined) {
      out.issue(`packages[${JSON.stringify(key)}] has no version`);
      continue;
    }
    out.add({
      fullName, version, evidence: 'declared', project, dev: bool(entry.dev) ?? false,
      integrity: stringOr(entry.integrity), resolved: stringOr(entry.resolved), licenseTexts: licenseTexts(entry),
    }, `packages[${JSON.stringify(key)}]`);
  }
}

/** v1 aliases write the real package into the version: "npm:real-name@1.2.3". */
function aliasTarget(name: string, version: string): { fullName: string; version: string } {
  if (!version.startsWith('npm:')) return { fullName: name, version };
  const spec = version.slice(4);
  const at = spec.lastIndexOf('@');
  return at > 0 ? { fullName: spec.slice(0, at), version: spec.slice(at + 1) } : { fullName: name, version };
}

/** v1 `dependencies`: nested trees, walked with an explicit stack. Local file:/link: entries are skipped. */
function readDependencyTree(root: Record<string, unknown>, out: DraftCollector, project: string): void {
  const stack: Array<[string, Record<string, unknown>]> = [['dependencies', root]];
  while (stack.length > 0) {
    const [where, deps] = stack.pop()!;
    for (const [name, entry] of Object.entries(deps)) {
      const here = `${where}[${JSON.stringify(name)}]`;
      if (!isObject(entry)) {
        out.issue(`${here} is not an object`);
        continue;
      }
      const raw = stringOr(entry.version);
      if (raw === undefined) out.issue(`${here} has no version`);
      else if (!raw.startsWith('file:') && !raw.startsWith('link:')) {
        out.add({
          ...aliasTarget(name, raw), evidence: 'declared', project, dev: bool(entry.dev) ?? false,
          integrity: stringOr(entry.integrity), resolved: stringOr(entry.resolved),
        }, here);
      }
      if (isObject(entry.dependencies)) stack.push([`${here}.dependencies`, entry.dependencies]);
    }
  }
}

export function analyzePackageLock(file: AnalyzerFile): AnalyzerResult {
  const doc = parseJsonObject(file, 'an npm lock file');
  const out = new DraftCollector(file, npmPackageLockAnalyzer.name);
  // Its directory; for the hidden lockfile, the directory holding node_modules.
  const project = projectOf(file.path);
  if (isObject(doc.packages)) readPackages(doc.packages, out, project);
  else if (isObject(doc.dependencies)) readDependencyTree(doc.dependencies, out, project);
  else if (typeof doc.lockfileVersion !== 'number') {
    throw new CatalogError('MALFORMED_FILE', `${file.path}: no lockfileVersion, packages or dependencies: not an npm lock file`);
  }
  return out.result();
}

export const npmPackageLockAnalyzer: Analyzer = {
  name: 'npm-package-lock',
  version: 1,
  maxFileSize: 128 * 1024 * 1024,
  wants: wantsPackageLock,
  analyze: analyzePackageLock,
};
