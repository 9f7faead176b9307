/**
 * A loopback OCI Distribution API v2 registry for tests (node:http on 127.0.0.1:0), serving images
 * built with image-builder: /v2/, manifests by tag and digest (with Docker-Content-Digest) and
 * blobs. Modes: bearer tokens (a /token endpoint), basic auth, blobs redirected to a second
 * server, a 429/5xx answer once per path, bytes tampered with, a stalled blob, TLS. Every request is recorded.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { buildImage, sha256, type TestImage } from './image-builder.js';

export interface RegistryServerOptions {
  readonly auth?: 'none' | 'bearer' | 'basic';
  /** user → password. Basic mode: required. Bearer mode: when given, the token endpoint demands one. */
  readonly users?: Readonly<Record<string, string>>;
  /** Which field the token endpoint answers with. */
  readonly tokenField?: 'token' | 'access_token';
  /** Blob GETs answer 307 to a second server (another origin) that serves the bytes. */
  readonly redirectBlobs?: boolean;
  /** The first GET of every manifest or blob path gets this status (and Retry-After when given). */
  readonly throttleOnce?: { readonly status: number; readonly retryAfter?: string };
  /** digest → bytes served in place of the real ones (the digest still names them). */
  readonly tamper?: ReadonlyMap<string, Buffer>;
  /** This blob is answered with its headers and half its bytes, then nothing (the socket stays open). */
  readonly stallBlob?: string;
  /** Docker-Content-Digest header for every tag → this value instead of the truth. */
  readonly claimedDigest?: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface SeenRequest {
  readonly server: 'registry' | 'blobs';
  readonly path: string;
  readonly authorization?: string;
  readonly accept?: string;
}

interface Stored {
  readonly bytes: Buffer;
  readonly mediaType: string;
}

const INDEX_OCI = 'application/vnd.oci.image.index.v1+json';
const INDEX_DOCKER = 'application/vnd.docker.distribution.manifest.list.v2+json';

export class TestRegistry {
  readonly requests: SeenRequest[] = [];
  readonly tokensIssued: { scope: string[]; service?: string; user?: string }[] = [];
  private readonly manifests = new Map<string, Stored>();
  private readonly tags = new Map<string, string>();
  private readonly blobs = new Map<string, Buffer>();
  private readonly throttled = new Set<string>();
  private readonly tokens = new Map<string, string[]>();
  private registry!: http.Server;
  private blobServer!: http.Server;

  private constructor(private readonly options: RegistryServerOptions) {}

  static async start(options: RegistryServerOptions = {}): Promise<TestRegistry> {
    const server = new TestRegistry(options);
    const handler = (req: IncomingMessage, res: ServerResponse): void => server.handle(req, res);
    server.registry = options.tls === undefined ? http.createServer(handler) : https.createServer(options.tls, handler);
    server.blobServer = http.createServer((req, res) => server.serveRedirected(req, res));
    await Promise.all([listen(server.registry), listen(server.blobServer)]);
    return server;
  }

  /** "127.0.0.1:PORT" */
  get host(): string {
    return `127.0.0.1:${(this.registry.address() as AddressInfo).port}`;
  }

  get registryRequests(): SeenRequest[] {
    return this.requests.filter((r) => r.server === 'registry');
  }

