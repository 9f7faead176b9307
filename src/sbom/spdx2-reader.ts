import { SbomError } from './read-errors.js';
import { arr, isObject, objects, str, type JsonObject } from './reader-json.js';
import type { SourcePackage } from '../inventory/index.js';
import { InventoryBuilder, sourcePackage, type ComponentFacts } from './reader-package.js';
import { distroId } from './reader-distro.js';
import { stellaDistro, stellaImage, stellaPackageFacts, type PropertyList } from './reader-stella.js';

export const SPDX2_READ_VERSIONS: readonly string[] = ['SPDX-2.2', 'SPDX-2.3'];

/** Packages that are the scanned subject or its OS, not packages in it (SPDX 2.3 purpose; Trivy's 2.2 SPDXIDs). */
const SUBJECT_PURPOSES = new Set(['CONTAINER', 'OPERATING-SYSTEM', 'OPERATING_SYSTEM']);

function purlOf(pkg: JsonObject): string | undefined {
  for (const ref of objects(pkg.externalRefs)) {
    const category = str(ref.referenceCategory)?.replace('_', '-');
    if (category === 'PACKAGE-MANAGER' && str(ref.referenceType) === 'purl') return str(ref.referenceLocator);
  }
  return undefined;
}

/** Trivy writes "Key: value" attribution texts (PkgID, LayerDiffID…) in SPDX 2.2. */
function attribution(pkg: JsonObject, key: string): string | undefined {
  for (const entry of arr(pkg.attributionTexts)) {
    const text = str(entry);
    if (text?.startsWith(`${key}: `)) return str(text.slice(key.length + 2));
  }
  return undefined;
}

/** Syft writes "acquired package info from <what>: /path, /other" in sourceInfo. */
function locationOf(pkg: JsonObject): string | undefined {
  const info = str(pkg.sourceInfo);
  if (info === undefined || !info.startsWith('acquired package info from ')) return undefined;
  const paths = info.slice(info.lastIndexOf(': ') + 2).split(',').map((p) => p.trim());
  return paths.find((p) => p.startsWith('/'));
}

/** Trivy writes "built package from: <source name> <source version>" in sourceInfo. */
function sourceOf(pkg: JsonObject): SourcePackage | undefined {
  const match = /^built package from: (\S+)(?: (\S+))?$/.exec(str(pkg.sourceInfo) ?? '');
  return match === null ? undefined : sourcePackage(match[1], match[2]);
}

/** Our writers' stella: properties, carried as OTHER annotations whose comment is "name: value". */
function annotationProperties(pkg: JsonObject): PropertyList {
  const list: [string, string][] = [];
  for (const annotation of objects(pkg.annotations)) {
    const comment = typeof annotation.comment === 'string' ? annotation.comment : '';
    const colon = comment.indexOf(': ');
    if (str(annotation.annotationType) === 'OTHER' && comment.startsWith('stella:') && colon > 0) list.push([comment.slice(0, colon), comment.slice(colon + 2)]);
  }
  return list;
}

function licensesOf(pkg: JsonObject): string[] {
  const declared = str(pkg.licenseDeclared);
  const concluded = str(pkg.licenseConcluded);
  for (const value of [declared, concluded]) {
    if (value !== undefined && value !== 'NOASSERTION' && value !== 'NONE') return [value];
  }
  return [];
}

function isSubject(pkg: JsonObject, purl: string | undefined): 'os' | 'subject' | undefined {
  const purpose = str(pkg.primaryPackagePurpose);
  const id = str(pkg.SPDXID) ?? '';
  if (purpose === 'OPERATING-SYSTEM' || purpose === 'OPERATING_SYSTEM' || (purl === undefined && id.startsWith('SPDXRef-OperatingSystem'))) return 'os';
  if ((purpose !== undefined && SUBJECT_PURPOSES.has(purpose)) || (purl === undefined && id.startsWith('SPDXRef-ContainerImage'))) return 'subject';
  return undefined;
}

function readPackage(pkg: JsonObject, index: number, builder: InventoryBuilder): void {
  const purl = purlOf(pkg);
  const subject = isSubject(pkg, purl);
  const props = annotationProperties(pkg);
  if (subject === 'os') {
    const name = str(pkg.name);
    const version = str(pkg.versionInfo);
    if (name !== undefined && version !== undefined) builder.setDistro(stellaDistro(distroId(name), version, props));
    return;
  }
  if (subject === 'subject') {
    builder.setImage(stellaImage(props));
    return;
  }
  const stella = stellaPackageFacts(props);
  const facts: ComponentFacts = {
    ref: str(pkg.SPDXID) ?? `packages[${index}]`,
    name: str(pkg.name),
    version: str(pkg.versionInfo),
    purl,
    licenses: licensesOf(pkg),
    unparsedLicenses: stella.unparsedLicenses,
    foundBy: stella.foundBy,
    layer: stella.layer ?? attribution(pkg, 'LayerDiffID'),
    location: stella.location ?? locationOf(pkg),
    source: stella.source ?? sourceOf(pkg),
    properties: stella.properties,
  };
  builder.add(facts);
}

/** Maps an SPDX 2.2/2.3 document (JSON, or tag-value already shaped like JSON) into the builder. */
export function readSpdx2(doc: JsonObject, builder: InventoryBuilder, name: string): void {
  const version = str(doc.spdxVersion);
  if (version === undefined || !SPDX2_READ_VERSIONS.includes(version)) {
    throw new SbomError('UNSUPPORTED_VERSION', `${name}: spdxVersion ${JSON.stringify(doc.spdxVersion ?? null)} is not one of ${SPDX2_READ_VERSIONS.join(', ')}`);
  }
  if (doc.packages !== undefined && !Array.isArray(doc.packages)) throw new SbomError('MALFORMED', `${name}: "packages" is not a list`);
  arr(doc.packages).forEach((pkg, index) => {
    if (isObject(pkg)) readPackage(pkg, index, builder);
    else builder.issue('MALFORMED_COMPONENT', `packages[${index}]: not an object; skipped`);
  });
}
