/*
 * CycloneDX JSON. What the spec version allows is asked of the CycloneDX library's spec object
 * (Spec.Spec1dot6 by default), never decided by comparing version numbers here.
 */
import { Enums, SPDX, Spec } from '@cyclonedx/cyclonedx-library';
import type { DeclaredLicenses, LicenseTerm } from './write-licenses.js';
import { allComponents, type WriteComponent, type WriteModel } from './write-model.js';
import { uuidV5 } from './write-ids.js';
import type { SbomFormatWriter } from './writer-format.js';

export type CycloneDxSpec = typeof Spec.Spec1dot6;

type Json = Record<string, unknown>;

const OS_PACKAGE_TYPES: ReadonlySet<string> = new Set(['deb', 'rpm', 'apk']);

function isListedId(term: LicenseTerm | undefined): term is { kind: 'id'; id: string } {
  return term?.kind === 'id' && SPDX.isSupportedSpdxId(term.id);
}

/** One listed SPDX id → `license.id`; anything else SPDX → one `expression`; non-SPDX text → named licences. */
function licenseChoice(licenses: DeclaredLicenses): Json[] | undefined {
  const { terms } = licenses;
  if (terms.length === 0) return undefined;
  if (terms.length === 1 && isListedId(terms[0])) return [{ license: { id: terms[0].id } }];
  if (licenses.expression !== undefined) return [{ expression: licenses.expression }];
  return terms.map((t) => isListedId(t) ? { license: { id: t.id } }
    : { license: { name: t.kind === 'id' ? t.id : t.kind === 'expression' ? t.expression : t.text } });
}

function componentType(c: WriteComponent, spec: CycloneDxSpec): string {
  if (c.purpose === 'container' && spec.supportsComponentType(Enums.ComponentType.Container)) return Enums.ComponentType.Container;
  if (c.purpose === 'operating-system' && spec.supportsComponentType(Enums.ComponentType.OperatingSystem)) return Enums.ComponentType.OperatingSystem;
  return c.purpose === 'container' ? Enums.ComponentType.Application : Enums.ComponentType.Library;
}

/** CycloneDX's `group`: the npm scope with its "@", the Maven group…; OS packages carry their distro in the purl only. */
function group(c: WriteComponent): string | undefined {
  if (c.namespace === undefined || c.packageType === undefined || OS_PACKAGE_TYPES.has(c.packageType)) return undefined;
  return c.packageType === 'npm' ? `@${c.namespace}` : c.namespace;
}

function component(c: WriteComponent, spec: CycloneDxSpec): Json {
  return {
    type: componentType(c, spec),
    'bom-ref': c.ref,
    group: group(c),
    name: c.name,
    version: c.version ?? (spec.requiresComponentVersion ? '' : undefined),
    purl: c.purl,
    licenses: licenseChoice(c.licenses),
    properties: c.properties.length > 0 ? c.properties.map((p) => ({ name: p.name, value: p.value })) : undefined,
  };
}

function tools(model: WriteModel, spec: CycloneDxSpec): unknown {
  const tool = { name: model.tool.name, version: model.tool.version };
  return spec.supportsToolsComponentsServices ? { components: [{ type: Enums.ComponentType.Application, ...tool }] } : [tool];
}

/** The image depends on everything found in it; nothing more is claimed about the graph. */
function dependencies(model: WriteModel, spec: CycloneDxSpec): Json[] | undefined {
  if (!spec.supportsDependencyGraph || model.image === undefined) return undefined;
  const refs = allComponents(model).slice(1).map((c) => c.ref).sort();
  return [{ ref: model.image.ref, dependsOn: refs.length > 0 ? refs : undefined }];
}

export function cycloneDxWriter(spec: CycloneDxSpec = Spec.Spec1dot6): SbomFormatWriter {
  return {
    format: 'cyclonedx',
    render(model) {
      const listed = [...(model.os === undefined ? [] : [model.os]), ...model.packages];
      return {
        $schema: `http://cyclonedx.org/schema/bom-${spec.version}.schema.json`,
        bomFormat: 'CycloneDX',
        specVersion: spec.version,
        serialNumber: `urn:uuid:${uuidV5(`cyclonedx\u0000${model.contentHash}`)}`,
        version: 1,
        metadata: {
          timestamp: model.created,
          tools: tools(model, spec),
          component: model.image === undefined ? undefined : component(model.image, spec),
        },
        components: listed.map((c) => component(c, spec)),
        dependencies: dependencies(model, spec),
      };
    },
  };
}
