import type { AddressPolicy } from './address-policy.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { verifyBytes } from './blob-stores.js';
import { ImageError } from './errors.js';
import type { LayeredSource } from './layered.js';
import { MAX_JSON_BYTES, parseJson, selectImage, sourceFromCandidate, type Descriptor } from './oci.js';
import { Authenticator } from './registry-auth.js';
import { dockerConfigFile, lookupCredentials } from './registry-credentials.js';
import { RegistryError } from './registry-errors.js';
import { HttpClient, isNotTls, readBody } from './registry-http.js';
import { formatReference, manifestReference, parseRegistryReference, plainHttpAllowed, type RegistryReference } from './registry-reference.js';
import type { BlobStore } from './source.js';

export interface RegistryOptions {
  /** host[:port] entries that may be reached over plain HTTP when HTTPS fails (loopback hosts always may). */
  readonly insecureRegistries?: readonly string[];
  /** A PEM file of extra CA certificates to trust, on top of Node's roots (NODE_EXTRA_CA_CERTS works too). */
  readonly caFile?: string;
  /** The folder holding config.json; default $DOCKER_CONFIG, then ~/.docker. */
  readonly dockerConfig?: string;
  /** A request idle for this long fails and is retried; default 60 s. */
  readonly timeoutMs?: number;
  /** Retries after 429, 5xx and transient network errors; default 4. */
  readonly maxRetries?: number;
  /** How back-off waits (tests inject a recorder); default a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The clock for Retry-After dates; default Date.now. */
  readonly now?: () => number;
  /** Addresses that may not be contacted (servers: internalAddressPolicy); default any. */
  readonly addressPolicy?: AddressPolicy;
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const MAX_ERROR_BODY = 64 * 1024;
const USER_AGENT = 'stella-ops';

/**
 * `registry:HOST[:PORT]/REPO[:TAG|@DIGEST]` (or a Docker Hub short name) → a layered source whose
 * layers stream from the registry. Manifest lists pick the platform; every manifest, config and
 * layer is verified against its digest. The caller has already refused this under --offline.
 */
export async function openRegistry(target: string, text: string, options: RegistryOptions & { readonly platform?: string } = {}): Promise<LayeredSource> {
  const ref = parseRegistryReference(text);
  const store = await RegistryBlobStore.create(ref, options);
  try {
    const root = await store.readRoot(manifestReference(ref));
    const chosen = await selectImage(store, root.doc, root.descriptor, options.platform === undefined ? {} : { platform: options.platform });
    const tags = ref.tag === undefined ? [] : [`${ref.domain}/${ref.repository}:${ref.tag}`];
    return sourceFromCandidate(store, target, { ...chosen, tags });
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** One repository of one registry, read through the Distribution API v2. */
export class RegistryBlobStore implements BlobStore {
  private constructor(
    private readonly ref: RegistryReference,
    private readonly http: HttpClient,
    private readonly auth: Authenticator,
    private base: string,
  ) {}

  static async create(ref: RegistryReference, options: RegistryOptions): Promise<RegistryBlobStore> {
    const allowHttp = plainHttpAllowed(options.insecureRegistries ?? []);
    const ca = options.caFile === undefined ? undefined : await readCa(options.caFile);
    const http = new HttpClient({
      allowHttp,
      ...(options.addressPolicy === undefined ? {} : { addressPolicy: options.addressPolicy }),
      ...(ca === undefined ? {} : { ca }),
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 4,
      sleep: options.sleep ?? ((ms) => delay(ms)),
      now: options.now ?? Date.now,
    });
    const configFile = dockerConfigFile(options.dockerConfig);
    const auth = new Authenticator(http, ref.host, ref.repository, () => lookupCredentials(ref.host, configFile));
    const store = new RegistryBlobStore(ref, http, auth, `https://${ref.host}/v2/`);
    try {
      if (allowHttp(ref.host)) await store.chooseScheme();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** The manifest or index a tag (or digest) names, checked against Docker-Content-Digest. */
  async readRoot(reference: string): Promise<{ doc: Record<string, unknown>; descriptor: Descriptor }> {
    const what = `${this.name()}: manifest ${reference}`;
    const res = await this.expectOk(await this.get(`manifests/${reference}`, MANIFEST_ACCEPT), what);
    const mediaType = String(res.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const header = res.headers['docker-content-digest'];
    const bytes = await readBody(res, MAX_JSON_BYTES, what, () => tooBig(what));
    const claimed = reference.includes(':') ? reference : typeof header === 'string' && /^sha(256|512):[a-f0-9]+$/.test(header) ? header : undefined;
    const digest = claimed ?? `sha256:${sha256Hex(bytes)}`;
    verifyBytes(bytes, digest, this.name());
    return { doc: parseJson(bytes, what), descriptor: { mediaType, digest } };
  }

  async readManifest(digest: string, maxBytes: number): Promise<Buffer> {
    const what = `${this.name()}: manifest ${digest}`;
    const res = await this.expectOk(await this.get(`manifests/${digest}`, MANIFEST_ACCEPT), what);
    return verifyBytes(await readBody(res, maxBytes, what, () => tooBig(what)), digest, this.name());
  }

  async readBlob(digest: string, maxBytes: number): Promise<Buffer> {
    const what = `${this.name()}: blob ${digest}`;
    const res = await this.expectOk(await this.get(`blobs/${digest}`), what);
    return verifyBytes(await readBody(res, maxBytes, what, () => tooBig(what)), digest, this.name());
  }

  /** The layer blob as it streams in; LayeredSource verifies its digest and diffID on the way. */
  async openBlob(digest: string): Promise<Readable> {
    return this.expectOk(await this.get(`blobs/${digest}`), `${this.name()}: blob ${digest}`);
  }

  async close(): Promise<void> {
    this.http.close();
  }

  private name(): string {
    return formatReference({ ...this.ref, tag: undefined, digest: undefined });
  }

  /**
   * Loopback and insecure hosts: HTTPS when the server speaks TLS, else plain HTTP (as Docker
   * does). One probe of /v2/, not retried: a hang-up or a non-TLS answer means plain HTTP.
   */
  private async chooseScheme(): Promise<void> {
    try {
      (await this.http.get(new URL(this.base), { 'user-agent': USER_AGENT }, 0)).resume();
    } catch (error) {
      if (!isNotTls(error)) throw error;
      this.base = `http://${this.ref.host}/v2/`;
    }
  }

  /** GET under /v2/<repo>/, answering up to two 401 challenges (the second for an expired token). */
  private async get(path: string, accept?: string): Promise<IncomingMessage> {
    const url = new URL(`${this.ref.repository}/${path}`, this.base);
    for (let round = 0; ; round++) {
      const authorization = this.auth.authorization;
      const headers = { 'user-agent': USER_AGENT, ...(accept === undefined ? {} : { accept }), ...(authorization === undefined ? {} : { authorization }) };
      const res = await this.http.get(url, headers);
      if (res.statusCode !== 401 || round >= 2) return res;
      const retry = await this.auth.answer(res.headers).catch((error: unknown) => {
        res.resume();
        throw error;
      });
      if (!retry) return res;
      res.resume();
    }
  }

  private async expectOk(res: IncomingMessage, what: string): Promise<IncomingMessage> {
    const status = res.statusCode ?? 0;
    if (status === 200) return res;
    const detail = await errorDetail(res);
    if (status === 404) throw new ImageError('NOT_FOUND', `${what} not found${detail}`);
    if (status === 401) throw new RegistryError('UNAUTHORIZED', `${what}: HTTP 401${detail}; ${this.auth.explain()}`);
    if (status === 403) throw new RegistryError('DENIED', `${what}: HTTP 403 (access denied)${detail}`);
    if (status === 429 || status >= 500) throw new RegistryError('UNREACHABLE', `${what}: HTTP ${status} after every retry${detail}`);
    throw new RegistryError('PROTOCOL', `${what}: unexpected HTTP ${status}${detail}`);
  }
}

/** The registry's error document (`{"errors":[{"code","message"}]}`), in a few words. */
async function errorDetail(res: IncomingMessage): Promise<string> {
  const body = await readBody(res, MAX_ERROR_BODY, 'error body', () => new Error('too big')).catch(() => Buffer.alloc(0));
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = doc.errors?.[0];
    if (first !== undefined) return ` (${String(first.code)}: ${String(first.message)})`;
  } catch {
    // Not the Distribution API's error document: no detail to add.
  }
  return '';
}

function tooBig(what: string): ImageError {
  return new ImageError('BAD_MANIFEST', `${what} is larger than a manifest or config may be`);
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readCa(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new RegistryError('TLS', `CA file ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}
