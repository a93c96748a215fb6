import { RevokeReason } from '../entities/revoke-reason';
import { UnauthenticatedReason, type SessionEndReason } from '../errors';
import type { Meter } from '../metrics';
import type { IdleTimeout } from './idle-timeout';
import { LastSeenRecorder } from './last-seen';
import type { Account, LoginRecord, SessionStore } from './session-store';
import type { IssuedToken, TokenClaims, TokenService } from './tokens';

export type { Account, LoginRecord };

/** An authenticated request: the user and the login its token belongs to. */
export interface Session {
  readonly user: Account;
  readonly loginId: string;
  readonly lastSeenAt: Date;
  /** When the login (and its token) stops being accepted: a subscription is closed then. */
  readonly expiresAt: Date;
}

export type SessionRejection =
  | 'malformed-header'
  | 'invalid-token'
  | 'unknown-login'
  | 'login-of-another-user'
  | 'revoked'
  /** The login's absolute lifetime ended. */
  | 'expired'
  /** The token's `exp` passed while its login says it should still live: not a token this server made. */
  | 'token-expired';

/**
 * The reason (contract v2's `extensions.reason`) a client is told for each rejection: the one place
 * that maps them. Every rejection must have one, so a new kind does not compile until it is mapped.
 */
const END_REASON: Readonly<Record<SessionRejection, SessionEndReason>> = {
  'malformed-header': UnauthenticatedReason.INVALID_TOKEN,
  'invalid-token': UnauthenticatedReason.INVALID_TOKEN,
  'unknown-login': UnauthenticatedReason.INVALID_TOKEN,
  'login-of-another-user': UnauthenticatedReason.INVALID_TOKEN,
  'token-expired': UnauthenticatedReason.INVALID_TOKEN,
  revoked: UnauthenticatedReason.SESSION_REVOKED,
  expired: UnauthenticatedReason.SESSION_EXPIRED,
};

export interface Rejection {
  readonly status: 'rejected';
  readonly reason: SessionRejection;
  /** Why the login was revoked, for `revoked`. */
  readonly revokedReason?: RevokeReason | null;
}

export type SessionResult =
  | { readonly status: 'anonymous' }
  | { readonly status: 'valid'; readonly session: Session }
  | Rejection;

/** What a client is told about a rejected session: the reason code, and for a revoked login its RevokeReason. */
export function endReasonOf(rejection: Rejection): { reason: SessionEndReason; revokedReason: RevokeReason | null } {
  return { reason: END_REASON[rejection.reason], revokedReason: rejection.revokedReason ?? null };
}

/**
 * Revokes the login with IDLE_TIMEOUT, and announces it, unless it was used after `idleBefore` or is
 * no longer active (another request, on any instance, got there first); true when this call revoked it.
 */
export type RevokeIdleLogin = (login: LoginRecord, idleBefore: Date, now: Date) => Promise<boolean>;

/** SESSION_IDLE_TIMEOUT as the session check applies it: a login found idle is revoked there and then. */
export interface IdleRule {
  readonly timeout: IdleTimeout;
  readonly revoke: RevokeIdleLogin;
}

export interface SessionDependencies {
  readonly tokens: TokenService;
  /** Loads the login by id; must read the database every time (no caching) so revocation is immediate. */
  readonly findLogin: SessionStore['find'];
  readonly idle: IdleRule;
  readonly now: Date;
}

// RFC 7235: the scheme is case-insensitive.
const BEARER_HEADER = /^Bearer +(\S+)$/i;

/**
 * The one place that decides whether a request's Authorization header is a valid session:
 * a correctly signed, unexpired JWT whose login row exists, belongs to the token's user,
 * is not revoked, has not expired and has not been left unused longer than the idle timeout (then it
 * is revoked, IDLE_TIMEOUT, by this check). A correctly signed token past its `exp` still has its
 * login read, so the client can be told that the login was revoked or lived out its lifetime.
 */
export async function validateSession(
  authorization: string | undefined,
  { tokens, findLogin, idle, now }: SessionDependencies,
): Promise<SessionResult> {
  // An empty header counts as none: Apollo Client's documented auth link sends "" when signed out.
  if (authorization === undefined || authorization.trim() === '') return { status: 'anonymous' };

  const token = bearerToken(authorization);
  if (token === null) return reject('malformed-header');

  const claims = tokens.verify(token, now) ?? tokens.verifyExpired(token, now);
  if (!claims) return reject('invalid-token');

  const verdict = judge(await findLogin(claims.sid), claims, idle.timeout, now);
  if (verdict.status !== 'idle') return verdict;
  if (await idle.revoke(verdict.login, idle.timeout.idleBefore(now), now)) return revoked(RevokeReason.IDLE_TIMEOUT);
  // Another request got there first: it revoked the login (for whatever reason) or used it just now.
  // The row, read again, decides; a login still idle then is refused all the same.
  const again = judge(await findLogin(claims.sid), claims, idle.timeout, now);
  return again.status === 'idle' ? revoked(RevokeReason.IDLE_TIMEOUT) : again;
}

