import type { Distro, ImageInfo, LayerInfo, SourcePackage } from '../inventory/index.js';
import { sourcePackage } from './reader-package.js';

/**
 * The `stella:` properties our own writers put on components (CycloneDX properties, SPDX 2
 * annotations "name: value", SPDX 3 CdxPropertiesExtension), read back so a written SBOM reads
 * into the Inventory it came from.
 */
export type PropertyList = readonly (readonly [string, string])[];

export function first(props: PropertyList, name: string): string | undefined {
  return props.find(([n]) => n === name)?.[1];
}

function all(props: PropertyList, name: string): string[] {
  return props.filter(([n]) => n === name).map(([, v]) => v);
}

/** Properties that become Package fields, or belong to the image / OS components. */
function isFieldProperty(name: string): boolean {
  return ['stella:layer', 'stella:location', 'stella:foundBy', 'stella:source-name', 'stella:source-version', 'stella:license-unparsed'].includes(name)
    || name.startsWith('stella:image:') || name.startsWith('stella:distro:');
}

export interface StellaPackageFacts {
  readonly layer?: string;
  readonly location?: string;
  readonly foundBy?: string;
  readonly source?: SourcePackage;
  /** License texts that were not SPDX when written: they go back into `licenses` verbatim. */
  readonly unparsedLicenses: readonly string[];
  /** Every other `stella:` property, kept as a Package property. */
  readonly properties: Record<string, string>;
}

export function stellaPackageFacts(props: PropertyList): StellaPackageFacts {
  const properties: Record<string, string> = {};
  for (const [name, value] of props) {
    if (name.startsWith('stella:') && !isFieldProperty(name) && !(name in properties)) properties[name] = value;
  }
  return {
    layer: first(props, 'stella:layer'),
    location: first(props, 'stella:location'),
    foundBy: first(props, 'stella:foundBy'),
    source: sourcePackage(first(props, 'stella:source-name'), first(props, 'stella:source-version')),
    unparsedLicenses: all(props, 'stella:license-unparsed'),
    properties,
  };
}

/** Codename and pretty name of the OS component. */
export function stellaDistro(id: string, version: string, props: PropertyList): Distro {
  const codename = first(props, 'stella:distro:codename');
  const prettyName = first(props, 'stella:distro:pretty-name');
  return { id, version, ...(codename === undefined ? {} : { codename }), ...(prettyName === undefined ? {} : { prettyName }) };
}

function layers(props: PropertyList): LayerInfo[] {
  const out: LayerInfo[] = [];
  for (let i = 0; ; i++) {
    const prefix = `stella:image:layer:${i}`;
    const diffId = first(props, `${prefix}:diffID`);
    const digest = first(props, `${prefix}:digest`);
    if (diffId === undefined || digest === undefined) return out;
    const size = Number(first(props, `${prefix}:size`));
    const mediaType = first(props, `${prefix}:mediaType`);
    out.push({ digest, diffId, ...(Number.isSafeInteger(size) ? { size } : {}), ...(mediaType === undefined ? {} : { mediaType }) });
  }
}

/** The image as our writers describe it on the container component; undefined for other tools' BOMs. */
export function stellaImage(props: PropertyList): ImageInfo | undefined {
  const configDigest = first(props, 'stella:image:config-digest');
  const reference = first(props, 'stella:image:reference');
  if (configDigest === undefined || reference === undefined) return undefined;
  const manifestDigest = first(props, 'stella:image:manifest-digest');
  const variant = first(props, 'stella:image:variant');
  return {
    reference, configDigest, tags: all(props, 'stella:image:tag').sort(),
    os: first(props, 'stella:image:os') ?? '', architecture: first(props, 'stella:image:architecture') ?? '',
    ...(manifestDigest === undefined ? {} : { manifestDigest }), ...(variant === undefined ? {} : { variant }),
    layers: layers(props),
  };
}
