/*
 * The one internal inventory model. Every image source, analyzer and SBOM reader maps into these
 * types at the edge; SBOM writers, the matcher and the delta cache see nothing else.
 * All types are plain JSON-serializable data (the layer cache stores them as JSON).
 */

/** purl types we produce; the purl spec's names. */
export type PackageType =
  | 'deb' | 'apk' | 'rpm'
  | 'npm' | 'pypi' | 'maven' | 'golang' | 'cargo' | 'nuget' | 'gem' | 'composer'
  | 'generic';

export interface SourcePackage {
  readonly name: string;
  /** Empty when the source version equals the binary version. */
  readonly version?: string;
}

export interface Package {
  readonly type: PackageType;
  /** Name as the ecosystem's registry spells it (normalized where the ecosystem normalizes). */
  readonly name: string;
  /** Maven group, npm scope without "@", Go module path prefix…; absent when none. */
  readonly namespace?: string;
  /** The full version as the ecosystem writes it (deb: [epoch:]upstream[-revision]; rpm: [epoch:]version-release). */
  readonly version: string;
  readonly purl: string;
  readonly arch?: string;
  /** Source package (dpkg `Source:`, apk origin, rpm SOURCERPM name/version). */
  readonly source?: SourcePackage;
  /** SPDX license expressions, normalized; raw text kept in `properties["stella:license-raw"]` when not SPDX. */
  readonly licenses?: readonly string[];
  /** The layer that introduced the package (its diffID), when scanned from an image. */
  readonly layer?: string;
  /** The file that declared it, absolute inside the image (e.g. /var/lib/dpkg/status). */
  readonly location: string;
  /** Analyzer that found it (e.g. "dpkg"). */
  readonly foundBy: string;
  /** Extra facts, string-valued, keys prefixed "stella:" unless an ecosystem term (sorted on output). */
  readonly properties?: Readonly<Record<string, string>>;
}

/** Distribution of an OS image, as detected from os-release and friends. */
export interface Distro {
  /** os-release ID, lower-case: debian, ubuntu, alpine, rhel, rocky, almalinux, amzn, sles, opensuse-leap… */
  readonly id: string;
  /** Release as advisories key it: "12", "22.04", "3.19", "9", "2023", "15.5". */
  readonly version: string;
  readonly codename?: string;
  readonly prettyName?: string;
}

export interface LayerInfo {
  /** Digest of the (possibly compressed) blob as stored, sha256:… */
  readonly digest: string;
  /** Digest of the uncompressed tar, sha256:… (the cache key). */
  readonly diffId: string;
  readonly size?: number;
  readonly mediaType?: string;
}

export interface ImageInfo {
  /** What the user asked for, e.g. "docker-archive:img.tar". */
  readonly reference: string;
  /** Manifest digest when known (sha256:…). */
  readonly manifestDigest?: string;
  /** Config blob digest (the image ID). */
  readonly configDigest: string;
  readonly tags: readonly string[];
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly layers: readonly LayerInfo[];
}

/** A problem that lost part of the work but not the rest (one bad layer, file or record). */
export interface ScanIssue {
  readonly code: string;
  readonly message: string;
  /** Layer diffID, when the problem is inside a layer. */
  readonly layer?: string;
  /** Path inside the image or the input file. */
  readonly path?: string;
}

export interface Inventory {
  readonly image?: ImageInfo;
  readonly distro?: Distro;
  /** Sorted by type, namespace, name, version, location (see sortPackages). */
  readonly packages: readonly Package[];
  readonly issues: readonly ScanIssue[];
}
