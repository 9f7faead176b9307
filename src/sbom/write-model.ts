/*
 * The format-neutral view every SBOM writer renders: an Inventory plus the clock and tool, with
 * packages in their one deterministic order, unique references, classified licences and the
 * `stella:` properties that carry facts the formats have no field for (layer, location…).
 */
import { comparePackages, type Distro, type ImageInfo, type Inventory, type Package, type PackageType } from '../inventory/index.js';
import { declaredLicenses, type DeclaredLicenses } from './write-licenses.js';
import { canonicalKey, compareText, sha256Hex } from './write-ids.js';
import { SbomWriteError } from './write-errors.js';

export interface Property {
  readonly name: string;
  readonly value: string;
}

export type ComponentPurpose = 'container' | 'operating-system' | 'library';

export interface WriteComponent {
  /** Unique in the document: the purl, or `<purl>|<12 hex>` when several packages share a purl. */
  readonly ref: string;
  /** 16 hex digits from purl + location (+ a duplicate index): seeds each format's element ids. */
  readonly idHash: string;
  readonly purpose: ComponentPurpose;
  readonly packageType?: PackageType;
  readonly name: string;
  readonly namespace?: string;
  readonly version?: string;
  readonly purl?: string;
  readonly licenses: DeclaredLicenses;
  /** Sorted by name, then value. */
  readonly properties: readonly Property[];
  /** The image's config digest split into algorithm and hex. */
  readonly digest?: { readonly algorithm: string; readonly hex: string };
}

export interface WriteModel {
  /** ISO 8601 UTC to the second (`2024-05-01T12:00:00Z`), the form every format accepts. */
  readonly created: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly documentName: string;
  readonly image?: WriteComponent;
  readonly os?: WriteComponent;
  readonly packages: readonly WriteComponent[];
  /** sha256 hex of everything above: seeds serial numbers and namespaces. */
  readonly contentHash: string;
}

export const TOOL_NAME = 'stella';
const NO_LICENSES = declaredLicenses(undefined);

function sortProperties(props: Property[]): Property[] {
  const seen = new Set<string>();
  return props
    .filter((p) => { const k = `${p.name}\u0000${p.value}`; return seen.has(k) ? false : (seen.add(k), true); })
    .sort((a, b) => compareText(a.name, b.name) || compareText(a.value, b.value));
}

