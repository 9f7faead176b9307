import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { fromFileName, fromManifest, fromPomProperties, type JavaIdentity } from './identity.js';
import { normalizeLicenses } from './license.js';
import { parsePom } from './pom-xml.js';
import { parseManifest, parseProperties } from './properties.js';
import { cost, extract, listEntries, readable, type ZipEntry } from './zip.js';

/*
 * Java archives (.jar .war .ear .jpi .hpi) as installed in an image: each archive's identity from
 * its pom.properties (every one: a shaded jar holds several), else its manifest, else its file
 * name; nested archives (WEB-INF/lib, BOOT-INF/lib, fat jars) are read the same way, in memory,
 * depth- and size-bounded. A nested archive's location is `/outer.war!/WEB-INF/lib/inner.jar`.
 */

export interface JavaArchiveLimits {
  readonly maxDepth: number;
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
  readonly maxMetaBytes: number;
}

export const JAVA_ARCHIVE_LIMITS: JavaArchiveLimits = {
  /** Outer archive = depth 0; archives nested deeper than this are reported, not opened. */
  maxDepth: 4,
  /** Largest nested archive inflated. */
  maxEntryBytes: 256 * 2 ** 20,
  /** Most bytes inflated for one outer file, all depths together (zip bombs stop here). */
  maxTotalBytes: 1024 * 2 ** 20,
  /** Largest pom.properties / pom.xml / MANIFEST.MF read. */
  maxMetaBytes: 2 ** 20,
};

const FOUND_BY = 'java-archive';

/** Whether the path ends in one of the archive extensions, any case, without allocating. */
export function isJavaArchivePath(path: string): boolean {
  const n = path.length;
  if (n < 5 || path.charCodeAt(n - 4) !== 46 /* . */) return false;
  const a = path.charCodeAt(n - 3) | 0x20;
  const b = path.charCodeAt(n - 2) | 0x20;
  const c = path.charCodeAt(n - 1) | 0x20;
  if (a === 106 /* j */) return (b === 97 && c === 114) /* ar */ || (b === 112 && c === 105); /* pi */
  if (a === 119 /* w */) return b === 97 && c === 114; /* ar */
  if (a === 101 /* e */) return b === 97 && c === 114; /* ar */
  if (a === 104 /* h */) return b === 112 && c === 105; /* pi */
  return false;
}

interface Walk {
  readonly path: string;
  readonly limits: JavaArchiveLimits;
  budget: number;
  readonly packages: PackageDraft[];
  readonly issues: ScanIssue[];
}

const MANIFEST = 'META-INF/MANIFEST.MF';

/** META-INF/maven/<g>/<a>/<file> → "<g>/<a>" when the entry is exactly that deep. */
function mavenDir(name: string, file: string): string | undefined {
  if (!name.startsWith('META-INF/maven/') || !name.endsWith(`/${file}`)) return undefined;
  const parts = name.split('/');
  return parts.length === 5 && parts[2] !== '' && parts[3] !== '' ? `${parts[2]}/${parts[3]}` : undefined;
}

const decoder = new TextDecoder('utf-8');

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function issue(walk: Walk, code: string, message: string): void {
  walk.issues.push({ code, message, path: walk.path });
}

/** Inflates the small metadata entries of one archive within the budget. */
function readMeta(data: Uint8Array, entries: readonly ZipEntry[], location: string, walk: Walk): Map<string, string> {
  const wanted = new Set<string>();
  for (const e of entries) {
    const meta = e.name.toUpperCase() === MANIFEST || mavenDir(e.name, 'pom.properties') !== undefined || mavenDir(e.name, 'pom.xml') !== undefined;
    if (!meta) continue;
    if (!readable(e) || cost(e) > walk.limits.maxMetaBytes || cost(e) > walk.budget) {
      issue(walk, 'ENTRY_SKIPPED', `${location}!/${e.name}: ${readable(e) ? `${cost(e)} bytes, over the limit` : `compression method ${e.method} not supported`}; not read`);
      continue;
    }
    walk.budget -= cost(e);
    wanted.add(e.name);
  }
  const out = new Map<string, string>();
  try {
    for (const [name, bytes] of extract(data, wanted)) out.set(name, decoder.decode(bytes));
  } catch (error) {
    issue(walk, 'MALFORMED_ENTRY', `${location}: metadata entries unreadable (${message(error)}); identity from the file name only`);
  }
  return out;
}

function pomLicenses(meta: ReadonlyMap<string, string>, dir: string): string[] {
  const xml = meta.get(`META-INF/maven/${dir}/pom.xml`);
  if (xml === undefined) return [];
  try {
    return parsePom(xml).licenses.slice();
  } catch {
    return [];
  }
}

function toDraft(id: JavaIdentity, location: string, licenseTexts: readonly string[]): PackageDraft {
  const { licenses, raw } = normalizeLicenses(licenseTexts);
  const properties: Record<string, string> = { 'stella:evidence': 'installed', 'stella:project': '', 'stella:identified-by': id.source };
  // Build-tool wrappers in a source tree are not the application's dependencies (see scan/reconcile.ts).
  if (location.includes('/gradle/wrapper/') || location.includes('/.mvn/wrapper/')) properties['stella:build-tool'] = 'true';
  if (id.low) properties['stella:confidence'] = 'low';
  else if (id.source === 'manifest') properties['stella:confidence'] = 'medium';
  if (raw !== undefined) properties['stella:license-raw'] = raw;
  return {
    type: 'maven', namespace: id.groupId, name: id.artifactId, version: id.version, location, foundBy: FOUND_BY,
    ...(licenses.length > 0 ? { licenses } : {}), properties,
  };
}

