import { SbomError } from './read-errors.js';
import { distroId } from './reader-distro.js';
import { arr, objects, str, type JsonObject } from './reader-json.js';
import { InventoryBuilder, type ComponentFacts } from './reader-package.js';
import { stellaDistro, stellaImage, stellaPackageFacts, type PropertyList } from './reader-stella.js';

/** Element type names as SPDX 3.0.1 JSON-LD writes them with its context (and the prefixed IRI forms). */
function typeOf(element: JsonObject): string {
  const type = str(element.type) ?? str(element['@type']) ?? '';
  return type.replace(/^(?:https:\/\/spdx\.org\/rdf\/3\.0\.\d\/terms\/)?(\w+)[/:]/, '$1_');
}

function idOf(element: JsonObject): string | undefined {
  return str(element.spdxId) ?? str(element['@id']);
}

function specVersion(doc: JsonObject, graph: JsonObject[]): string | undefined {
  const context = arr(doc['@context']).concat(typeof doc['@context'] === 'string' ? [doc['@context']] : []);
  for (const value of context) {
    const match = /spdx\.org\/rdf\/(3\.\d+\.\d+)\//.exec(str(value) ?? '');
    if (match !== null) return match[1];
  }
  return graph.map((e) => (typeOf(e) === 'CreationInfo' ? str(e.specVersion) : undefined)).find((v) => v !== undefined);
}

function purlOf(pkg: JsonObject): string | undefined {
  const direct = str(pkg.software_packageUrl);
  if (direct !== undefined) return direct;
  for (const identifier of objects(pkg.externalIdentifier)) {
    if (str(identifier.externalIdentifierType) === 'packageUrl') return str(identifier.identifier);
  }
  return undefined;
}

/** License text of a license element: an expression, or a listed license named by its IRI. */
function licenseText(element: JsonObject | undefined, id: string): string | undefined {
  if (element === undefined) return /^https:\/\/spdx\.org\/licenses\/([\w.+-]+)$/.exec(id)?.[1];
  return str(element.simplelicensing_licenseExpression) ?? str(element.expandedlicensing_licenseId) ?? str(element.name);
}

/** Declared license per element (falling back to concluded), from hasDeclaredLicense / hasConcludedLicense relationships. */
function licensesByElement(graph: JsonObject[], byId: Map<string, JsonObject>): Map<string, string[]> {
  const declared = new Map<string, string[]>();
  const concluded = new Map<string, string[]>();
  for (const rel of graph) {
    const kind = str(rel.relationshipType);
    const target = kind === 'hasDeclaredLicense' ? declared : kind === 'hasConcludedLicense' ? concluded : undefined;
    const from = str(rel.from);
    if (target === undefined || from === undefined) continue;
    const texts = arr(rel.to).map(str).filter((t): t is string => t !== undefined).map((to) => licenseText(byId.get(to), to));
    target.set(from, [...(target.get(from) ?? []), ...texts.filter((t): t is string => t !== undefined && t !== 'NOASSERTION' && t !== 'NONE')]);
  }
  for (const [id, list] of concluded) if ((declared.get(id) ?? []).length === 0) declared.set(id, list);
  return declared;
}

/** Our writers' stella: properties, carried by the CdxPropertiesExtension. */
function extensionProperties(element: JsonObject): PropertyList {
  const list: [string, string][] = [];
  for (const extension of objects(element.extension)) {
    for (const entry of objects(extension.extension_cdxProperty)) {
      const name = str(entry.extension_cdxPropName);
      const value = typeof entry.extension_cdxPropValue === 'string' ? entry.extension_cdxPropValue : undefined;
      if (name !== undefined && value !== undefined) list.push([name, value]);
    }
  }
  return list;
}

function packageFacts(element: JsonObject, ref: string, licenses: readonly string[], props: PropertyList): ComponentFacts {
  const stella = stellaPackageFacts(props);
  return {
    ref, name: str(element.name), version: str(element.software_packageVersion), purl: purlOf(element), licenses,
    unparsedLicenses: stella.unparsedLicenses, foundBy: stella.foundBy, layer: stella.layer, location: stella.location,
    source: stella.source, properties: stella.properties,
  };
}

/** Maps an SPDX 3.0.x JSON-LD document's software_Package elements into the builder. */
export function readSpdx3(doc: JsonObject, builder: InventoryBuilder, name: string): void {
  if (!Array.isArray(doc['@graph'])) throw new SbomError('MALFORMED', `${name}: SPDX 3 "@graph" is not a list`);
  const graph = objects(doc['@graph']);
  const version = specVersion(doc, graph);
  if (version === undefined || !version.startsWith('3.0.')) {
    throw new SbomError('UNSUPPORTED_VERSION', `${name}: SPDX version ${JSON.stringify(version ?? null)} is not 3.0.x`);
  }
  if (graph.length !== doc['@graph'].length) builder.issue('MALFORMED_COMPONENT', `@graph: ${doc['@graph'].length - graph.length} entries are not objects; skipped`);
  const byId = new Map<string, JsonObject>();
  for (const element of graph) {
    const id = idOf(element);
    if (id !== undefined) byId.set(id, element);
  }
  const licenses = licensesByElement(graph, byId);
  graph.forEach((element, index) => {
    if (typeOf(element) !== 'software_Package') return;
    const purpose = str(element.software_primaryPurpose);
    const ref = idOf(element) ?? `@graph[${index}]`;
    const props = extensionProperties(element);
    if (purpose === 'operatingSystem') {
      const osName = str(element.name);
      const osVersion = str(element.software_packageVersion);
      if (osName !== undefined && osVersion !== undefined) builder.setDistro(stellaDistro(distroId(osName), osVersion, props));
      return;
    }
    if (purpose === 'container') {
      builder.setImage(stellaImage(props));
      return;
    }
    builder.add(packageFacts(element, ref, licenses.get(ref) ?? [], props));
  });
}
