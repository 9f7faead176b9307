import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TrivyDbError } from './errors.js';

/*
 * The OCI image layout of the DB artifact, as trivy pulls it with --db-repository (trivy
 * pkg/oci/artifact.go: a single layer, its media type must be the DB layer type, and its file name
 * comes from the layer's org.opencontainers.image.title annotation) and as trivy-db's release job
 * pushes it (`oras push --artifact-type application/vnd.aquasec.trivy.config.v1+json
 * db.tar.gz:application/vnd.aquasec.trivy.db.layer.v1.tar+gzip`, tag "2"). We write the image-spec
 * 1.0 form of that push (`--image-spec v1.0`): the config descriptor carries the Trivy config media
 * type over the two bytes `{}`. (oras ≥ 1.1 by default writes the 1.1 form instead — an empty
 * config plus `artifactType`; trivy reads either, since it looks only at the layer.)
 * Copy it to a registry with any OCI layout tool (`oras cp --from-oci-layout out/oci:2 …`).
 */

export const DB_LAYER_MEDIA_TYPE = 'application/vnd.aquasec.trivy.db.layer.v1.tar+gzip';
export const DB_CONFIG_MEDIA_TYPE = 'application/vnd.aquasec.trivy.config.v1+json';
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
/** The tag trivy asks for: the schema version. */
export const DB_TAG = '2';
export const LAYER_TITLE = 'db.tar.gz';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

export function sha256Of(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

export function blobPath(layoutDir: string, digest: string): string {
  return join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

export interface ManifestInput {
  readonly layer: { readonly digest: string; readonly size: number };
  /** The manifest's org.opencontainers.image.created (the DB's UpdatedAt). */
  readonly created: string;
  /** A delta's base manifest digest (org.opencontainers.image.base.digest). */
  readonly baseDigest?: string;
}

export interface OciArtifact {
  readonly config: { readonly bytes: Buffer; readonly descriptor: Descriptor };
  readonly manifest: { readonly bytes: Buffer; readonly descriptor: Descriptor };
  readonly index: Buffer;
  readonly layout: Buffer;
}

/** The JSON documents of the artifact (the layer blob is db.tar.gz itself). */
export function ociArtifact(input: ManifestInput): OciArtifact {
  const configBytes = Buffer.from('{}');
  const config: Descriptor = { mediaType: DB_CONFIG_MEDIA_TYPE, digest: sha256Of(configBytes), size: configBytes.length };
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config,
    layers: [{ mediaType: DB_LAYER_MEDIA_TYPE, ...input.layer, annotations: { 'org.opencontainers.image.title': LAYER_TITLE } }],
    annotations: {
      ...(input.baseDigest === undefined ? {} : { 'org.opencontainers.image.base.digest': input.baseDigest }),
      'org.opencontainers.image.created': input.created,
    },
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDescriptor: Descriptor = {
    mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: sha256Of(manifestBytes), size: manifestBytes.length,
    annotations: { 'org.opencontainers.image.ref.name': DB_TAG },
  };
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: [manifestDescriptor] }));
  return {
    config: { bytes: configBytes, descriptor: config },
    manifest: { bytes: manifestBytes, descriptor: manifestDescriptor },
    index,
    layout: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })),
  };
}

/** The manifest digest tagged "2" in an export's OCI layout (the base of a delta). */
export async function readBaseManifestDigest(exportDir: string): Promise<string> {
  const layoutDir = join(exportDir, 'oci');
  let index: { manifests?: { digest?: unknown; annotations?: Record<string, unknown> }[] };
  try {
    index = JSON.parse(await readFile(join(layoutDir, 'index.json'), 'utf8')) as typeof index;
  } catch (cause) {
    throw new TrivyDbError('BAD_BASE', `${exportDir} is not a Trivy DB export: cannot read oci/index.json`, { cause });
  }
  const tagged = (index.manifests ?? []).filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] === DB_TAG);
  const digest = tagged[0]?.digest;
  if (tagged.length !== 1 || typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new TrivyDbError('BAD_BASE', `${exportDir}/oci/index.json does not name exactly one manifest tagged "${DB_TAG}"`);
  }
  try {
    await stat(blobPath(layoutDir, digest));
  } catch (cause) {
    throw new TrivyDbError('BAD_BASE', `${exportDir}/oci has no blob for its manifest ${digest}`, { cause });
  }
  return digest;
}

/** Replaces `target` by a hard link to (or, across file systems, a copy of) `source`. */
export async function linkOrCopy(source: string, target: string): Promise<void> {
  await unlink(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  try {
    await link(source, target);
  } catch {
    await copyFile(source, target);
  }
}

/** Writes bytes unless the same bytes are already at `candidate` (then links them). True when reused. */
export async function writeOrReuse(target: string, bytes: Buffer, candidate: string | undefined): Promise<boolean> {
  if (candidate !== undefined && (await sameBytes(candidate, bytes.length, sha256Of(bytes)))) {
    await linkOrCopy(candidate, target);
    return true;
  }
  await writeFile(target, bytes);
  return false;
}

/** Is the file at `path` of this size and digest? (False when it does not exist.) */
export async function sameBytes(path: string, size: number, digest: string): Promise<boolean> {
  try {
    if ((await stat(path)).size !== size) return false;
  } catch {
    return false;
  }
  return (await sha256OfFile(path)) === digest;
}
