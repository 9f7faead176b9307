import type { IncomingHttpHeaders } from 'node:http';
import { RegistryError } from './registry-errors.js';
import type { BasicCredentials, CredentialLookup } from './registry-credentials.js';
import { readBody, type HttpClient } from './registry-http.js';

export interface Challenge {
  /** Lower-case: "bearer", "basic"… */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const MAX_TOKEN_RESPONSE = 1 << 20;

/**
 * `WWW-Authenticate` → challenges. Handles several challenges in one header, quoted values with
 * escapes and commas: `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"`.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  const token = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*/y;
  let at = 0;
  while (at < header.length) {
    token.lastIndex = at;
    const name = token.exec(header);
    if (name === null) {
      at++;
      continue;
    }
    at = token.lastIndex;
    if (header[at] === '=') {
      const [value, next] = readValue(header, at + 1);
      const last = out.at(-1);
      if (last !== undefined) last.params[(name[1] as string).toLowerCase()] = value;
      at = next;
    } else {
      out.push({ scheme: (name[1] as string).toLowerCase(), params: {} });
    }
    if (header[at] === ',') at++;
  }
  return out;
}

function readValue(header: string, start: number): [string, number] {
  let at = start;
  while (header[at] === ' ') at++;
  if (header[at] !== '"') {
    const end = header.slice(at).search(/[,\s]/);
    const stop = end < 0 ? header.length : at + end;
    return [header.slice(at, stop), stop];
  }
  let value = '';
  for (at++; at < header.length && header[at] !== '"'; at++) value += header[at] === '\\' ? (header[++at] ?? '') : header[at];
  return [value, at + 1];
}

/**
 * Answers a registry's 401: the bearer-token flow (GET realm?service=…&scope=…, with basic
 * credentials when we have them) or basic auth. Holds the Authorization header to send.
 */
export class Authenticator {
  private current: string | undefined;
  private lookup: CredentialLookup | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly registry: string,
    private readonly repository: string,
    private readonly credentials: () => Promise<CredentialLookup>,
  ) {}

  get authorization(): string | undefined {
    return this.current;
  }

  /** Prepares a new Authorization after a 401; false when there is nothing (new) to offer. */
  async answer(headers: IncomingHttpHeaders): Promise<boolean> {
    const challenges = parseChallenges(String(headers['www-authenticate'] ?? ''));
    this.lookup ??= await this.credentials();
    const creds = this.lookup.credentials;
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer !== undefined) {
      this.current = `Bearer ${await this.fetchToken(bearer, creds)}`;
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic') && creds !== undefined) {
      const basic = basicHeader(creds);
      if (this.current === basic) return false;
      this.current = basic;
      return true;
    }
    return false;
  }

  /** Why we could not get in: names the credentials we used and those we could not use. */
  explain(): string {
    const lookup = this.lookup ?? {};
    const used = lookup.credentials === undefined ? 'no credentials' : `the credentials of ${lookup.file ?? 'the docker config'}`;
    const helper = lookup.helper === undefined || lookup.credentials !== undefined ? '' : `; credentials kept by ${lookup.helper} cannot be used (stella does not run credential helpers: put "auth" for this registry in the config file)`;
    const identity = lookup.identityToken === true ? '; an identitytoken is configured but not supported' : '';
    return `tried ${used}${helper}${identity}`;
  }

  private async fetchToken(challenge: Challenge, creds: BasicCredentials | undefined): Promise<string> {
    const realm = challenge.params.realm;
    if (realm === undefined || !URL.canParse(realm)) throw new RegistryError('PROTOCOL', `${this.registry}: bearer challenge without a usable realm`);
    const url = new URL(realm);
    if (challenge.params.service !== undefined) url.searchParams.set('service', challenge.params.service);
    const ours = `repository:${this.repository}:pull`;
    const scopes = new Set([...(challenge.params.scope?.split(' ') ?? []), ours].filter((s) => s !== ''));
    for (const scope of scopes) url.searchParams.append('scope', scope);
    if (creds !== undefined) url.searchParams.set('account', creds.username);
    const headers: Record<string, string> = { accept: 'application/json', ...(creds === undefined ? {} : { authorization: basicHeader(creds) }) };
    const res = await this.http.get(url, headers);
    const what = `${url.host} token endpoint`;
    if (res.statusCode === 401 || res.statusCode === 403) {
      res.resume();
      throw new RegistryError('UNAUTHORIZED', `${what} refused a token for ${[...scopes].join(' ')} (HTTP ${res.statusCode}); ${this.explain()}`);
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw new RegistryError(res.statusCode === 429 || (res.statusCode ?? 0) >= 500 ? 'UNREACHABLE' : 'PROTOCOL', `${what} answered HTTP ${res.statusCode}`);
    }
    const body = await readBody(res, MAX_TOKEN_RESPONSE, what, () => new RegistryError('PROTOCOL', `${what}: answer over ${MAX_TOKEN_RESPONSE} bytes`));
    return tokenOf(body, what);
  }
}

function tokenOf(body: Buffer, what: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new RegistryError('PROTOCOL', `${what}: answer is not JSON`, { cause: error });
  }
  const fields = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const token = [fields.token, fields.access_token].find((t): t is string => typeof t === 'string' && t !== '');
  if (token === undefined) throw new RegistryError('PROTOCOL', `${what}: answer has neither "token" nor "access_token"`);
  return token;
}

function basicHeader(creds: BasicCredentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}
