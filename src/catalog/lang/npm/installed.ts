import type { Analyzer, AnalyzerFile, AnalyzerResult } from '../../analyzer.js';
import { licenseTexts, npmDraft, parseJsonObject, projectOf, stringOr } from './common.js';

/*
 * Installed npm packages: the package.json of each directory directly under a node_modules
 * (`node_modules/<name>/` or `node_modules/@scope/<name>/`), nested trees included, and pnpm's
 * virtual store (`node_modules/.pnpm/<id>/node_modules/<name>/`), where the real files are; the
 * symlinks pointing there are links, never files, so nothing is counted twice.
 */

const MANIFEST = '/package.json';
const NODE_MODULES = 'node_modules';
const SLASH_NODE_MODULES = '/node_modules';
const AT = 64; // '@'
const DOT = 46; // '.'

/** The path segment ending at index `end` (exclusive, the '/' after it) is "node_modules". */
const segmentIsNodeModules = (path: string, end: number): boolean =>
  end >= SLASH_NODE_MODULES.length && path.startsWith(SLASH_NODE_MODULES, end - SLASH_NODE_MODULES.length);

/**
 * Called for every file of every layer: a few index look-ups, no regex, no allocation.
 * `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`.
 */
export function wantsInstalledManifest(path: string): boolean {
  if (!path.endsWith(MANIFEST)) return false;
  const nameEnd = path.length - MANIFEST.length;
  const nameStart = path.lastIndexOf('/', nameEnd - 1);
  if (nameStart < 0 || nameStart === nameEnd - 1) return false;
  if (segmentIsNodeModules(path, nameStart)) {
    const first = path.charCodeAt(nameStart + 1);
    return first !== DOT && first !== AT;
  }
  const scopeStart = path.lastIndexOf('/', nameStart - 1);
  return scopeStart >= 0 && path.charCodeAt(scopeStart + 1) === AT && segmentIsNodeModules(path, scopeStart);
}

/**
 * True when every step after the top-most node_modules is an install step: `node_modules/<name>`
 * or `node_modules/@scope/<name>`, repeated, or pnpm's `node_modules/.pnpm/<id>`. A package.json
 * in, say, node_modules/x/test/node_modules/fixture/ is a package's test data, not an install.
 */
export function isInstallPath(path: string): boolean {
  const top = path.indexOf(`/${NODE_MODULES}/`);
  if (top < 0) return false;
  const steps = path.slice(top + 1, path.length - MANIFEST.length).split('/');
  let i = 0;
  while (i < steps.length) {
    if (steps[i] !== NODE_MODULES) return false;
    const first = steps[i + 1];
    if (first === undefined || first === '') return false;
    if (first === '.pnpm') {
      if (steps[i + 2] === undefined || steps[i + 3] !== NODE_MODULES) return false;
      i += 3;
      continue;
    }
    if (first.startsWith('.')) return false;
    i += first.startsWith('@') ? 3 : 2;
    if (i > steps.length || steps[i - 1] === '') return false;
  }
  return true;
}

/** npm ≤ 6 recorded where a package came from in its installed package.json. */
function legacyInstallFacts(manifest: Record<string, unknown>): { integrity?: string; resolved?: string } {
  const integrity = stringOr(manifest._integrity);
  const resolved = stringOr(manifest._resolved);
  return { ...(integrity !== undefined ? { integrity } : {}), ...(resolved !== undefined ? { resolved } : {}) };
}

/**
 * One installed package.json → one package. A manifest without a name or a version (a workspace
 * root, a placeholder) is not a package and gives nothing; neither does a path that is not an
 * install step (see isInstallPath).
 */
export function analyzeInstalledManifest(file: AnalyzerFile): AnalyzerResult {
  if (!isInstallPath(file.path)) return {};
  const manifest = parseJsonObject(file, 'an installed package.json');
  const name = stringOr(manifest.name);
  const version = stringOr(manifest.version);
  if (name === undefined || version === undefined || name === '' || version === '') return {};
  const draft = npmDraft(file, npmInstalledAnalyzer.name, {
    fullName: name, version, evidence: 'installed', project: projectOf(file.path),
    licenseTexts: licenseTexts(manifest), ...legacyInstallFacts(manifest),
  });
  if (typeof draft === 'string') return { issues: [{ code: 'MALFORMED_RECORD', message: `npm-installed: ${draft}`, path: file.path }] };
  return { packages: [draft] };
}

export const npmInstalledAnalyzer: Analyzer = {
  name: 'npm-installed',
  version: 1,
  maxFileSize: 4 * 1024 * 1024,
  wants: wantsInstalledManifest,
  analyze: analyzeInstalledManifest,
};
