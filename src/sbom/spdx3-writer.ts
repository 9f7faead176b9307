/*
 * SPDX 3.0.1 JSON-LD. Element ids are `<document namespace>#SPDXRef-<local id>`, the same local ids
 * as the SPDX 2 writer. Facts with no SPDX 3 field (layer, location, analyzer, source package, image
 * metadata) travel in the model's own extension for CycloneDX properties (extension_CdxPropertiesExtension),
 * under the same names as the CycloneDX properties.
 */
import { allComponents, localId, type WriteComponent, type WriteModel } from './write-model.js';
import { compareText, sha256Hex } from './write-ids.js';
import { documentNamespace } from './spdx2-writer.js';
import type { SbomFormatWriter } from './writer-format.js';

export interface Spdx3Spec {
  readonly specVersion: string;
  readonly context: string;
  /** Whether element properties may be carried by extension_CdxPropertiesExtension. */
  readonly supportsCdxPropertiesExtension: boolean;
}

export const SPDX_3_0_1: Spdx3Spec = {
  specVersion: '3.0.1', context: 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', supportsCdxPropertiesExtension: true,
};

type Json = Record<string, unknown>;

const CREATION_INFO = '_:creationinfo';
const PURPOSE = { container: 'container', 'operating-system': 'operatingSystem', library: 'library' } as const;
const HASH_ALGORITHMS: ReadonlySet<string> = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

class GraphBuilder {
  readonly elements: Json[] = [];
  readonly profiles = new Set(['core', 'software']);
  private readonly licenseIds = new Map<string, string>();

  constructor(private readonly ns: string, private readonly spec: Spdx3Spec) {}

  id(local: string): string {
    return `${this.ns}#SPDXRef-${local}`;
  }

  add(type: string, local: string, fields: Json): string {
    const spdxId = this.id(local);
    this.elements.push({ type, spdxId, creationInfo: CREATION_INFO, ...fields });
    return spdxId;
  }

  extension(c: WriteComponent): Json[] | undefined {
    if (!this.spec.supportsCdxPropertiesExtension || c.properties.length === 0) return undefined;
    this.profiles.add('extension');
    return [{
      type: 'extension_CdxPropertiesExtension',
      extension_cdxProperty: c.properties.map((p) => ({ type: 'extension_CdxPropertyEntry', extension_cdxPropName: p.name, extension_cdxPropValue: p.value })),
    }];
  }

  /** One LicenseExpression element per distinct expression, shared by every package that declares it. */
  license(expression: string): string {
    const known = this.licenseIds.get(expression);
    if (known !== undefined) return known;
    this.profiles.add('simpleLicensing');
    const spdxId = this.add('simplelicensing_LicenseExpression', `License-${sha256Hex(expression).slice(0, 16)}`, {
      simplelicensing_licenseExpression: expression,
    });
    this.licenseIds.set(expression, spdxId);
    return spdxId;
  }

  relationship(type: string, from: WriteComponent, to: string[]): void {
    this.add('Relationship', `Relationship-${type}-${from.idHash}`, { from: this.id(localId(from)), relationshipType: type, to: [...to].sort(compareText) });
  }

  pkg(c: WriteComponent): string {
    const hash = c.digest !== undefined && HASH_ALGORITHMS.has(c.digest.algorithm) ? c.digest : undefined;
    const spdxId = this.add('software_Package', localId(c), {
      name: c.name,
      software_packageVersion: c.version,
      software_packageUrl: c.purl,
      software_primaryPurpose: PURPOSE[c.purpose],
      verifiedUsing: hash === undefined ? undefined : [{ type: 'Hash', algorithm: hash.algorithm, hashValue: hash.hex }],
      extension: this.extension(c),
    });
    if (c.licenses.expression !== undefined) this.relationship('hasDeclaredLicense', c, [this.license(c.licenses.expression)]);
    return spdxId;
  }
}

export function spdx3Writer(spec: Spdx3Spec = SPDX_3_0_1): SbomFormatWriter {
  return {
    format: 'spdx3-json',
    render(model: WriteModel, { namespaceBase }) {
      const g = new GraphBuilder(documentNamespace(model, namespaceBase, 'spdx3-json'), spec);
      const agent = g.add('SoftwareAgent', `Agent-${model.tool.name}`, { name: model.tool.name });
      const tool = g.add('Tool', `Tool-${model.tool.name}`, { name: `${model.tool.name}-${model.tool.version}` });
      const components = allComponents(model);
      const ids = components.map((c) => g.pkg(c));
      if (model.image !== undefined && ids.length > 1) g.relationship('contains', model.image, ids.slice(1));
      const roots = model.image === undefined ? ids : ids.slice(0, 1);
      const members = g.elements.map((e) => String(e.spdxId)).sort(compareText);
      g.add('SpdxDocument', 'DOCUMENT', {
        name: model.documentName, dataLicense: 'https://spdx.org/licenses/CC0-1.0',
        profileConformance: [...g.profiles].sort(compareText), rootElement: [...roots].sort(compareText), element: members,
      });
      const creationInfo: Json = {
        type: 'CreationInfo', '@id': CREATION_INFO, specVersion: spec.specVersion, created: model.created,
        createdBy: [agent], createdUsing: [tool],
      };
      const graph = [creationInfo, ...g.elements].sort((a, b) => compareText(String(a.spdxId ?? a['@id']), String(b.spdxId ?? b['@id'])));
      return { '@context': spec.context, '@graph': graph };
    },
  };
}
