/*
 * SPDX 2.x JSON. Facts SPDX 2 has no field for (layer, location, analyzer, source package, image
 * metadata) are package annotations of type OTHER whose comment is "<property name>: <value>"
 * (split on the first ": "), the same names as the CycloneDX properties.
 */
import { allComponents, localId, type WriteComponent, type WriteModel } from './write-model.js';
import { compareText, uuidV5 } from './write-ids.js';
import type { SbomFormatWriter } from './writer-format.js';

/** What one SPDX 2 version allows; writers ask this instead of comparing versions. */
export interface Spdx2Spec {
  readonly spdxVersion: string;
  readonly supportsPrimaryPackagePurpose: boolean;
  /** 2.2 requires licenseConcluded and copyrightText on every package; 2.3 made them optional. */
  readonly requiresConcludedLicenseAndCopyright: boolean;
}

export const SPDX_2_3: Spdx2Spec = { spdxVersion: 'SPDX-2.3', supportsPrimaryPackagePurpose: true, requiresConcludedLicenseAndCopyright: false };

type Json = Record<string, unknown>;

const PURPOSE = { container: 'CONTAINER', 'operating-system': 'OPERATING_SYSTEM', library: 'LIBRARY' } as const;
const CHECKSUM_ALGORITHMS: Readonly<Record<string, string>> = { sha256: 'SHA256', sha384: 'SHA384', sha512: 'SHA512', sha1: 'SHA1' };

export function spdx2Id(c: WriteComponent): string {
  return `SPDXRef-${localId(c)}`;
}

/** `<base>/<document name>-<uuid>`: unique per content, stable for the same inputs. */
export function documentNamespace(model: WriteModel, namespaceBase: string, format: string): string {
  const name = model.documentName.replace(/[^A-Za-z0-9._~-]+/g, '-').replace(/^-+|-+$/g, '') || 'sbom';
  return `${namespaceBase.replace(/\/+$/, '')}/${name}-${uuidV5(`${format}\u0000${model.contentHash}`)}`;
}

function annotations(c: WriteComponent, model: WriteModel): Json[] | undefined {
  if (c.properties.length === 0) return undefined;
  return c.properties.map((p) => ({
    annotationDate: model.created, annotationType: 'OTHER', annotator: `Tool: ${model.tool.name}-${model.tool.version}`,
    comment: `${p.name}: ${p.value}`,
  }));
}

function spdxPackage(c: WriteComponent, model: WriteModel, spec: Spdx2Spec): Json {
  const algorithm = c.digest === undefined ? undefined : CHECKSUM_ALGORITHMS[c.digest.algorithm];
  return {
    SPDXID: spdx2Id(c),
    name: c.name,
    versionInfo: c.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    primaryPackagePurpose: spec.supportsPrimaryPackagePurpose ? PURPOSE[c.purpose] : undefined,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: c.licenses.expression ?? 'NOASSERTION',
    copyrightText: spec.requiresConcludedLicenseAndCopyright ? 'NOASSERTION' : undefined,
    checksums: algorithm === undefined || c.digest === undefined ? undefined : [{ algorithm, checksumValue: c.digest.hex }],
    externalRefs: c.purl === undefined ? undefined
      : [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: c.purl }],
    annotations: annotations(c, model),
  };
}

function relationships(model: WriteModel): Json[] {
  const rel = (from: string, type: string, to: string): Json => ({ spdxElementId: from, relationshipType: type, relatedSpdxElement: to });
  const components = allComponents(model);
  const out = model.image === undefined
    ? components.map((c) => rel('SPDXRef-DOCUMENT', 'DESCRIBES', spdx2Id(c)))
    : [rel('SPDXRef-DOCUMENT', 'DESCRIBES', spdx2Id(model.image)),
      ...components.slice(1).map((c) => rel(spdx2Id(model.image as WriteComponent), 'CONTAINS', spdx2Id(c)))];
  const key = (r: Json): string => `${String(r.spdxElementId)}\u0000${String(r.relationshipType)}\u0000${String(r.relatedSpdxElement)}`;
  return out.sort((a, b) => compareText(key(a), key(b)));
}

/** `LicenseRef-…` ids used in licenseDeclared must be defined in the document; their text is unknown to us. */
function extractedLicenses(model: WriteModel): Json[] | undefined {
  const refs = [...new Set(model.packages.flatMap((p) => p.licenses.licenseRefs))].sort(compareText);
  if (refs.length === 0) return undefined;
  return refs.map((licenseId) => ({
    licenseId, name: licenseId.slice('LicenseRef-'.length),
    extractedText: `The text of ${licenseId} was not available to the scanner; the package metadata named it.`,
  }));
}

export function spdx2Writer(spec: Spdx2Spec = SPDX_2_3): SbomFormatWriter {
  return {
    format: 'spdx-json',
    render(model, { namespaceBase }) {
      return {
        spdxVersion: spec.spdxVersion,
        dataLicense: 'CC0-1.0',
        SPDXID: 'SPDXRef-DOCUMENT',
        name: model.documentName,
        documentNamespace: documentNamespace(model, namespaceBase, 'spdx-json'),
        creationInfo: { created: model.created, creators: [`Tool: ${model.tool.name}-${model.tool.version}`] },
        packages: allComponents(model).map((c) => spdxPackage(c, model, spec)),
        relationships: relationships(model),
        hasExtractedLicensingInfos: extractedLicenses(model),
      };
    },
  };
}