/** The packages one archive stands for (not its nested ones). */
function identify(meta: ReadonlyMap<string, string>, location: string, walk: Walk): PackageDraft[] {
  const manifestText = [...meta].find(([name]) => name.toUpperCase() === MANIFEST)?.[1];
  const manifest = parseManifest(manifestText ?? '');
  const bundleLicense = manifest.get('bundle-license');
  const found: { id: JavaIdentity; dir: string }[] = [];
  for (const [name, text] of [...meta].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const dir = mavenDir(name, 'pom.properties');
    if (dir === undefined) continue;
    const id = fromPomProperties(name, parseProperties(text));
    if (typeof id === 'string') issue(walk, 'MALFORMED_RECORD', `${location}!/${id}; skipped`);
    else if (!found.some((f) => f.id.groupId === id.groupId && f.id.artifactId === id.artifactId && f.id.version === id.version)) found.push({ id, dir });
  }
  const manifestId = fromManifest(manifest, location);
  if (found.length === 0) {
    const id = manifestId ?? fromFileName(location);
    return id === undefined ? [] : [toDraft(id, location, id.source === 'manifest' && bundleLicense !== undefined ? [bundleLicense] : [])];
  }
  // The manifest speaks for the archive's own artifact: the pom.properties of the same release,
  // or — when only shaded dependencies carry one (Debian's guice.jar holds cglib's) — itself.
  const own = manifestId === undefined ? (found.length === 1 ? found[0] : undefined) : found.find((f) => sameRelease(f.id.version, manifestId.version));
  const drafts = found.map((f) => {
    const texts = pomLicenses(meta, f.dir);
    return toDraft(f.id, location, texts.length === 0 && f === own && bundleLicense !== undefined ? [bundleLicense] : texts);
  });
  if (manifestId !== undefined && own === undefined) drafts.push(toDraft(manifestId, location, bundleLicense !== undefined ? [bundleLicense] : []));
  return drafts;
}

/** Same release whatever the spelling: "31.1-jre" (Maven) and "31.1.0.jre" (OSGi Bundle-Version) both give 31.1. */
export function sameRelease(a: string, b: string): boolean {
  const release = (v: string) => /^\d+(\.\d+)*/.exec(v)?.[0].replace(/(\.0+)+$/, '');
  const ra = release(a);
  const rb = release(b);
  return ra === undefined || rb === undefined ? a === b : ra === rb;
}

function readNested(data: Uint8Array, entries: readonly ZipEntry[], location: string, depth: number, walk: Walk): void {
  const nested = entries.filter((e) => isJavaArchivePath(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const { maxDepth, maxEntryBytes, maxTotalBytes } = walk.limits;
  if (nested.length > 0 && depth >= maxDepth) {
    issue(walk, 'ARCHIVE_TOO_DEEP', `${location}: ${nested.length} archive(s) nested deeper than ${maxDepth} levels not read`);
    return;
  }
  for (const e of nested) {
    const inner = `${location}!/${e.name}`;
    if (!readable(e)) {
      issue(walk, 'ENTRY_SKIPPED', `${inner}: compression method ${e.method} not supported; not read`);
      continue;
    }
    if (cost(e) > maxEntryBytes || cost(e) > walk.budget) {
      const limit = cost(e) > maxEntryBytes ? `${maxEntryBytes}-byte entry` : `${maxTotalBytes}-byte total`;
      issue(walk, 'ARCHIVE_TOO_LARGE', `${inner}: ${cost(e)} bytes would exceed the ${limit} limit; not read`);
      continue;
    }
    walk.budget -= cost(e);
    try {
      const bytes = extract(data, new Set([e.name])).get(e.name);
      if (bytes !== undefined) readArchive(bytes, inner, depth + 1, walk);
    } catch (error) {
      issue(walk, 'MALFORMED_ARCHIVE', `${inner}: not a readable zip (${message(error)}); skipped`);
    }
  }
}

/** One archive and, recursively, those nested in it. Throws when `data` is not a zip. */
function readArchive(data: Uint8Array, location: string, depth: number, walk: Walk): void {
  const entries = listEntries(data);
  walk.packages.push(...identify(readMeta(data, entries, location, walk), location, walk));
  readNested(data, entries, location, depth, walk);
}

/** Reads one archive file; throws CatalogError only when the outer file is not a zip at all. */
export function analyzeJavaArchive(file: AnalyzerFile, limits: JavaArchiveLimits = JAVA_ARCHIVE_LIMITS): AnalyzerResult {
  const walk: Walk = { path: file.path, limits, budget: limits.maxTotalBytes, packages: [], issues: [] };
  try {
    readArchive(file.content, file.path, 0, walk);
  } catch (error) {
    // Only listing the outer archive's entries can throw here: nested failures are issues.
    throw new CatalogError('MALFORMED_FILE', `${file.path} is not a readable zip archive (${message(error)})`, { cause: error });
  }
  return walk.issues.length > 0 ? { packages: walk.packages, issues: walk.issues } : { packages: walk.packages };
}

/**
 * maxFileSize 512 MiB: generous for the largest real fat jars and ears; the layer walk's own cap
 * (WalkLimits.maxFileBytes, 256 MiB by default) applies first, so in practice that is the limit.
 */
export const javaArchiveAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 512 * 2 ** 20,
  wants: (path: string): boolean => isJavaArchivePath(path),
  analyze: (file) => analyzeJavaArchive(file),
};
