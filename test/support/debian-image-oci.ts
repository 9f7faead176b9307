import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WrittenLayer } from './debian-image-layers.js';

/*
 * A minimal OCI image layout writer (image-spec v1.0: oci-layout, index.json, blobs/sha256/…)
 * for the Debian test image, and its conversion by Debian's skopeo into the two archive forms.
 */

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface OciImage {
  readonly dir: string;
  readonly tag: string;
  readonly manifestDigest: string;
  readonly configDigest: string;
}

function blobPath(dir: string, digest: string): string {
  return join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/** Writes a JSON blob (canonical: no spaces, keys in the order given) and returns its descriptor. */
function writeJsonBlob(dir: string, mediaType: string, value: unknown): { mediaType: string; digest: string; size: number } {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  writeFileSync(blobPath(dir, digest), bytes);
  return { mediaType, digest, size: bytes.length };
}

/** Creates an empty layout; layer blobs are then moved in with `addLayerBlob`. */
export function createLayout(dir: string): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
}

export function addLayerBlob(dir: string, file: string, layer: WrittenLayer): void {
  renameSync(file, blobPath(dir, layer.digest));
}

export interface ImageDescription {
  readonly architecture: string;
  readonly tag: string;
  /** One line per layer, for the config's history. */
  readonly history: readonly string[];
}

/** Writes config, manifest and index.json (one manifest, tagged through the ref.name annotation). */
export function writeImage(dir: string, layers: readonly WrittenLayer[], image: ImageDescription): OciImage {
  const config = writeJsonBlob(dir, OCI_CONFIG, {
    architecture: image.architecture,
    os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/bash'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: image.history.map((line) => ({ created: '1970-01-01T00:00:00Z', created_by: line })),
  });
  const manifest = writeJsonBlob(dir, OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers: layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: l.digest, size: l.size })),
  });
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      ...manifest,
      platform: { architecture: image.architecture, os: 'linux' },
      annotations: { 'org.opencontainers.image.ref.name': image.tag },
    }],
  }));
  return { dir, tag: image.tag, manifestDigest: manifest.digest, configDigest: config.digest };
}

/** `skopeo copy` from the layout to another transport (no signature policy needed for local files). */
export function skopeoCopy(image: OciImage, destination: string): void {
  execFileSync('skopeo', ['--insecure-policy', 'copy', '--quiet', `oci:${image.dir}:${image.tag}`, destination], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** `skopeo inspect --config` of any transport, parsed. */
export function skopeoConfig(reference: string): { architecture?: string; os?: string; rootfs?: { diff_ids?: string[] } } {
  return JSON.parse(execFileSync('skopeo', ['inspect', '--config', reference], { encoding: 'utf8' })) as ReturnType<typeof skopeoConfig>;
}
