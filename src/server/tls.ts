import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { ServerOptions } from 'node:https';
import { hostname as osHostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StellaError } from '../common/index.js';

/*
 * Transport security. HTTPS by default with TLS 1.3 as the floor. The certificate comes from
 * --tls-cert/--tls-key, else a self-signed ECDSA P-256 one generated under $STELLA_HOME/tls at
 * first start and reused after. TLS 1.2 (or anything else about the secure context: ciphers,
 * engines for GOST) only through an explicit provider module, the one way to lower the floor.
 */

export type TlsErrorCode =
  /** A certificate or key file cannot be read, parsed, or does not match. */
  | 'BAD_CERTIFICATE'
  /** --tls-cert without --tls-key or the other way round. */
  | 'MISSING_KEY'
  /** The provider module cannot be loaded, has no default function, or returned no object. */
  | 'BAD_PROVIDER'
  /** The provider asked for less than TLS 1.2 (or for a legacy secureProtocol). */
  | 'INSECURE_VERSION';

export class TlsError extends StellaError<TlsErrorCode> {
  constructor(code: TlsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TlsError';
  }
}

/** Secure-context options a provider returns (node:https server options: minVersion, ciphers, engines…). */
export type TlsServerOptions = ServerOptions;

export interface TlsProviderContext {
  readonly stellaHome: string;
  readonly hostname: string;
  /** The certificate Stella would use without the provider (given files or the self-signed one). */
  defaultCertificate(): Promise<{ cert: string; key: string }>;
}

/** The default export of a --tls-provider module. */
export type TlsProvider = (context: TlsProviderContext) => Promise<TlsServerOptions> | TlsServerOptions;

export interface ResolveTlsOptions {
  stellaHome: string;
  certFile?: string;
  keyFile?: string;
  /** Path of an ESM provider module (resolved against the working directory). */
  provider?: string;
  /** Put in the self-signed certificate's SAN next to localhost and the loopback addresses. */
  hostname?: string;
  now?: () => Date;
}

export interface ResolvedTls {
  /** For https.createServer. minVersion is TLSv1.3 unless the provider set it. */
  options: TlsServerOptions;
  /** SHA-256 fingerprint of the leaf certificate, colon hex (as openssl x509 -fingerprint -sha256). */
  fingerprint: string | undefined;
  certificate: 'generated' | 'reused' | 'files' | 'provider';
  certPath?: string;
  /** The provider module's resolved path, when one is in use. */
  provider?: string;
}

const MIN_VERSION = 'TLSv1.3';
const ALLOWED_VERSIONS = new Set(['TLSv1.2', 'TLSv1.3']);

export async function resolveTls(options: ResolveTlsOptions): Promise<ResolvedTls> {
  const hostname = options.hostname ?? osHostname();
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw new TlsError('MISSING_KEY', '--tls-cert and --tls-key go together');
  }
  let loaded: { cert: string; key: string; source: 'generated' | 'reused' | 'files'; certPath: string } | undefined;
  const defaultCertificate = async (): Promise<{ cert: string; key: string; source: 'generated' | 'reused' | 'files'; certPath: string }> => {
    if (loaded !== undefined) return loaded;
    if (options.certFile !== undefined && options.keyFile !== undefined) {
      const pair = await readPair(options.certFile, options.keyFile);
      loaded = { ...pair, source: 'files', certPath: resolve(options.certFile) };
    } else {
      const made = await ensureSelfSignedCertificate(join(options.stellaHome, 'tls'), { hostname, now: options.now ?? (() => new Date()) });
      loaded = { cert: made.cert, key: made.key, source: made.created ? 'generated' : 'reused', certPath: made.certPath };
    }
    return loaded;
  };
  if (options.provider === undefined) {
    const pair = await defaultCertificate();
    return {
      options: { cert: pair.cert, key: pair.key, minVersion: MIN_VERSION },
      fingerprint: fingerprintOf(pair.cert),
      certificate: pair.source,
      certPath: pair.certPath,
    };
  }
  return withProvider(resolve(options.provider), { stellaHome: options.stellaHome, hostname, defaultCertificate }, defaultCertificate);
}

async function withProvider(
  path: string,
  context: TlsProviderContext,
  defaults: () => Promise<{ cert: string; key: string; source: 'generated' | 'reused' | 'files'; certPath: string }>,
): Promise<ResolvedTls> {
  let provider: unknown;
  try {
    provider = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
  } catch (cause) {
    throw new TlsError('BAD_PROVIDER', `cannot load the TLS provider ${path}: ${String(cause)}`, { cause });
  }
  if (typeof provider !== 'function') throw new TlsError('BAD_PROVIDER', `the TLS provider ${path} has no default export function`);
  const given = (await (provider as TlsProvider)(context)) as unknown;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new TlsError('BAD_PROVIDER', `the TLS provider ${path} returned no options object`);
  }
  const provided = given as TlsServerOptions;
  if (provided.secureProtocol !== undefined) {
    throw new TlsError('INSECURE_VERSION', `the TLS provider ${path} sets secureProtocol; set minVersion/maxVersion instead`);
  }
  for (const v of [provided.minVersion, provided.maxVersion]) {
    if (v !== undefined && !ALLOWED_VERSIONS.has(v)) throw new TlsError('INSECURE_VERSION', `the TLS provider ${path} asks for ${v}: TLS 1.2 is the lowest allowed`);
  }
  const ownCertificate = provided.cert !== undefined || provided.pfx !== undefined;
  const base = ownCertificate ? undefined : await defaults();
  const options: TlsServerOptions = {
    ...(base === undefined ? {} : { cert: base.cert, key: base.key }),
    minVersion: MIN_VERSION,
    ...provided,
  };
  const leaf = typeof options.cert === 'string' || Buffer.isBuffer(options.cert) ? options.cert : undefined;
  return {
    options,
    fingerprint: leaf === undefined ? undefined : fingerprintOf(leaf),
    certificate: base === undefined ? 'provider' : base.source,
    ...(base === undefined ? {} : { certPath: base.certPath }),
    provider: path,
  };
}