/** A session check's verdict, or `idle` when only the idle timeout stands against the login. */
type Verdict = SessionResult | { readonly status: 'idle'; readonly login: LoginRecord };

function judge(login: LoginRecord | null, claims: TokenClaims, idle: IdleTimeout, now: Date): Verdict {
  if (!login) return reject('unknown-login');
  if (login.user.id !== claims.sub) return reject('login-of-another-user');
  if (login.revokedAt !== null) return revoked(login.revokedReason);
  if (login.expiresAt.getTime() <= now.getTime()) return reject('expired');
  if (claims.exp * 1000 <= now.getTime()) return reject('token-expired');
  if (idle.hasIdled(login, now)) return { status: 'idle', login };
  return {
    status: 'valid',
    session: { user: login.user, loginId: login.id, lastSeenAt: login.lastSeenAt, expiresAt: login.expiresAt },
  };
}

function revoked(revokedReason: RevokeReason | null): Rejection {
  return { status: 'rejected', reason: 'revoked', ...(revokedReason ? { revokedReason } : {}) };
}

function bearerToken(authorization: string): string | null {
  return BEARER_HEADER.exec(authorization.trim())?.[1] ?? null;
}

function reject(reason: SessionRejection): SessionResult {
  return { status: 'rejected', reason };
}

/** A new login's token: its claims are the login row's own id, user and instants. */
export interface TokenTerms {
  readonly userId: string;
  readonly loginId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/**
 * Sessions, built once: the token service and the session store behind one object that the HTTP
 * context, the WebSocket server and the subscriber hub all call, the way lucia's `validateSession` is.
 */
export interface Sessions {
  /** The session check (validateSession) at `now`. */
  validate(authorization: string | undefined, now: Date): Promise<SessionResult>;
  /**
   * The claims of a correctly signed token, without the database: whose connection it claims to be,
   * for caps that must hold before the session check. Null for anything else.
   */
  claims(authorization: string, now: Date): TokenClaims | null;
  /** The session was used at `now`: `lastSeenAt` is written, at most once an interval, off the request path. */
  touch(session: Session, now: Date): void;
  /** The expiry of a login opened at `now`; the token carries the same instant. */
  expiryFor(now: Date): Date;
  issue(terms: TokenTerms): IssuedToken;
  /** Waits for the `lastSeenAt` writes in flight (on shutdown). */
  flush(): Promise<void>;
}

export function createSessions(options: {
  readonly tokens: TokenService;
  readonly store: SessionStore;
  readonly idle: IdleRule;
  /** A `lastSeenAt` write failed; the request it came from has already been answered. */
  readonly onTouchError: (error: unknown) => void;
  /** Counts every check (HTTP, WebSocket, re-checks) and times it. */
  readonly meter: Meter;
}): Sessions {
  const { tokens, store, idle, meter } = options;
  const lastSeen = new LastSeenRecorder(store.touch, idle.timeout.lastSeenIntervalMs, options.onTouchError);
  const check = (authorization: string | undefined, now: Date) => validateSession(authorization, { tokens, findLogin: store.find, idle, now });
  // The hot path: without metrics, no clock reads and no extra promise. A check that throws (the
  // database failed) has no verdict and is not counted.
  const measured = async (authorization: string | undefined, now: Date) => {
    const started = performance.now();
    const result = await check(authorization, now);
    meter.sessionChecked(result.status, (performance.now() - started) / 1000);
    return result;
  };
  return {
    validate: meter.enabled ? measured : check,
    claims: (authorization, now) => {
      const token = bearerToken(authorization);
      // A token past its `exp` still says whose it is; the session check then tells why it ended.
      return token === null ? null : (tokens.verify(token, now) ?? tokens.verifyExpired(token, now));
    },
    touch: (session, now) => lastSeen.record(session, now),
    expiryFor: (now) => tokens.expiryFor(now),
    issue: (terms) => tokens.issue(terms),
    flush: () => lastSeen.flush(),
  };
}
