import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** The only algorithm accepted: pinning it stops `alg: none` and algorithm-confusion tokens. */
const ALGORITHM = 'HS256';

const toSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** What a verified token says: whose it is and which login it belongs to. */
export interface TokenClaims {
  /** User id */
  readonly sub: string;
  /** Login (session) id */
  readonly sid: string;
  readonly iat: number;
  readonly exp: number;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export interface TokenService {
  /** The expiry a token issued at `now` gets; the login row stores the same instant. */
  expiryFor(now: Date): Date;
  issue(claims: { userId: string; loginId: string; issuedAt: Date; expiresAt: Date }): IssuedToken;
  /** Null for anything that is not a well-formed, correctly signed, unexpired token of ours. */
  verify(token: string, now: Date): TokenClaims | null;
  /**
   * The claims of a well-formed, correctly signed token of ours whose `exp` has passed at `now`;
   * null for anything else. Only the rejection path asks, to tell a login that lived out its
   * lifetime from a token that was never good.
   */
  verifyExpired(token: string, now: Date): TokenClaims | null;
}

export interface TokenOptions {
  readonly secret: string;
  /** Verifies (never signs) tokens made before a key rotation. */
  readonly previousSecret?: string | null;
  readonly ttlSeconds: number;
}

// Given a string, jsonwebtoken first tries (and fails) to parse it as a PEM public key on every
// call; a KeyObject made once skips that, which the profile showed as the costliest step of a request.
const keyFrom = (secret: string) => createSecretKey(Buffer.from(secret, 'utf8'));

function verifyWithAny(
  token: string,
  keys: readonly KeyObject[],
  now: Date,
  ignoreExpiration = false,
): string | jwt.JwtPayload | null {
  for (const key of keys) {
    try {
      return jwt.verify(token, key, { algorithms: [ALGORITHM], clockTimestamp: toSeconds(now), ignoreExpiration });
    } catch {
      // Try the next key; a token no key verifies is invalid.
    }
  }
  return null;
}

function claimsOf(decoded: string | jwt.JwtPayload | null): TokenClaims | null {
  if (decoded === null || typeof decoded === 'string') return null;
  const { sub, sid, iat, exp } = decoded;
  // jsonwebtoken accepts a token without `exp`; ours always carry one, so its absence means forgery.
  if (typeof exp !== 'number' || typeof iat !== 'number') return null;
  if (typeof sub !== 'string' || !isUuid(sub)) return null;
  if (typeof sid !== 'string' || !isUuid(sid)) return null;
  return { sub, sid, iat, exp };
}

export function createTokenService(options: TokenOptions): TokenService {
  const key = keyFrom(options.secret);
  const verificationKeys = options.previousSecret ? [key, keyFrom(options.previousSecret)] : [key];
  return {
    expiryFor(now) {
      return new Date((toSeconds(now) + options.ttlSeconds) * 1000);
    },

    issue({ userId, loginId, issuedAt, expiresAt }) {
      const payload = { sub: userId, sid: loginId, iat: toSeconds(issuedAt), exp: toSeconds(expiresAt) };
      return {
        token: jwt.sign(payload, key, { algorithm: ALGORITHM }),
        expiresAt: new Date(payload.exp * 1000),
      };
    },

    verify(token, now) {
      return claimsOf(verifyWithAny(token, verificationKeys, now));
    },

    verifyExpired(token, now) {
      const claims = claimsOf(verifyWithAny(token, verificationKeys, now, true));
      return claims && claims.exp <= toSeconds(now) ? claims : null;
    },
  };
}