  /** Stores the images under repository:tag — one image as a manifest, several as an index. */
  async push(repository: string, tag: string, images: readonly TestImage[]): Promise<{ digest: string; manifests: string[] }> {
    const built = await Promise.all(images.map(buildImage));
    for (const b of built) {
      for (const layer of b.layers) this.blobs.set(layer.digest, layer.blob);
      this.blobs.set(b.configDigest, b.config);
      this.manifests.set(b.manifestDigest, { bytes: b.manifest, mediaType: b.manifestMediaType });
    }
    if (built[0] === undefined) throw new Error('push needs at least one image');
    let digest = built[0].manifestDigest;
    if (built.length > 1) {
      const docker = images.every((i) => i.dockerMediaTypes === true);
      const index = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: docker ? INDEX_DOCKER : INDEX_OCI,
        manifests: built.map((b) => ({
          mediaType: b.manifestMediaType, digest: b.manifestDigest, size: b.manifest.length,
          platform: { os: b.image.os ?? 'linux', architecture: b.image.architecture ?? 'amd64', ...(b.image.variant ? { variant: b.image.variant } : {}) },
        })),
      }));
      digest = sha256(index);
      this.manifests.set(digest, { bytes: index, mediaType: docker ? INDEX_DOCKER : INDEX_OCI });
    }
    this.tags.set(`${repository}:${tag}`, digest);
    return { digest, manifests: built.map((b) => b.manifestDigest) };
  }

  /** Called on every TCP connection to either server (to prove that none was made). */
  onConnection(listener: () => void): void {
    this.registry.on('connection', listener);
    this.blobServer.on('connection', listener);
  }

  async close(): Promise<void> {
    for (const server of [this.registry, this.blobServer]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://registry');
    this.requests.push({ server: 'registry', path: `${url.pathname}${url.search}`, ...header(req, 'authorization'), ...header(req, 'accept') });
    if (url.pathname === '/token') return this.issueToken(req, url, res);
    const route = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    const repository = route?.[1];
    if (url.pathname !== '/v2/' && route === null) return send(res, 404, jsonError('NAME_UNKNOWN', 'no such route'));
    if (!this.authorized(req, repository)) return this.challenge(res, repository);
    if (url.pathname === '/v2/') return send(res, 200, '{}', { 'content-type': 'application/json' });
    if (this.options.throttleOnce !== undefined && !this.throttled.has(url.pathname)) {
      this.throttled.add(url.pathname);
      const { status, retryAfter } = this.options.throttleOnce;
      return send(res, status, jsonError('TOOMANYREQUESTS', 'slow down'), retryAfter === undefined ? {} : { 'retry-after': retryAfter });
    }
    const [, , kind, reference] = route as RegExpExecArray;
    if (kind === 'manifests') return this.serveManifest(res, repository as string, reference as string);
    return this.serveBlob(res, reference as string);
  }

  private serveManifest(res: ServerResponse, repository: string, reference: string): void {
    const digest = reference.startsWith('sha256:') ? reference : this.tags.get(`${repository}:${reference}`);
    const stored = digest === undefined ? undefined : this.manifests.get(digest);
    if (digest === undefined || stored === undefined) return send(res, 404, jsonError('MANIFEST_UNKNOWN', `manifest unknown: ${reference}`));
    const claimed = !reference.startsWith('sha256:') && this.options.claimedDigest !== undefined ? this.options.claimedDigest : digest;
    send(res, 200, this.options.tamper?.get(digest) ?? stored.bytes, { 'content-type': stored.mediaType, 'docker-content-digest': claimed });
  }

  private serveBlob(res: ServerResponse, digest: string): void {
    if (!this.blobs.has(digest)) return send(res, 404, jsonError('BLOB_UNKNOWN', `blob unknown: ${digest}`));
    if (this.options.redirectBlobs === true) {
      const port = (this.blobServer.address() as AddressInfo).port;
      res.writeHead(307, { location: `http://127.0.0.1:${port}/storage/${digest}?signature=test` }).end();
      return;
    }
    const bytes = this.blobBytes(digest);
    if (this.options.stallBlob === digest) {
      res.writeHead(200, { 'content-length': String(bytes.length) }).write(bytes.subarray(0, bytes.length >> 1));
      return;
    }
    send(res, 200, bytes, { 'content-type': 'application/octet-stream', 'docker-content-digest': digest });
  }

  private serveRedirected(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://blobs');
    this.requests.push({ server: 'blobs', path: `${url.pathname}${url.search}`, ...header(req, 'authorization') });
    const digest = /^\/storage\/(sha256:[a-f0-9]{64})$/.exec(url.pathname)?.[1];
    if (digest === undefined || !this.blobs.has(digest) || url.searchParams.get('signature') !== 'test') return send(res, 403, 'denied');
    send(res, 200, this.blobBytes(digest), { 'content-type': 'application/octet-stream' });
  }

  private blobBytes(digest: string): Buffer {
    return this.options.tamper?.get(digest) ?? (this.blobs.get(digest) as Buffer);
  }

  private authorized(req: IncomingMessage, repository: string | undefined): boolean {
    const auth = req.headers.authorization ?? '';
    switch (this.options.auth ?? 'none') {
      case 'none':
        return true;
      case 'basic':
        return this.user(auth) !== undefined;
      case 'bearer': {
        const scopes = auth.startsWith('Bearer ') ? this.tokens.get(auth.slice('Bearer '.length)) : undefined;
        return scopes !== undefined && (repository === undefined || scopes.includes(`repository:${repository}:pull`));
      }
    }
  }

  private challenge(res: ServerResponse, repository: string | undefined): void {
    const value = this.options.auth === 'basic'
      ? 'Basic realm="test-registry"'
      : `Bearer realm="${this.origin()}/token",service="test-registry"${repository === undefined ? '' : `,scope="repository:${repository}:pull"`}`;
    send(res, 401, jsonError('UNAUTHORIZED', 'authentication required'), { 'www-authenticate': value });
  }

  private issueToken(req: IncomingMessage, url: URL, res: ServerResponse): void {
    const user = this.user(req.headers.authorization ?? '');
    if (this.options.users !== undefined && user === undefined) return send(res, 401, jsonError('UNAUTHORIZED', 'bad credentials'));
    const scope = url.searchParams.getAll('scope');
    const service = url.searchParams.get('service') ?? undefined;
    const token = `token-${this.tokens.size + 1}`;
    this.tokens.set(token, scope.flatMap((s) => s.split(' ')));
    this.tokensIssued.push({ scope, ...(service === null ? {} : { service }), ...(user === undefined ? {} : { user }) });
    send(res, 200, JSON.stringify({ [this.options.tokenField ?? 'token']: token, expires_in: 300 }), { 'content-type': 'application/json' });
  }

  private user(authorization: string): string | undefined {
    if (!authorization.startsWith('Basic ')) return undefined;
    const [user, ...rest] = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8').split(':');
    return user !== undefined && this.options.users?.[user] === rest.join(':') ? user : undefined;
  }

  private origin(): string {
    return `${this.options.tls === undefined ? 'http' : 'https'}://${this.host}`;
  }
}

function header(req: IncomingMessage, name: 'authorization' | 'accept'): Partial<Record<typeof name, string>> {
  const value = req.headers[name];
  return typeof value === 'string' ? { [name]: value } : {};
}

function jsonError(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message }] });
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-length': String(bytes.length), ...headers }).end(bytes);
}

function listen(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}
