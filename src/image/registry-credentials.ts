import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RegistryError } from './registry-errors.js';
import { credentialHost } from './registry-reference.js';

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** What the docker config says about one registry. */
export interface CredentialLookup {
  readonly credentials?: BasicCredentials;
  /** A credential helper (credHelpers / credsStore) that would hold them: we never run one. */
  readonly helper?: string;
  /** An identity (OAuth refresh) token, which we do not exchange. */
  readonly identityToken?: boolean;
  /** The config file that was read, when it exists. */
  readonly file?: string;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, unless a folder is given. */
export function dockerConfigFile(configDir: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const dir = configDir ?? (env.DOCKER_CONFIG !== undefined && env.DOCKER_CONFIG !== '' ? env.DOCKER_CONFIG : join(homedir(), '.docker'));
  return join(dir, 'config.json');
}

/**
 * Credentials for `host` from a docker config file: `auths[host].auth` (base64 "user:pass") or
 * `auths[host].username/password`. Keys may be URLs ("https://index.docker.io/v1/"); Docker Hub's
 * aliases are one registry. A missing file means anonymous.
 */
export async function lookupCredentials(host: string, file: string): Promise<CredentialLookup> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new RegistryError('CREDENTIALS', `${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const config = parseConfig(text, file);
  const wanted = credentialHost(host);
  const helper = helperFor(config, wanted);
  const entry = Object.entries(asObject(config.auths)).find(([key]) => credentialHost(keyHost(key)) === wanted)?.[1];
  const auth = asObject(entry);
  const credentials = credentialsOf(auth, file, wanted);
  return {
    file,
    ...(credentials === undefined ? {} : { credentials }),
    ...(helper === undefined ? {} : { helper }),
    ...(typeof auth.identitytoken === 'string' && auth.identitytoken !== '' ? { identityToken: true } : {}),
  };
}

function parseConfig(text: string, file: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new RegistryError('CREDENTIALS', `${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  throw new RegistryError('CREDENTIALS', `${file} is not a JSON object`);
}

function helperFor(config: Record<string, unknown>, host: string): string | undefined {
  const named = Object.entries(asObject(config.credHelpers)).find(([key]) => credentialHost(keyHost(key)) === host)?.[1];
  if (typeof named === 'string' && named !== '') return `docker-credential-${named}`;
  return typeof config.credsStore === 'string' && config.credsStore !== '' ? `docker-credential-${config.credsStore}` : undefined;
}

function credentialsOf(auth: Record<string, unknown>, file: string, host: string): BasicCredentials | undefined {
  if (typeof auth.auth === 'string' && auth.auth !== '') {
    const decoded = Buffer.from(auth.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new RegistryError('CREDENTIALS', `${file}: auths entry for ${host} has an "auth" that is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof auth.username === 'string' && auth.username !== '' && typeof auth.password === 'string') {
    return { username: auth.username, password: auth.password };
  }
  return undefined;
}

/** "https://index.docker.io/v1/" → "index.docker.io"; "host:5000" stays. */
function keyHost(key: string): string {
  return key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? '';
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
