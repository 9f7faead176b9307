import { parse as parseToml } from 'smol-toml';
import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError } from '../../analyzer.js';

/*
 * What the Python analyzers share.
 *
 * Project: every Python package, installed or declared, belongs to the image-wide project ''.
 * Python resolves imports through the interpreter's sys.path, not through the directory of the
 * code that imports: a poetry.lock in /app describes what `pip install` put into whichever
 * site-packages the image's interpreter uses (/usr/local/lib/python3.x/site-packages, a venv,
 * Debian's /usr/lib/python3/dist-packages…), and nothing in one file links the two. So in an image
 * that has any site-packages, lock files and requirements only enrich installed packages (dev
 * flag, hashes) and a package they declare that is not installed is not reported; in a source
 * tree without site-packages (a `dir:` scan of a repository) they are the inventory.
 */
export const PYTHON_PROJECT = '';

/** PEP 503 normalized name: lower case, every run of "-", "_" and "." replaced by one "-". */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

export type Evidence = 'installed' | 'declared';

export interface PypiFacts {
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly foundBy: string;
  readonly evidence: Evidence;
  readonly licenses?: readonly string[];
  /** Extra properties; undefined values are left out. */
  readonly extra?: Readonly<Record<string, string | undefined>>;
}

export function pypiDraft(facts: PypiFacts): PackageDraft {
  const properties: Record<string, string> = { 'stella:evidence': facts.evidence, 'stella:project': PYTHON_PROJECT };
  for (const [key, value] of Object.entries(facts.extra ?? {})) if (value !== undefined) properties[key] = value;
  return {
    type: 'pypi', name: normalizeName(facts.name), version: facts.version, location: facts.path, foundBy: facts.foundBy,
    ...(facts.licenses !== undefined && facts.licenses.length > 0 ? { licenses: facts.licenses } : {}),
    properties,
  };
}

/**
 * The artifact hashes a lock file allows, as one `stella:integrity` value: pip's `algo:hex`
 * form, deduplicated, sorted and space-separated (like an SRI list). Which wheel was installed
 * is not known, so all of them are kept.
 */
export function integrityOf(hashes: Iterable<string>): string | undefined {
  const set = new Set<string>();
  for (const h of hashes) {
    const text = h.trim();
    if (text !== '') set.add(text.replace(/^([a-z0-9]+)=/i, '$1:'));
  }
  return set.size === 0 ? undefined : [...set].sort().join(' ');
}

const basenameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
export { basenameOf };

/** A lock file or requirements file inside an installed package (its tests, its sdist data) is not the image's. */
export function insideSitePackages(path: string): boolean {
  return path.includes('/site-packages/') || path.includes('/dist-packages/');
}

/** UTF-8 text of a file (a byte-order mark is dropped), or the file's CatalogError when it is binary. */
export function textOf(path: string, content: Buffer, what: string): string {
  if (content.includes(0)) throw new CatalogError('MALFORMED_FILE', `${path} is binary, not ${what}`);
  return content.toString('utf8').replace(/^\uFEFF/, '');
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const stringOf = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** The TOML document of a whole lock file, or the file's CatalogError. */
export function parseTomlFile(path: string, content: Buffer, what: string): Record<string, unknown> {
  const text = textOf(path, content, what);
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (cause) {
    throw new CatalogError('MALFORMED_FILE', `${path} is not valid TOML: not ${what}`, { cause });
  }
}

export interface LockFacts {
  readonly name: string;
  readonly version: string;
  readonly dev?: boolean;
  readonly hashes?: Iterable<string>;
  readonly resolved?: string;
}

/** A package a lock file declares, with the lock's facts that reconcile copies onto the installed package. */
export function lockDraft(path: string, foundBy: string, facts: LockFacts): PackageDraft {
  return pypiDraft({
    name: facts.name, version: facts.version, path, foundBy, evidence: 'declared',
    extra: {
      'stella:dev': facts.dev === undefined ? undefined : String(facts.dev),
      'stella:integrity': integrityOf(facts.hashes ?? []),
      'stella:resolved': facts.resolved,
      'stella:lockfile': path,
    },
  });
}

export const badEntry = (path: string, message: string): ScanIssue => ({ code: 'MALFORMED_RECORD', message, path });

/** Hashes of a list of `{hash: "sha256:…"}` tables (poetry, pdm and uv file lists). */
export function hashesOf(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  const out: string[] = [];
  for (const f of files) {
    const hash = isRecord(f) ? stringOf(f.hash) : undefined;
    if (hash !== undefined) out.push(hash);
  }
  return out;
}

export interface LockEntry {
  readonly pkg: Record<string, unknown>;
  readonly name: string;
  readonly version: string;
}

/**
 * The `[[package]]` tables of a poetry/pdm-style TOML lock with their `[metadata]` and legacy
 * `[metadata.files]`; an entry without name or version becomes an issue, the rest are kept.
 */
export function readPackageTables(path: string, content: Buffer, what: string): {
  entries: LockEntry[]; legacyFiles: Record<string, unknown>; issues: ScanIssue[];
} {
  const doc = parseTomlFile(path, content, what);
  const metadata = isRecord(doc.metadata) ? doc.metadata : undefined;
  if (doc.package === undefined && metadata === undefined) throw new CatalogError('MALFORMED_FILE', `${path} has neither [[package]] nor [metadata]: not ${what}`);
  if (doc.package !== undefined && !Array.isArray(doc.package)) throw new CatalogError('MALFORMED_FILE', `${path}: "package" is not an array of tables`);
  const entries: LockEntry[] = [];
  const issues: ScanIssue[] = [];
  ((doc.package ?? []) as unknown[]).forEach((pkg, i) => {
    const name = isRecord(pkg) ? stringOf(pkg.name) : undefined;
    const version = isRecord(pkg) ? stringOf(pkg.version) : undefined;
    if (!isRecord(pkg) || name === undefined || version === undefined) issues.push(badEntry(path, `package #${i + 1} skipped: no name or version`));
    else entries.push({ pkg, name, version });
  });
  return { entries, legacyFiles: isRecord(metadata?.files) ? metadata.files : {}, issues };
}
