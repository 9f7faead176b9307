import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZipFile } from 'yazl';
import type { JsonValue } from '../../../store/index.js';
import type { ConnectorOptions, FeedDocument, FetchContext } from '../../connector.js';
import { createHttpClient } from '../../http.js';

/* Test helpers: a loopback OSV bucket and an in-memory fetch context (imported by tests only). */

export interface Resource {
  body: Buffer;
  etag?: string;
  /** Announce the full Content-Length but close the connection after this many bytes. */
  cutAfter?: number;
}

export interface Request {
  /** As sent (percent-encoded). */
  readonly rawPath: string;
  readonly ifNoneMatch: string | undefined;
}

/** Serves `files` (keyed by decoded path, '/npm/all.zip'); 404 for anything else. */
export class FakeBucket {
  readonly files = new Map<string, Resource>();
  readonly requests: Request[] = [];
  private server: Server | undefined;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const rawPath = req.url ?? '/';
    const inm = req.headers['if-none-match'];
    this.requests.push({ rawPath, ifNoneMatch: typeof inm === 'string' ? inm : undefined });
    const file = this.files.get(rawPath.split('/').map((s) => decodeURIComponent(s)).join('/'));
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (file.etag !== undefined && inm === file.etag) {
      res.writeHead(304, { etag: file.etag }).end();
      return;
    }
    res.writeHead(200, { 'content-length': String(file.body.length), ...(file.etag === undefined ? {} : { etag: file.etag }) });
    if (file.cutAfter === undefined) res.end(file.body);
    else res.write(file.body.subarray(0, file.cutAfter), () => res.destroy());
  }

  /** The paths requested since `from`, as sent. */
  paths(from = 0): string[] {
    return this.requests.slice(from).map((r) => r.rawPath);
  }
}

/** A zip of `entries` (name → bytes), deflated, with a fixed timestamp. */
export async function buildZip(entries: readonly (readonly [string, Buffer])[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, body] of entries) zip.addBuffer(body, name, { mtime: new Date('2024-01-01T00:00:00Z'), compress: true });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export interface StoredDocument {
  readonly url: string | null;
  readonly contentType: string | null;
  readonly body: Buffer;
}

/** An in-memory FetchContext: documents in a Map, the cursor in a variable, errors in a list. */
export class MemoryContext {
  readonly documents = new Map<string, StoredDocument>();
  readonly errors: { documentId: string; recordId: string | null; message: string }[] = [];
  readonly cursors: JsonValue[] = [];
  readonly logs: string[] = [];
  cursor: JsonValue = null;

  constructor(readonly workDir: string) {}

  context(options: ConnectorOptions): FetchContext {
    const http = createHttpClient({ maxRetries: 0, sleep: async () => undefined, now: () => new Date('2024-06-01T00:00:00Z') });
    return {
      source: 'osv',
      http,
      options,
      cursor: this.cursor,
      now: () => new Date('2024-06-01T00:00:00Z'),
      workDir: this.workDir,
      putDocument: async (doc: FeedDocument) => {
        const before = this.documents.get(doc.documentId);
        const body = Buffer.from(doc.body);
        this.documents.set(doc.documentId, { url: doc.url, contentType: doc.contentType, body });
        return { inserted: before === undefined || !before.body.equals(body), sha256: '' };
      },
      saveCursor: async (cursor: JsonValue) => {
        this.cursor = cursor;
        this.cursors.push(cursor);
      },
      recordError: async (documentId: string, recordId: string | null, message: string) => {
        this.errors.push({ documentId, recordId, message });
      },
      log: (message: string) => {
        this.logs.push(message);
      },
    };
  }
}
