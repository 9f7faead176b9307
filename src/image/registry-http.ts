import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { AddressPolicy } from './address-policy.js';
import { RegistryError } from './registry-errors.js';

export interface HttpClientOptions {
  /** May this host[:port] be reached over plain HTTP? */
  readonly allowHttp: (host: string) => boolean;
  /** Extra trusted CA certificates (PEM), on top of Node's bundled roots. */
  readonly ca?: string;
  /** A request that sends or receives nothing for this long fails (and is retried). */
  readonly timeoutMs: number;
  /** Retries after 429, 5xx and transient network errors. */
  readonly maxRetries: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** For Retry-After given as an HTTP date. */
  readonly now: () => number;
  /** Checked on every connection, on the address it goes to (IP literal or what DNS answered). */
  readonly addressPolicy?: AddressPolicy;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup, refusing (before any connection) an answer the policy forbids. */
function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) {
        callback(error, options.all === true ? [] : '', undefined);
        return;
      }
      for (const { address } of addresses) {
        const why = policy(address);
        if (why !== undefined) {
          callback(new RegistryError('FORBIDDEN_ADDRESS', `${hostname} resolves to ${address}: ${why}`) as NodeJS.ErrnoException, options.all === true ? [] : '', undefined);
          return;
        }
      }
      if (options.all === true) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 10_000;
/** However long a server asks us to wait, we wait at most this long between tries. */
const MAX_WAIT_MS = 60_000;
const TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'TIMEOUT']);
const TLS_UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID/;
const NOT_TLS = new Set(['EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

/**
 * GET over node:http(s): follows redirects (dropping Authorization when the origin changes, refusing
 * a fall back to plain HTTP), retries 429/5xx and transient failures with bounded back-off that
 * honours Retry-After, and times out idle connections. Bodies are returned as streams.
 */
export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: HttpClientOptions) {
    const lookup = options.addressPolicy === undefined ? {} : { lookup: guardedLookup(options.addressPolicy) };
    this.httpAgent = new http.Agent({ keepAlive: true, ...lookup });
    this.httpsAgent = new https.Agent({ keepAlive: true, ...lookup, ...(options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] }) });
  }

  /** The final answer (any status but a redirect); after the last retry a 429/5xx is returned as is. */
  async get(url: URL, headers: Readonly<Record<string, string>>, retries = this.options.maxRetries): Promise<IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      let res: IncomingMessage;
      try {
        res = await this.follow(url, headers);
      } catch (error) {
        if (attempt >= retries || !isTransient(error)) throw error;
        await this.options.sleep(backoff(attempt));
        continue;
      }
      if (!retryable(res.statusCode ?? 0) || attempt >= retries) return res;
      const wait = retryAfter(res.headers['retry-after'], this.options.now()) ?? backoff(attempt);
      res.resume();
      await this.options.sleep(Math.min(wait, MAX_WAIT_MS));
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async follow(start: URL, headers: Readonly<Record<string, string>>): Promise<IncomingMessage> {
    let url = start;
    let sent: Record<string, string> = { ...headers };
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.once(url, sent);
      const location = res.headers.location;
      if (!REDIRECTS.has(res.statusCode ?? 0) || location === undefined) return res;
      res.resume();
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new RegistryError('PROTOCOL', `${url.host} redirected to ${next.protocol} URL`);
      if (url.protocol === 'https:' && next.protocol === 'http:' && !this.options.allowHttp(next.host)) {
        throw new RegistryError('INSECURE', `${url.host} redirected to plain-HTTP ${next.host}, which is not loopback nor listed as insecure`);
      }
      if (next.origin !== url.origin) sent = withoutAuthorization(sent);
      url = next;
    }
    throw new RegistryError('PROTOCOL', `${start.host}: more than ${MAX_REDIRECTS} redirects for ${start.pathname}`);
  }

  private once(url: URL, headers: Readonly<Record<string, string>>): Promise<IncomingMessage> {
    if (url.protocol === 'http:' && !this.options.allowHttp(url.host)) {
      return Promise.reject(new RegistryError('INSECURE', `${url.host} is neither loopback nor listed as insecure: plain HTTP is refused`));
    }
    // An IP literal is connected to without a lookup: checked here.
    const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const why = isIP(literal) === 0 ? undefined : this.options.addressPolicy?.(literal);
    if (why !== undefined) return Promise.reject(new RegistryError('FORBIDDEN_ADDRESS', `${url.host}: ${why}`));
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(url, { method: 'GET', headers, agent: secure ? this.httpsAgent : this.httpAgent });
      let response: IncomingMessage | undefined;
      request.setTimeout(this.options.timeoutMs, () => {
        const error = networkError(url, Object.assign(new Error(`no data for ${this.options.timeoutMs} ms`), { code: 'TIMEOUT' }));
        response?.destroy(error);
        request.destroy(error);
      });
      request.on('response', (res) => {
        response = res;
        resolve(res);
      });
      request.on('error', (error) => reject(error instanceof RegistryError ? error : networkError(url, error)));
      request.end();
    });
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
}

function networkError(url: URL, error: Error): RegistryError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (TLS_UNTRUSTED.test(code)) {
    return new RegistryError('TLS', `${url.host}: TLS certificate not trusted (${code}: ${error.message}); give its CA with the caFile option or NODE_EXTRA_CA_CERTS`, { cause: error });
  }
  return new RegistryError('UNREACHABLE', `${url.host}: ${code === '' ? '' : `${code}: `}${error.message}`, { cause: error });
}

function isTransient(error: unknown): boolean {
  return error instanceof RegistryError && error.code === 'UNREACHABLE' && TRANSIENT.has(causeCode(error));
}

/** The server answered a TLS handshake with something else (plain HTTP) or hung up on it. */
export function isNotTls(error: unknown): boolean {
  return error instanceof RegistryError && (NOT_TLS.has(causeCode(error)) || causeCode(error) === 'ECONNRESET');
}

function causeCode(error: RegistryError): string {
  return String((error.cause as NodeJS.ErrnoException | undefined)?.code ?? '');
}

function retryable(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

function backoff(attempt: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_CAP_MS);
}

/** Retry-After as seconds or an HTTP date → milliseconds; undefined when absent or unreadable. */
export function retryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Reads a small body whole, refusing more than `maxBytes`. */
export async function readBody(res: IncomingMessage, maxBytes: number, what: string, tooBig: () => Error): Promise<Buffer> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    res.destroy();
    throw tooBig();
  }
  const parts: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > maxBytes) break;
      parts.push(chunk);
    }
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError('UNREACHABLE', `${what}: the connection failed mid-answer: ${(error as Error).message}`, { cause: error });
  }
  if (length > maxBytes) {
    res.destroy();
    throw tooBig();
  }
  return Buffer.concat(parts, length);
}
