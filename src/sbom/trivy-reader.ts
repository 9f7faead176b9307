import { SbomError } from './read-errors.js';
import { distroId } from './reader-distro.js';
import { joinVersion, trivyType } from './reader-hints.js';
import { arr, isObject, objects, str, type JsonObject } from './reader-json.js';
import { InventoryBuilder, sourcePackage, type ComponentFacts } from './reader-package.js';

function layerOf(record: JsonObject): string | undefined {
  return isObject(record.Layer) ? str(record.Layer.DiffID) : undefined;
}

function purlOf(record: JsonObject, field: 'Identifier' | 'PkgIdentifier'): string | undefined {
  const identifier = record[field];
  return isObject(identifier) ? str(identifier.PURL) : undefined;
}

/** Maven coordinates are written "group:artifact" in Trivy's Name; others have no namespace there. */
function nameParts(name: string | undefined, type: string | undefined): { name?: string; namespace?: string } {
  if (name === undefined || trivyType(type) !== 'maven' || !name.includes(':')) return { name };
  const colon = name.lastIndexOf(':');
  return { namespace: name.slice(0, colon), name: name.slice(colon + 1) };
}

function packageFacts(pkg: JsonObject, result: JsonObject, ref: string): ComponentFacts {
  const os = str(result.Class) === 'os-pkgs';
  const type = str(result.Type);
  const { name, namespace } = nameParts(str(pkg.Name), type);
  return {
    ref: str(pkg.ID) ?? ref,
    name,
    namespaceHint: namespace,
    version: os ? joinVersion(str(pkg.Version), str(pkg.Release), pkg.Epoch) : str(pkg.Version),
    purl: purlOf(pkg, 'Identifier'),
    typeHint: trivyType(type),
    arch: str(pkg.Arch),
    source: sourcePackage(str(pkg.SrcName), joinVersion(str(pkg.SrcVersion), str(pkg.SrcRelease), pkg.SrcEpoch)),
    licenses: arr(pkg.Licenses).map(str).filter((l): l is string => l !== undefined),
    layer: layerOf(pkg),
    location: str(pkg.FilePath) ?? (os ? undefined : str(result.Target)),
  };
}

/** Without --list-all-pkgs a report lists only vulnerable packages, once per vulnerability. */
function vulnerablePackages(result: JsonObject, index: number, builder: InventoryBuilder): void {
  const seen = new Set<string>();
  for (const vuln of objects(result.Vulnerabilities)) {
    const key = str(vuln.PkgID) ?? `${str(vuln.PkgName) ?? ''}@${str(vuln.InstalledVersion) ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { name, namespace } = nameParts(str(vuln.PkgName), str(result.Type));
    builder.add({
      ref: key, name, namespaceHint: namespace, version: str(vuln.InstalledVersion), purl: purlOf(vuln, 'PkgIdentifier'),
      typeHint: trivyType(str(result.Type)), layer: layerOf(vuln), location: str(vuln.PkgPath),
    });
  }
  if (seen.size > 0) {
    builder.issue('INCOMPLETE_SBOM', `Results[${index}] (${str(result.Target) ?? 'no target'}): no Packages list (report written without --list-all-pkgs); ${seen.size} packages taken from its vulnerabilities, the others are unknown`);
  }
}

/** Maps a Trivy JSON report (SchemaVersion 2) into the builder. */
export function readTrivy(doc: JsonObject, builder: InventoryBuilder, name: string): void {
  if (doc.SchemaVersion !== 2) throw new SbomError('UNSUPPORTED_VERSION', `${name}: Trivy SchemaVersion ${JSON.stringify(doc.SchemaVersion)} is not 2`);
  if (doc.Results !== undefined && !Array.isArray(doc.Results)) throw new SbomError('MALFORMED', `${name}: Trivy "Results" is not a list`);
  const os = isObject(doc.Metadata) && isObject(doc.Metadata.OS) ? doc.Metadata.OS : undefined;
  if (os !== undefined) {
    const family = str(os.Family);
    const version = str(os.Name);
    if (family !== undefined && version !== undefined) builder.setDistro({ id: distroId(family), version });
  }
  arr(doc.Results).forEach((result, index) => {
    if (!isObject(result)) {
      builder.issue('MALFORMED_COMPONENT', `Results[${index}]: not an object; skipped`);
      return;
    }
    if (!Array.isArray(result.Packages)) {
      vulnerablePackages(result, index, builder);
      return;
    }
    result.Packages.forEach((pkg, i) => {
      if (isObject(pkg)) builder.add(packageFacts(pkg, result, `Results[${index}].Packages[${i}]`));
      else builder.issue('MALFORMED_COMPONENT', `Results[${index}].Packages[${i}]: not an object; skipped`);
    });
  });
}
