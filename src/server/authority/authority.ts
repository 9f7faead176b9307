import { randomBytes } from 'node:crypto';
import { compactVerify, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Store, TokenRecord } from '../../store/index.js';
import { SCOPES, type Scope } from '../context.js';
import { AuthorityError } from './errors.js';
import { hashIp, hashTokenId, loadSecrets, TOKEN_ALG, type InstanceSecrets } from './secrets.js';

/*
 * Authority: issues JWTs signed by the instance key and verifies them offline (signature, exp,
 * iss, scopes), then against the revocation table. The token id (jti, 128 random bits) is
 * stored only as a salted SHA-256; neither the token nor the id is ever written anywhere.
 */

export interface IssueRequest {
  scopes: readonly Scope[];
  /** Lifetime in seconds (see `parseDuration`). */
  expiresInSeconds: number;
  /** Free text naming the holder (the `sub` claim); default "token". */
  label?: string;
}

export interface TokenInfo {
  /** Salted SHA-256 of the token id (hex): how the token is listed, revoked and counted. */
  hash: string;
  label: string;
  scopes: Scope[];
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface IssuedToken extends TokenInfo {
  /** The compact JWT: shown once, stored nowhere. */
  token: string;
}

/** What offline verification proves: this instance signed it, it is unexpired, its scopes are known. */
export interface VerifiedToken {
  hash: string;
  label: string;
  scopes: Scope[];
  expiresAt: string;
}

export interface AuthorityOptions {
  now?: () => Date;
}

const MAX_LIFETIME_SECONDS = 10 * 366 * 86_400;
const LABEL = /^[\p{L}\p{N} ._:@/+-]{1,100}$/u;

export class Authority {
  private secrets: Promise<InstanceSecrets> | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly store: Store,
    options: AuthorityOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Loads (generating on first use) the instance key and salts; cached for this process. */
  loadSecrets(): Promise<InstanceSecrets> {
    if (this.secrets === undefined) {
      this.secrets = loadSecrets(this.store);
      this.secrets.catch(() => {
        this.secrets = undefined;
      });
    }
    return this.secrets;
  }

  async issue(request: IssueRequest): Promise<IssuedToken> {
    const scopes = normalizeScopes(request.scopes);
    const label = request.label ?? 'token';
    if (!LABEL.test(label)) throw new AuthorityError('INVALID_INPUT', `label must be 1-100 letters, digits, spaces or ._:@/+-, got ${JSON.stringify(label)}`);
    const lifetime = request.expiresInSeconds;
    if (!Number.isInteger(lifetime) || lifetime <= 0 || lifetime > MAX_LIFETIME_SECONDS) {
      throw new AuthorityError('INVALID_INPUT', `expiry must be a whole number of seconds in 1..${MAX_LIFETIME_SECONDS}, got ${lifetime}`);
    }
    const secrets = await this.loadSecrets();
    const iat = Math.floor(this.now().getTime() / 1000);
    const exp = iat + lifetime;
    const jti = randomBytes(16).toString('base64url');
    const token = await new SignJWT({ scopes })
      .setProtectedHeader({ alg: TOKEN_ALG, typ: 'JWT', kid: secrets.kid })
      .setIssuer(secrets.issuer)
      .setSubject(label)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(secrets.privateKey);
    const record: TokenRecord = {
      hash: hashTokenId(secrets.tokenSalt, jti),
      label,
      scopes,
      issuedAt: isoSeconds(iat),
      expiresAt: isoSeconds(exp),
      revokedAt: null,
    };
    await this.store.authority.putToken(record);
    return { token, ...record, scopes };
  }

