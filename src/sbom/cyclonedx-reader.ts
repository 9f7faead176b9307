import type { SourcePackage } from '../inventory/index.js';
import { SbomError } from './read-errors.js';
import { distroId } from './reader-distro.js';
import { joinVersion, parseSourceRpm, syftType, trivyType } from './reader-hints.js';
import { isObject, objects, str, type JsonObject } from './reader-json.js';
import { InventoryBuilder, sourcePackage, type ComponentFacts } from './reader-package.js';
import { first, stellaDistro, stellaImage, stellaPackageFacts, type PropertyList } from './reader-stella.js';

/** CycloneDX versions whose component model we read (the fields used here are the same in all). */
export const CYCLONEDX_READ_VERSIONS: readonly string[] = ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'];

/** Component types that describe the scanned thing or non-package material, never a package. */
const NOT_PACKAGES = new Set(['operating-system', 'container', 'file', 'platform', 'device', 'data', 'machine-learning-model', 'cryptographic-asset']);

/** Deeper nesting than this is hostile, not a real BOM. */
const MAX_DEPTH = 64;

function propertyList(component: JsonObject): PropertyList {
  const list: [string, string][] = [];
  for (const property of objects(component.properties)) {
    const name = str(property.name);
    const value = typeof property.value === 'string' ? property.value : undefined;
    if (name !== undefined && value !== undefined) list.push([name, value]);
  }
  return list;
}

function licenses(component: JsonObject): string[] {
  const out: string[] = [];
  for (const choice of objects(component.licenses)) {
    const expression = str(choice.expression);
    if (expression !== undefined) out.push(expression);
    if (isObject(choice.license)) {
      const value = str(choice.license.id) ?? str(choice.license.name);
      if (value !== undefined) out.push(value);
    }
  }
  return out;
}

/** Source package as Trivy or Syft write it (ours comes through stellaPackageFacts). */
function foreignSource(props: PropertyList): SourcePackage | undefined {
  const trivyName = first(props, 'aquasecurity:trivy:SrcName');
  if (trivyName !== undefined) {
    return sourcePackage(trivyName, joinVersion(first(props, 'aquasecurity:trivy:SrcVersion'), first(props, 'aquasecurity:trivy:SrcRelease'), first(props, 'aquasecurity:trivy:SrcEpoch')));
  }
  const rpm = first(props, 'syft:metadata:sourceRpm');
  if (rpm !== undefined) return parseSourceRpm(rpm);
  return sourcePackage(first(props, 'syft:metadata:source') ?? first(props, 'syft:metadata:originPackage'), first(props, 'syft:metadata:sourceVersion'));
}

function facts(component: JsonObject, ref: string, props: PropertyList): ComponentFacts {
  const stella = stellaPackageFacts(props);
  return {
    ref,
    name: str(component.name),
    version: str(component.version),
    purl: str(component.purl),
    typeHint: syftType(first(props, 'syft:package:type')) ?? trivyType(first(props, 'aquasecurity:trivy:PkgType')),
    namespaceHint: str(component.group),
    source: stella.source ?? foreignSource(props),
    licenses: licenses(component),
    unparsedLicenses: stella.unparsedLicenses,
    foundBy: stella.foundBy,
    layer: stella.layer ?? first(props, 'aquasecurity:trivy:LayerDiffID') ?? first(props, 'syft:location:0:layerID'),
    location: stella.location ?? first(props, 'syft:location:0:path') ?? first(props, 'aquasecurity:trivy:FilePath'),
    properties: stella.properties,
  };
}

function readComponent(component: JsonObject, ref: string, builder: InventoryBuilder): void {
  const type = str(component.type);
  const props = propertyList(component);
  if (type === 'operating-system') {
    const name = first(props, 'syft:distro:id') ?? str(component.name);
    const version = first(props, 'syft:distro:versionID') ?? str(component.version);
    if (name !== undefined && version !== undefined) builder.setDistro(stellaDistro(distroId(name), version, props));
    return;
  }
  if (type === 'container') builder.setImage(stellaImage(props));
  if (type !== undefined && NOT_PACKAGES.has(type)) return;
  // Trivy groups language packages under an application component named after the lock file.
  if (first(props, 'aquasecurity:trivy:Class') !== undefined && str(component.purl) === undefined) return;
  builder.add(facts(component, ref, props));
}

/** Walks components and their nested components (flattened), without recursion. */
function walk(components: unknown, builder: InventoryBuilder): void {
  const stack: { value: unknown; path: string; depth: number }[] = [];
  const push = (list: unknown, path: string, depth: number): void => {
    if (list === undefined) return;
    if (!Array.isArray(list)) {
      builder.issue('MALFORMED_COMPONENT', `${path}: components is not a list; skipped`);
      return;
    }
    for (let i = list.length - 1; i >= 0; i--) stack.push({ value: list[i], path: `${path}[${i}]`, depth });
  };
  push(components, 'components', 0);
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (!isObject(item.value)) {
      builder.issue('MALFORMED_COMPONENT', `${item.path}: not an object; skipped`);
      continue;
    }
    readComponent(item.value, str(item.value['bom-ref']) ?? item.path, builder);
    if (item.value.components === undefined) continue;
    if (item.depth + 1 >= MAX_DEPTH) builder.issue('MALFORMED_COMPONENT', `${item.path}: components nested deeper than ${MAX_DEPTH}; the deeper ones skipped`);
    else push(item.value.components, `${item.path}.components`, item.depth + 1);
  }
}

/** Maps a CycloneDX BOM (JSON, or XML already shaped like JSON) into the builder. */
export function readCycloneDx(doc: JsonObject, builder: InventoryBuilder, name: string): void {
  const version = str(doc.specVersion);
  if (version === undefined || !CYCLONEDX_READ_VERSIONS.includes(version)) {
    throw new SbomError('UNSUPPORTED_VERSION', `${name}: CycloneDX specVersion ${JSON.stringify(doc.specVersion ?? null)} is not one of ${CYCLONEDX_READ_VERSIONS.join(', ')}`);
  }
  const subject = isObject(doc.metadata) && isObject(doc.metadata.component) ? doc.metadata.component : undefined;
  const subjectType = subject === undefined ? undefined : str(subject.type);
  if (subject !== undefined && (subjectType === 'operating-system' || subjectType === 'container')) readComponent(subject, 'metadata.component', builder);
  walk(doc.components, builder);
}
