import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { pypiDraft, textOf } from './common.js';
import { licenseOf } from './license.js';
import { field, parseCoreMetadata } from './metadata.js';

/*
 * Installed Python distributions: the core metadata of every distribution directly inside a
 * site-packages or dist-packages directory, as importlib.metadata finds them —
 *   <sp>/<name>-<version>.dist-info/METADATA   (wheels, pip, uv, Debian's newer packages)
 *   <sp>/<name>-<version>.egg-info/PKG-INFO    (setuptools installs, most Debian python3-* packages)
 *   <sp>/<name>-<version>.egg-info             (one file: distutils installs, older Debian packages)
 *   <sp>/<name>-<version>.egg/EGG-INFO/PKG-INFO (eggs put on sys.path by easy-install .pth files)
 * Name and version come from the metadata, not from the directory name. RECORD is not read: an
 * analyzer sees one file, and METADATA alone is what importlib.metadata and pip report.
 */

const METADATA = '/METADATA';
const PKG_INFO = '/PKG-INFO';

/** True when the directory holding `entry` (a path ending at `end`) is a site-packages or dist-packages. */
function inSitePackages(path: string, end: number): boolean {
  const slash = path.lastIndexOf('/', end - 1);
  return slash > 0 && (path.endsWith('/site-packages', slash) || path.endsWith('/dist-packages', slash));
}

export function wantsPythonMetadata(path: string): boolean {
  if (path.endsWith(METADATA)) {
    const dir = path.length - METADATA.length;
    return path.endsWith('.dist-info', dir) && inSitePackages(path, dir);
  }
  if (path.endsWith(PKG_INFO)) {
    const dir = path.length - PKG_INFO.length;
    if (path.endsWith('.egg-info', dir)) return inSitePackages(path, dir);
    if (!path.endsWith('.egg/EGG-INFO', dir)) return false;
    return inSitePackages(path, dir - '/EGG-INFO'.length);
  }
  return path.endsWith('.egg-info') && inSitePackages(path, path.length);
}

export function parseInstalledMetadata(file: AnalyzerFile): AnalyzerResult {
  const metadata = parseCoreMetadata(textOf(file.path, file.content, 'Python core metadata'));
  const name = field(metadata, 'name');
  const version = field(metadata, 'version');
  if (name === undefined || version === undefined) {
    const missing = [name === undefined ? 'Name' : undefined, version === undefined ? 'Version' : undefined].filter((m) => m !== undefined);
    throw new CatalogError('MALFORMED_FILE', `${file.path} has no ${missing.join(' or ')} field: not Python core metadata`);
  }
  const license = licenseOf(metadata);
  const draft = pypiDraft({
    name, version, path: file.path, foundBy: pythonInstalledAnalyzer.name, evidence: 'installed',
    ...(license.licenses !== undefined ? { licenses: license.licenses } : {}),
    extra: { 'stella:license-raw': license.raw },
  });
  return { packages: [draft] };
}

export const pythonInstalledAnalyzer: Analyzer = {
  name: 'python-installed',
  version: 1,
  maxFileSize: 16 * 1024 * 1024,
  wants: wantsPythonMetadata,
  analyze: parseInstalledMetadata,
};
