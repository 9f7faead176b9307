import { PackageURL } from 'packageurl-js';
import { buildPurl, sortPackages, type Distro, type ImageInfo, type Inventory, type Package, type PackageType, type ScanIssue, type SourcePackage } from '../inventory/index.js';
import { normalizeLicenses } from './reader-license.js';
import { distroFromQualifier } from './reader-distro.js';

/** What one SBOM component says about a package, before it is mapped into our model. */
export interface ComponentFacts {
  /** How to name it in an issue: bom-ref, SPDXID, syft id… */
  readonly ref: string;
  readonly name?: string;
  readonly version?: string;
  readonly purl?: string;
  /** The format's own type hint, used only when there is no valid purl. */
  readonly typeHint?: PackageType;
  readonly namespaceHint?: string;
  readonly arch?: string;
  readonly source?: SourcePackage;
  /** License strings as the document writes them (ids, names or expressions). */
  readonly licenses?: readonly string[];
  /** Non-SPDX license texts our writers marked as such: kept verbatim, not corrected. */
  readonly unparsedLicenses?: readonly string[];
  /** Analyzer named by the document (our writers' stella:foundBy); else the reader's format. */
  readonly foundBy?: string;
  readonly layer?: string;
  readonly location?: string;
  readonly properties?: Readonly<Record<string, string>>;
}

const PURL_TYPES: ReadonlySet<string> = new Set<PackageType>([
  'deb', 'apk', 'rpm', 'npm', 'pypi', 'maven', 'golang', 'cargo', 'nuget', 'gem', 'composer', 'generic',
]);

/** Package URL types that name the thing scanned (an image), not a package inside it. */
const SUBJECT_PURL_TYPES: ReadonlySet<string> = new Set(['oci', 'docker']);

function withEpoch(type: string, version: string | undefined, epoch: string | undefined): string | undefined {
  if (version === undefined || epoch === undefined || epoch === '' || epoch === '0') return version;
  if (type !== 'deb' && type !== 'rpm') return version;
  return /^\d+:/.test(version) ? version : `${epoch}:${version}`;
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const keys = Object.keys(record).sort();
  if (keys.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const key of keys) out[key] = record[key] as string;
  return out;
}

