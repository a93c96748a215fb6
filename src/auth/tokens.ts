import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { SigningKeys } from './signing-keys';

/**
 * Each service accepts its one algorithm only: pinning it stops `alg: none` and algorithm-confusion
 * tokens (an HS256 token "signed" with the ES256 public key as its secret).
 */
type TokenAlgorithm = 'HS256' | 'ES256';

/** Verified tokens remembered, at most: a few MB, and far more logins than one instance serves at once. */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

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

export type TokenOptions =
  | {
      readonly algorithm?: 'HS256';
      readonly secret: string;
      /** Verifies (never signs) tokens made before a key rotation. */
      readonly previousSecret?: string | null;
      readonly ttlSeconds: number;
    }
  | {
      readonly algorithm: 'ES256';
      /** Signs with `current` (its kid in the header); verifies with the key the token's kid names. */
      readonly keys: SigningKeys;
      readonly ttlSeconds: number;
    };

/** One algorithm's half of the work: signing, and checking a signature whatever the token's `exp`. */
interface Signer {
  sign(payload: object): string;
  /** The payload of a token one of the keys signed (its `exp` not checked); null for anything else. */
  verifiedPayload(token: string, now: Date): string | jwt.JwtPayload | null;
}

// Given a string, jsonwebtoken first tries (and fails) to parse it as a PEM public key on every
// call; a KeyObject made once skips that, which the profile showed as the costliest step of a request.
const keyFrom = (secret: string) => createSecretKey(Buffer.from(secret, 'utf8'));

function verifyWith(token: string, key: KeyObject, algorithm: TokenAlgorithm, now: Date): string | jwt.JwtPayload | null {
  try {
    // `exp` is compared by the caller, against `now`, on every call (also when the cache answers).
    return jwt.verify(token, key, { algorithms: [algorithm], clockTimestamp: toSeconds(now), ignoreExpiration: true });
  } catch {
    return null;
  }
}

function hs256Signer(secret: string, previousSecret: string | null | undefined): Signer {
  const key = keyFrom(secret);
  const keys = previousSecret ? [key, keyFrom(previousSecret)] : [key];
  return {
    sign: (payload) => jwt.sign(payload, key, { algorithm: 'HS256' }),
    verifiedPayload(token, now) {
      for (const candidate of keys) {
        const payload = verifyWith(token, candidate, 'HS256', now);
        if (payload !== null) return payload;
      }
      return null;
    },
  };
}

/** The `kid` of a token's header, without checking anything else: it only picks the key to try. */
function kidOf(token: string): string | null {
  const end = token.indexOf('.');
  if (end <= 0) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'));
    const kid = typeof header === 'object' && header !== null && 'kid' in header ? header.kid : null;
    return typeof kid === 'string' ? kid : null;
  } catch {
    return null;
  }
}

function es256Signer({ current, previous }: SigningKeys): Signer {
  const byKid = new Map<string, KeyObject>([[current.kid, current.publicKey]]);
  if (previous) byKid.set(previous.kid, previous.publicKey);
  return {
    sign: (payload) => jwt.sign(payload, current.privateKey, { algorithm: 'ES256', keyid: current.kid }),
    verifiedPayload(token, now) {
      // Our ES256 tokens always name their key; one without a kid, or with an unknown one, is not ours.
      const kid = kidOf(token);
      const key = kid === null ? undefined : byKid.get(kid);
      return key === undefined ? null : verifyWith(token, key, 'ES256', now);
    },
  };
}

/**
 * Claims of tokens whose signature checked out, by the exact token string: a hit skips the
 * signature check (an ES256 verify costs over 100× a hit: bench/token-verify.ts), never the `exp`
 * check, nor the login row the session check reads. Any change to a token is another key. The keys
 * of a service never change (a rotation restarts the server), so an entry stays true. Oldest out
 * first; a hit moves its entry to the back.
 */
class VerifiedTokens {
  readonly #claims = new Map<string, TokenClaims>();

  constructor(private readonly capacity: number) {}

  get(token: string): TokenClaims | undefined {
    const claims = this.#claims.get(token);
    if (claims !== undefined) {
      this.#claims.delete(token);
      this.#claims.set(token, claims);
    }
    return claims;
  }

  set(token: string, claims: TokenClaims): void {
    if (this.#claims.size >= this.capacity) {
      const oldest = this.#claims.keys().next();
      if (!oldest.done) this.#claims.delete(oldest.value);
    }
    this.#claims.set(token, claims);
  }
}

function claimsOf(decoded: string | jwt.JwtPayload | null): TokenClaims | null {
  if (decoded === null || typeof decoded === 'string') return null;
  const { sub, sid, iat, exp } = decoded;
  // jsonwebtoken accepts a token without `exp`; ours always carry one, so its absence means forgery.
  if (typeof exp !== 'number' || typeof iat !== 'number') return null;
  if (typeof sub !== 'string' || !isUuid(sub)) return null;
  if (typeof sid !== 'string' || !isUuid(sid)) return null;
  // Frozen: the cache hands the same object to every request with this token.
  return Object.freeze({ sub, sid, iat, exp });
}

export function createTokenService(options: TokenOptions): TokenService {
  const signer = options.algorithm === 'ES256' ? es256Signer(options.keys) : hs256Signer(options.secret, options.previousSecret);
  const cache = new VerifiedTokens(VERIFIED_TOKEN_CACHE_SIZE);

  /** The claims of a correctly signed token of ours, whatever its `exp`. */
  const claimsOfSigned = (token: string, now: Date): TokenClaims | null => {
    const cached = cache.get(token);
    if (cached !== undefined) return cached;
    const claims = claimsOf(signer.verifiedPayload(token, now));
    if (claims !== null) cache.set(token, claims);
    return claims;
  };

  return {
    expiryFor(now) {
      return new Date((toSeconds(now) + options.ttlSeconds) * 1000);
    },

    issue({ userId, loginId, issuedAt, expiresAt }) {
      const payload = { sub: userId, sid: loginId, iat: toSeconds(issuedAt), exp: toSeconds(expiresAt) };
      return {
        token: signer.sign(payload),
        expiresAt: new Date(payload.exp * 1000),
      };
    },

    verify(token, now) {
      const claims = claimsOfSigned(token, now);
      // As jsonwebtoken decides it: expired from the second `exp` names.
      return claims && toSeconds(now) < claims.exp ? claims : null;
    },

    verifyExpired(token, now) {
      const claims = claimsOfSigned(token, now);
      return claims && claims.exp <= toSeconds(now) ? claims : null;
    },
  };
}