  /** Signature, issuer, expiry and scope checks only: no database read once the key is loaded. */
  async verifyOffline(token: string): Promise<VerifiedToken> {
    const secrets = await this.loadSecrets();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, secrets.publicKey, {
        algorithms: [TOKEN_ALG],
        issuer: secrets.issuer,
        currentDate: this.now(),
        requiredClaims: ['jti', 'sub', 'iat', 'exp'],
      }));
    } catch (cause) {
      if (cause instanceof joseErrors.JWTExpired) throw new AuthorityError('TOKEN_EXPIRED', 'the token has expired', { cause });
      throw new AuthorityError('INVALID_TOKEN', 'the token is not one this instance signed, or is malformed', { cause });
    }
    const { jti, sub, exp, scopes } = payload;
    if (typeof jti !== 'string' || jti.length < 16 || typeof sub !== 'string' || typeof exp !== 'number') {
      throw new AuthorityError('INVALID_TOKEN', 'the token lacks a usable jti, sub or exp claim');
    }
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s): s is Scope => (SCOPES as readonly unknown[]).includes(s))) {
      throw new AuthorityError('INVALID_TOKEN', 'the token names scopes this instance does not know');
    }
    return { hash: hashTokenId(secrets.tokenSalt, jti), label: sub, scopes: normalizeScopes(scopes), expiresAt: isoSeconds(exp) };
  }

  /** Offline verification, then the revocation table: a revoked or unknown token is refused. */
  async verify(token: string): Promise<VerifiedToken> {
    const verified = await this.verifyOffline(token);
    const row = await this.store.authority.getToken(verified.hash);
    if (row === undefined) throw new AuthorityError('TOKEN_REVOKED', 'the token is not in this instance\'s token table');
    if (row.revokedAt !== null) throw new AuthorityError('TOKEN_REVOKED', `the token was revoked at ${row.revokedAt}`);
    return verified;
  }

  async list(): Promise<TokenInfo[]> {
    return (await this.store.authority.listTokens()).map(toInfo);
  }

  /**
   * Revokes by full hash, unique hash prefix (at least 6 hex digits) or the token itself (its
   * signature must be ours; an expired token can still be revoked). Revoking twice keeps the first
   * time.
   */
  async revoke(reference: string): Promise<TokenInfo> {
    const hash = await this.resolve(reference);
    await this.store.authority.revokeToken(hash, this.now());
    const row = await this.store.authority.getToken(hash);
    if (row === undefined) throw new AuthorityError('TOKEN_NOT_FOUND', `no token has hash ${hash}`);
    return toInfo(row);
  }

  /** Salted SHA-256 of a client IP (the anonymous quota key). */
  async hashIp(ip: string): Promise<string> {
    return hashIp((await this.loadSecrets()).ipSalt, ip);
  }

  private async resolve(reference: string): Promise<string> {
    if (reference.includes('.')) return this.hashOfSignedToken(reference);
    const prefix = reference.toLowerCase();
    if (!/^[0-9a-f]{6,64}$/.test(prefix)) {
      throw new AuthorityError('INVALID_INPUT', 'want a token, its hash or a hash prefix of at least 6 hex digits');
    }
    const matches = await this.store.authority.findTokens(prefix);
    const [first, second] = matches;
    if (first === undefined) throw new AuthorityError('TOKEN_NOT_FOUND', `no token hash starts with ${prefix}`);
    if (second !== undefined) throw new AuthorityError('AMBIGUOUS_TOKEN', `${matches.length} token hashes start with ${prefix}; give more digits`);
    return first.hash;
  }

  private async hashOfSignedToken(token: string): Promise<string> {
    const secrets = await this.loadSecrets();
    let jti: unknown;
    try {
      const { payload } = await compactVerify(token, secrets.publicKey, { algorithms: [TOKEN_ALG] });
      jti = (JSON.parse(new TextDecoder().decode(payload)) as { jti?: unknown }).jti;
    } catch (cause) {
      throw new AuthorityError('INVALID_TOKEN', 'the token is not one this instance signed', { cause });
    }
    if (typeof jti !== 'string') throw new AuthorityError('INVALID_TOKEN', 'the token has no jti claim');
    return hashTokenId(secrets.tokenSalt, jti);
  }
}

function toInfo(row: TokenRecord): TokenInfo {
  return { ...row, scopes: SCOPES.filter((s) => row.scopes.includes(s)) };
}

function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

/** Deduplicated, in SCOPES order; at least one, all known. */
export function normalizeScopes(scopes: readonly string[]): Scope[] {
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new AuthorityError('INVALID_INPUT', `unknown scope ${JSON.stringify(unknown[0])} (known: ${SCOPES.join(', ')})`);
  if (scopes.length === 0) throw new AuthorityError('INVALID_INPUT', `a token needs at least one scope (${SCOPES.join(', ')})`);
  return SCOPES.filter((s) => scopes.includes(s));
}

/** "scan,read" → ['scan', 'read'] (validated). */
export function parseScopes(text: string): Scope[] {
  return normalizeScopes(text.split(',').map((s) => s.trim()).filter((s) => s !== ''));
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 7 * 86_400, y: 365 * 86_400 };

/** "30d" → 2592000. Units: s, m, h, d, w, y (365 d). */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})([smhdwy])$/.exec(text.trim());
  if (match === null) throw new AuthorityError('INVALID_INPUT', `want a duration such as 30d, 12h or 1y, got ${JSON.stringify(text)}`);
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? 0);
  if (seconds <= 0 || seconds > MAX_LIFETIME_SECONDS) throw new AuthorityError('INVALID_INPUT', `a token lives between 1 s and 10 years, got ${text}`);
  return seconds;
}