function parsePurl(purl: string): PackageURL | Error {
  try {
    return PackageURL.fromString(purl);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Collects packages, distro and issues while a reader walks a document, then returns a sorted
 * Inventory. Identity comes from the purl when there is a valid one (it is what every format
 * carries alike), otherwise from name/version and the format's type hint.
 */
export class InventoryBuilder {
  private readonly packages: Package[] = [];
  private readonly issues: ScanIssue[] = [];
  private distro: Distro | undefined;
  private image: ImageInfo | undefined;
  private purlDistro: Distro | undefined;

  constructor(private readonly foundBy: string, private readonly documentName: string | undefined) {}

  issue(code: string, message: string): void {
    this.issues.push(this.documentName === undefined ? { code, message } : { code, message, path: this.documentName });
  }

  /** The document's own statement of the OS wins over what purl qualifiers imply. */
  setDistro(distro: Distro | undefined): void {
    if (distro !== undefined && this.distro === undefined) this.distro = distro;
  }

  setImage(image: ImageInfo | undefined): void {
    if (image !== undefined && this.image === undefined) this.image = image;
  }

  add(facts: ComponentFacts): void {
    const parsed = facts.purl === undefined ? undefined : parsePurl(facts.purl);
    if (parsed instanceof Error) {
      this.issue('INVALID_PURL', `component ${facts.ref}: purl ${JSON.stringify(facts.purl)} is not a package URL (${parsed.message}); identified by name and version instead`);
    }
    const purl = parsed instanceof PackageURL ? parsed : undefined;
    if (purl !== undefined && SUBJECT_PURL_TYPES.has(purl.type)) return;
    const pkg = purl === undefined ? this.fromFacts(facts) : this.fromPurl(purl, facts);
    if (pkg !== undefined) this.packages.push(pkg);
  }

  private fromPurl(purl: PackageURL, facts: ComponentFacts): Package {
    const known = PURL_TYPES.has(purl.type);
    const type = (known ? purl.type : 'generic') as PackageType;
    const qualifiers = purl.qualifiers ?? {};
    if (this.purlDistro === undefined && qualifiers.distro !== undefined && ['deb', 'rpm', 'apk'].includes(type)) {
      this.purlDistro = distroFromQualifier(qualifiers.distro, purl.namespace);
    }
    let namespace = purl.namespace;
    if (type === 'npm' && namespace !== undefined) namespace = namespace.replace(/^@/, '');
    const extra: Record<string, string> = known ? {} : { 'stella:purl-type': purl.type };
    const version = withEpoch(purl.type, purl.version, qualifiers.epoch) ?? facts.version ?? '';
    return this.finish(facts, { type, namespace, name: purl.name, version, arch: qualifiers.arch ?? facts.arch, purl: purl.toString() }, extra);
  }

  private fromFacts(facts: ComponentFacts): Package | undefined {
    if (facts.name === undefined) {
      this.issue('MALFORMED_COMPONENT', `component ${facts.ref}: has neither a valid purl nor a name; skipped`);
      return undefined;
    }
    const type = facts.typeHint ?? 'generic';
    const draft = { type, namespace: facts.namespaceHint, name: facts.name, version: facts.version ?? '', arch: facts.arch, location: '', foundBy: this.foundBy };
    let purl: string;
    try {
      purl = buildPurl(draft);
    } catch (error) {
      this.issue('MALFORMED_COMPONENT', `component ${facts.ref}: cannot form a package URL from name ${JSON.stringify(facts.name)} (${(error as Error).message}); skipped`);
      return undefined;
    }
    return this.finish(facts, { ...draft, purl }, {});
  }

  private finish(facts: ComponentFacts, id: Pick<Package, 'type' | 'namespace' | 'name' | 'version' | 'arch' | 'purl'>, extra: Record<string, string>): Package {
    const normalized = normalizeLicenses(facts.licenses ?? []);
    const licenses = [...new Set([...normalized.licenses, ...(facts.unparsedLicenses ?? [])])].sort();
    const raw = normalized.raw.filter((text) => !licenses.includes(text));
    const properties = sortedRecord({ ...facts.properties, ...extra, ...(raw.length > 0 ? { 'stella:license-raw': raw.join('\n') } : {}) });
    const pkg: {
      -readonly [K in keyof Package]: Package[K];
    } = { type: id.type, name: id.name, version: id.version, purl: id.purl, location: facts.location ?? '', foundBy: facts.foundBy ?? this.foundBy };
    if (id.namespace !== undefined && id.namespace !== '') pkg.namespace = id.namespace;
    if (id.arch !== undefined && id.arch !== '') pkg.arch = id.arch;
    if (facts.source !== undefined) {
      pkg.source = facts.source.version === undefined || facts.source.version === id.version ? { name: facts.source.name } : facts.source;
    }
    if (licenses.length > 0) pkg.licenses = licenses;
    if (facts.layer !== undefined) pkg.layer = facts.layer;
    if (properties !== undefined) pkg.properties = properties;
    return pkg;
  }

  build(): Inventory {
    const distro = this.distro ?? this.purlDistro;
    const inventory: { -readonly [K in keyof Inventory]: Inventory[K] } = { packages: sortPackages(this.packages), issues: this.issues };
    if (distro !== undefined) inventory.distro = distro;
    if (this.image !== undefined) inventory.image = this.image;
    return inventory;
  }
}

/** A source package; its version is dropped later when it equals the binary version (model rule). */
export function sourcePackage(name: string | undefined, version: string | undefined): SourcePackage | undefined {
  if (name === undefined) return undefined;
  return version === undefined ? { name } : { name, version };
}