/** SHA-256 over the DER of the first certificate in `pem`, upper-case colon hex. */
export function fingerprintOf(pem: string | Buffer): string {
  return new X509Certificate(pem).fingerprint256;
}

async function readPair(certFile: string, keyFile: string): Promise<{ cert: string; key: string }> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  } catch (cause) {
    throw new TlsError('BAD_CERTIFICATE', `cannot read the certificate or key: ${String(cause)}`, { cause });
  }
  checkPair(cert, key, certFile);
  return { cert, key };
}

function checkPair(cert: string, key: string, where: string): X509Certificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('the private key does not belong to the certificate');
  } catch (cause) {
    throw new TlsError('BAD_CERTIFICATE', `${where}: ${(cause as Error).message}`, { cause });
  }
  return x509;
}

export interface SelfSignedCertificate {
  cert: string;
  key: string;
  /** The certificate alone (0644), for clients to pin or trust. */
  certPath: string;
  /** Key and certificate in one file (0600), written with one rename so they always match. */
  pemPath: string;
  /** False when an existing, still valid pair was reused. */
  created: boolean;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/;
const KEY_BLOCK = /-----BEGIN (?:EC )?PRIVATE KEY-----[^-]+-----END (?:EC )?PRIVATE KEY-----\n?/;

/**
 * `<dir>/server.pem` (key + certificate, mode 0600) and `<dir>/server.crt` (the certificate):
 * reused while valid, else (absent or expired) a new ECDSA P-256 certificate for localhost,
 * 127.0.0.1, ::1 and `hostname`, valid a year from an hour ago (tolerating small clock skew).
 * Two servers starting at once on one home each write a consistent file; the last one stays.
 */
export async function ensureSelfSignedCertificate(dir: string, options: { hostname: string; now: () => Date }): Promise<SelfSignedCertificate> {
  const pemPath = join(dir, 'server.pem');
  const certPath = join(dir, 'server.crt');
  const existing = await readExisting(pemPath);
  if (existing !== undefined && new Date(existing.x509.validTo).getTime() > options.now().getTime()) {
    if (((await stat(pemPath)).mode & 0o077) !== 0) await chmod(pemPath, 0o600);
    const published = await readFile(certPath, 'utf8').catch(() => '');
    if (published !== existing.cert) await writeAtomically(certPath, existing.cert, 0o644);
    return { cert: existing.cert, key: existing.key, certPath, pemPath, created: false };
  }
  const { cert, key } = await generateCertificate(options.hostname, options.now());
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomically(pemPath, `${key.trimEnd()}\n${cert.trimEnd()}\n`, 0o600);
  await writeAtomically(certPath, `${cert.trimEnd()}\n`, 0o644);
  return { cert: `${cert.trimEnd()}\n`, key: `${key.trimEnd()}\n`, certPath, pemPath, created: true };
}

async function readExisting(pemPath: string): Promise<{ cert: string; key: string; x509: X509Certificate } | undefined> {
  let text: string;
  try {
    text = await readFile(pemPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TlsError('BAD_CERTIFICATE', `cannot read ${pemPath}: ${String(error)}`, { cause: error });
  }
  const cert = CERT_BLOCK.exec(text)?.[0];
  const key = KEY_BLOCK.exec(text)?.[0];
  if (cert === undefined || key === undefined) throw new TlsError('BAD_CERTIFICATE', `${pemPath} holds no private key and certificate`);
  return { cert, key, x509: checkPair(cert, key, pemPath) };
}

async function generateCertificate(hostname: string, now: Date): Promise<{ cert: string; key: string }> {
  const { generate } = await import('selfsigned');
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(notBefore.getTime() + 365 * 24 * 60 * 60 * 1000);
  const dnsNames = [...new Set(['localhost', hostname].filter((h) => /^[A-Za-z0-9.-]+$/.test(h)))];
  const pems = await generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'Stella Ops (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...dnsNames.map((value) => ({ type: 2 as const, value })), { type: 7 as const, ip: '127.0.0.1' }, { type: 7 as const, ip: '::1' }],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text, { mode, flag: 'w' });
  await chmod(tmp, mode);
  await rename(tmp, path);
}
