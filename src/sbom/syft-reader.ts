import type { SourcePackage } from '../inventory/index.js';
import { SbomError } from './read-errors.js';
import { distroId } from './reader-distro.js';
import { parseSourceRpm, syftType } from './reader-hints.js';
import { arr, isObject, objects, str, type JsonObject } from './reader-json.js';
import { InventoryBuilder, sourcePackage } from './reader-package.js';

/** Licenses: strings in older Syft schemas, {value, spdxExpression} objects since schema 8. */
function licenses(artifact: JsonObject): string[] {
  return arr(artifact.licenses)
    .map((l) => (isObject(l) ? str(l.spdxExpression) ?? str(l.value) : str(l)))
    .filter((l): l is string => l !== undefined);
}

/** Source package from the metadata of dpkg, apk and rpm entries. */
function source(metadata: unknown): SourcePackage | undefined {
  if (!isObject(metadata)) return undefined;
  const rpm = str(metadata.sourceRpm);
  if (rpm !== undefined) return parseSourceRpm(rpm);
  return sourcePackage(str(metadata.source) ?? str(metadata.originPackage), str(metadata.sourceVersion));
}

function arch(metadata: unknown): string | undefined {
  return isObject(metadata) ? str(metadata.architecture) ?? str(metadata.arch) : undefined;
}

/** Maps Syft's native JSON (artifacts, distro) into the builder. */
export function readSyft(doc: JsonObject, builder: InventoryBuilder, name: string): void {
  if (!Array.isArray(doc.artifacts)) throw new SbomError('MALFORMED', `${name}: Syft "artifacts" is not a list`);
  if (isObject(doc.distro)) {
    const id = str(doc.distro.id) ?? str(doc.distro.name);
    const version = str(doc.distro.versionID) ?? str(doc.distro.version);
    if (id !== undefined && version !== undefined) builder.setDistro({ id: distroId(id), version });
  }
  doc.artifacts.forEach((artifact, index) => {
    if (!isObject(artifact)) {
      builder.issue('MALFORMED_COMPONENT', `artifacts[${index}]: not an object; skipped`);
      return;
    }
    const location = objects(artifact.locations)[0];
    builder.add({
      ref: str(artifact.id) ?? `artifacts[${index}]`,
      name: str(artifact.name),
      version: str(artifact.version),
      purl: str(artifact.purl),
      typeHint: syftType(str(artifact.type)),
      arch: arch(artifact.metadata),
      source: source(artifact.metadata),
      licenses: licenses(artifact),
      layer: location === undefined ? undefined : str(location.layerID),
      location: location === undefined ? undefined : str(location.path),
    });
  });
}
