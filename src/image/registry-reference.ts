import { RegistryError } from './registry-errors.js';

/**
 * A parsed image reference, following the grammar of github.com/distribution/reference:
 * `[DOMAIN/]PATH[:TAG][@DIGEST]`. The first path component is a domain only when it holds a `.`
 * or a `:`, is `localhost`, or has upper-case letters; otherwise the image is on Docker Hub, and a
 * one-component Hub path gets `library/`.
 */
export interface RegistryReference {
  /** As written in the reference, normalized: "docker.io", "127.0.0.1:5000", "ghcr.io". */
  readonly domain: string;
  /** host[:port] to connect to: Docker Hub's API lives at registry-1.docker.io. */
  readonly host: string;
  /** "library/alpine" */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

const HOST_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const MAX_NAME = 255;

export function parseRegistryReference(text: string): RegistryReference {
  const bad = (why: string): RegistryError => new RegistryError('BAD_REFERENCE', `"${text}" is not an image reference: ${why}`);
  if (text === '') throw bad('it is empty');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(`"${digest}" is not a digest`);
    if (!/^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/.test(digest)) throw bad(`digest "${digest}" is not sha256 or sha512 in lower-case hex`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`"${tag}" is not a valid tag`);
  }
  const { domain, path } = splitDomain(rest);
  if (!DOMAIN.test(domain)) throw bad(`"${domain}" is not a valid registry host`);
  if (rest.length > MAX_NAME) throw bad(`the name is longer than ${MAX_NAME} characters`);
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw bad(component.toLowerCase() !== component ? 'repository names must be lower-case' : `"${component}" is not a valid repository path component`);
    }
  }
  const normalized = DOCKER_HUB_ALIASES.has(domain.toLowerCase()) ? DOCKER_HUB : domain;
  const repository = normalized === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;
  return {
    domain: normalized,
    host: normalized === DOCKER_HUB ? DOCKER_HUB_API : normalized,
    repository,
    ...(tag === undefined && digest === undefined ? { tag: 'latest' } : tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const isDomain = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  return isDomain ? { domain: first, path: name.slice(slash + 1) } : { domain: DOCKER_HUB, path: name };
}

/** What the manifest endpoint is asked for: the digest when pinned, else the tag. */
export function manifestReference(ref: RegistryReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** "docker.io/library/alpine:3.19", "127.0.0.1:5000/app@sha256:…" */
export function formatReference(ref: RegistryReference): string {
  return `${ref.domain}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** Docker Hub's hosts are one registry as far as credentials go. */
export function credentialHost(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

/** Loopback hosts may be reached over plain HTTP without being listed as insecure. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** Plain HTTP is allowed to loopback hosts and to the host[:port] entries listed as insecure. */
export function plainHttpAllowed(insecureRegistries: readonly string[]): (host: string) => boolean {
  const insecure = new Set(insecureRegistries.map((h) => h.toLowerCase()));
  return (host) => isLoopbackHost(host) || insecure.has(host.toLowerCase());
}
