import type { FastifyInstance } from 'fastify';

/*
 * Security headers on every response: routes, 404s, errors (bad JSON, 413, 500) and the responses
 * fastify writes before any route is found (bad URL encoding, malformed HTTP). onRequest sets them
 * before anything can fail; onSend fills in any a handler or plugin dropped.
 *
 * HSTS is sent over plain HTTP too (--insecure-http), for uniformity: RFC 6797 § 8.1 has browsers
 * ignore it there, so it is harmless, and a TLS-terminating proxy in front passes it on.
 */

export const DOCS_PREFIX = '/api/docs';

const BASE_CSP = "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

/**
 * Swagger UI (served from the package, no CDN) needs exactly one relaxation: its stylesheet draws
 * icons from `data:` URIs. Its scripts are files from 'self' (no inline script, no eval), so
 * script-src stays strict. Only /api/docs gets this policy.
 */
const DOCS_CSP = `${BASE_CSP}; img-src 'self' data:`;

const PERMISSIONS_POLICY = [
  'accelerometer', 'autoplay', 'camera', 'display-capture', 'encrypted-media', 'fullscreen', 'geolocation',
  'gyroscope', 'hid', 'magnetometer', 'microphone', 'midi', 'payment', 'picture-in-picture',
  'publickey-credentials-get', 'screen-wake-lock', 'serial', 'usb', 'xr-spatial-tracking',
].map((feature) => `${feature}=()`).join(', ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': BASE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': PERMISSIONS_POLICY,
  'x-frame-options': 'DENY',
});

const DOCS_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...SECURITY_HEADERS, 'content-security-policy': DOCS_CSP });

function isDocsUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  return url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`) || url.startsWith(`${DOCS_PREFIX}?`);
}

/** The headers for a response to `url` (the docs get their own CSP). */
export function securityHeadersFor(url: string | undefined): Readonly<Record<string, string>> {
  return isDocsUrl(url) ? DOCS_HEADERS : SECURITY_HEADERS;
}

/** Registers the hooks on the root instance (so they cover every route and the 404 handler). */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeadersFor(request.url));
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const wanted = securityHeadersFor(request.url);
    for (const name of Object.keys(wanted)) {
      if (!reply.hasHeader(name)) reply.header(name, wanted[name]);
    }
    done(null, payload);
  });
}

/** Header lines for responses written straight to a socket (malformed HTTP), CRLF-terminated. */
export function rawSecurityHeaderLines(): string {
  return Object.entries(SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`).join('');
}