function formatCreated(created: Date): string {
  const time = created.getTime();
  if (Number.isNaN(time)) throw new SbomWriteError('invalid-clock', 'the creation time is not a valid date');
  const year = created.getUTCFullYear();
  if (year < 1970 || year > 9999) throw new SbomWriteError('invalid-clock', `the creation year ${year} is outside 1970–9999`);
  return created.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function imageProperties(image: ImageInfo): Property[] {
  const props: Property[] = [
    { name: 'stella:image:reference', value: image.reference },
    { name: 'stella:image:config-digest', value: image.configDigest },
    { name: 'stella:image:os', value: image.os },
    { name: 'stella:image:architecture', value: image.architecture },
    ...image.tags.map((tag) => ({ name: 'stella:image:tag', value: tag })),
  ];
  if (image.manifestDigest !== undefined) props.push({ name: 'stella:image:manifest-digest', value: image.manifestDigest });
  if (image.variant !== undefined) props.push({ name: 'stella:image:variant', value: image.variant });
  image.layers.forEach((layer, i) => {
    const prefix = `stella:image:layer:${i}`;
    props.push({ name: `${prefix}:diffID`, value: layer.diffId }, { name: `${prefix}:digest`, value: layer.digest });
    if (layer.size !== undefined) props.push({ name: `${prefix}:size`, value: String(layer.size) });
    if (layer.mediaType !== undefined) props.push({ name: `${prefix}:mediaType`, value: layer.mediaType });
  });
  return sortProperties(props);
}

/** The image is named by its first tag (sorted), else by the reference the user gave. */
export function imageName(image: ImageInfo): string {
  return [...image.tags].sort(compareText)[0] ?? image.reference;
}

function imageComponent(image: ImageInfo): WriteComponent {
  const [algorithm, hex] = image.configDigest.split(':', 2);
  const base = {
    ref: `image:${image.configDigest}`, idHash: sha256Hex(`image\u0000${image.configDigest}`).slice(0, 16),
    purpose: 'container' as const, name: imageName(image), version: image.configDigest,
    licenses: NO_LICENSES, properties: imageProperties(image),
  };
  return algorithm !== undefined && hex !== undefined && hex !== '' ? { ...base, digest: { algorithm, hex } } : base;
}

function osComponent(distro: Distro): WriteComponent {
  const props: Property[] = [];
  if (distro.codename !== undefined) props.push({ name: 'stella:distro:codename', value: distro.codename });
  if (distro.prettyName !== undefined) props.push({ name: 'stella:distro:pretty-name', value: distro.prettyName });
  return {
    ref: `os:${distro.id}@${distro.version}`, idHash: sha256Hex(`os\u0000${distro.id}\u0000${distro.version}`).slice(0, 16),
    purpose: 'operating-system', name: distro.id, version: distro.version, licenses: NO_LICENSES, properties: sortProperties(props),
  };
}

function packageProperties(pkg: Package, licenses: DeclaredLicenses): Property[] {
  const props: Property[] = [{ name: 'stella:location', value: pkg.location }, { name: 'stella:foundBy', value: pkg.foundBy }];
  if (pkg.layer !== undefined) props.push({ name: 'stella:layer', value: pkg.layer });
  if (pkg.source !== undefined) props.push({ name: 'stella:source-name', value: pkg.source.name });
  if (pkg.source?.version !== undefined && pkg.source.version !== '') props.push({ name: 'stella:source-version', value: pkg.source.version });
  for (const term of licenses.terms) if (term.kind === 'text') props.push({ name: 'stella:license-unparsed', value: term.text });
  for (const [name, value] of Object.entries(pkg.properties ?? {})) props.push({ name, value });
  return sortProperties(props);
}

/** Packages in the one canonical order; identical-looking packages are ordered by their full content. */
function orderPackages(packages: readonly Package[]): Package[] {
  const keys = new Map(packages.map((p) => [p, canonicalKey(p)]));
  return [...packages].sort((a, b) => comparePackages(a, b) || compareText(keys.get(a) ?? '', keys.get(b) ?? ''));
}

function packageComponents(packages: readonly Package[]): WriteComponent[] {
  const ordered = orderPackages(packages);
  const purlCount = new Map<string, number>();
  for (const p of ordered) purlCount.set(p.purl, (purlCount.get(p.purl) ?? 0) + 1);
  const identityCount = new Map<string, number>();
  return ordered.map((pkg) => {
    const identity = `${pkg.purl}\u0000${pkg.location}`;
    const n = identityCount.get(identity) ?? 0;
    identityCount.set(identity, n + 1);
    const idHash = sha256Hex(n === 0 ? identity : `${identity}\u0000${n}`).slice(0, 16);
    const ref = pkg.purl === '' ? `package:${idHash}` : purlCount.get(pkg.purl) === 1 ? pkg.purl : `${pkg.purl}|${idHash.slice(0, 12)}`;
    const licenses = declaredLicenses(pkg.licenses);
    return {
      ref, idHash, purpose: 'library' as const, packageType: pkg.type, name: pkg.name, licenses,
      properties: packageProperties(pkg, licenses),
      ...(pkg.namespace !== undefined && pkg.namespace !== '' ? { namespace: pkg.namespace } : {}),
      ...(pkg.version !== '' ? { version: pkg.version } : {}),
      ...(pkg.purl !== '' ? { purl: pkg.purl } : {}),
    };
  });
}

export function buildWriteModel(inventory: Inventory, created: Date, toolVersion: string): WriteModel {
  const image = inventory.image === undefined ? undefined : imageComponent(inventory.image);
  const os = inventory.distro === undefined ? undefined : osComponent(inventory.distro);
  const body = {
    created: formatCreated(created), tool: { name: TOOL_NAME, version: toolVersion },
    documentName: image?.name ?? 'stella-inventory', packages: packageComponents(inventory.packages),
    ...(image === undefined ? {} : { image }), ...(os === undefined ? {} : { os }),
  };
  return { ...body, contentHash: sha256Hex(canonicalKey(body)) };
}

/** Every component the document lists, root first: image, operating system, packages. */
export function allComponents(model: WriteModel): WriteComponent[] {
  return [...(model.image === undefined ? [] : [model.image]), ...(model.os === undefined ? [] : [model.os]), ...model.packages];
}

/** `Package-<type>-<name>-<hash>`-style local id, safe for SPDX's `[A-Za-z0-9.-]+`. */
export function localId(component: WriteComponent): string {
  const kind = component.purpose === 'container' ? 'Image' : component.purpose === 'operating-system' ? 'OperatingSystem' : `Package-${component.packageType ?? 'unknown'}`;
  const name = component.purpose === 'container' ? '' : component.name.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return name === '' ? `${kind}-${component.idHash}` : `${kind}-${name}-${component.idHash}`;
}
