import type { GraphQLFormattedError } from 'graphql';
import type { RevokeReason } from './generated/graphql';
import { LiveCloseCode, asSocketClose, isSubscriptionClosed, type SocketClose } from './live-errors';

/** The error codes of the server's public contract (`errors[i].extensions.code`). */
export type ContractErrorCode =
  | 'UNAUTHENTICATED'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  /** Signed in, but not an administrator: the admin operations (userByEmail, loginsOfUser, ...). */
  | 'FORBIDDEN'
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR'
  /** A request the server cannot read, or an operation sent over the wrong transport (a query over WebSocket). */
  | 'BAD_REQUEST';

/**
 * A contract code, or another one a server may send (Apollo Server's `GRAPHQL_VALIDATION_FAILED`,
 * `PERSISTED_QUERY_NOT_FOUND`, ...). `string & {}` keeps editors completing the contract's codes.
 */
export type ErrorCode = ContractErrorCode | (string & {});

/**
 * The server answered with GraphQL errors, whatever the HTTP status (200, 401, 429, 503...), or
 * sent them on a subscription over WebSocket (`status` undefined there).
 */
export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
  /** The first error's `extensions.code`; undefined when the server sent none. */
  readonly code: ErrorCode | undefined;

  constructor(
    readonly errors: readonly GraphQLFormattedError[],
    /**
     * The HTTP status: 401 for a rejected token, 429 over a rate limit, 503 without a database.
     * Undefined for errors of a subscription, which come over WebSocket and have none.
     */
    readonly status: number | undefined,
    /** Whatever `data` came with the errors (null for every operation of this schema). */
    readonly data?: unknown,
  ) {
    super(errors.map((error) => error.message).join('\n') || (status === undefined ? 'GraphQL request failed' : `GraphQL request failed with HTTP ${status}`));
    const code = errors[0]?.extensions?.['code'];
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/**
 * No GraphQL answer: the request never got a response (`status` undefined: connection refused,
 * DNS failure, aborted), or the response was not a GraphQL JSON body (`status` set: a proxy's HTML
 * 502, say). `cause` holds the underlying error when there is one.
 */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';

  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isGraphQLRequestError(error: unknown): error is GraphQLRequestError {
  return error instanceof GraphQLRequestError;
}

export function isNetworkError(error: unknown): error is NetworkError {
  return error instanceof NetworkError;
}

/**
 * The predicate names the code rather than just the class, so that in the `else` branch a
 * `GraphQLRequestError` stays one (with another code) instead of narrowing to `never`.
 */
export type GraphQLRequestErrorWithCode<Code extends ErrorCode> = GraphQLRequestError & { readonly code: Code };

/** Whether `error` is a GraphQL error answer whose (first) code is `code`. */
export function hasErrorCode<Code extends ErrorCode>(error: unknown, code: Code): error is GraphQLRequestErrorWithCode<Code> {
  return isGraphQLRequestError(error) && error.code === code;
}

/** A bad, expired or revoked token (HTTP 401: log in again), no token, or a wrong email or password. */
export function isUnauthenticated(error: unknown): error is GraphQLRequestErrorWithCode<'UNAUTHENTICATED'> {
  return hasErrorCode(error, 'UNAUTHENTICATED');
}

/** Invalid input; `errors[0].extensions.field` names it. */
export function isBadUserInput(error: unknown): error is GraphQLRequestErrorWithCode<'BAD_USER_INPUT'> {
  return hasErrorCode(error, 'BAD_USER_INPUT');
}

/** `logoutDevice` with an id that is not one of your logins. */
export function isNotFound(error: unknown): error is GraphQLRequestErrorWithCode<'NOT_FOUND'> {
  return hasErrorCode(error, 'NOT_FOUND');
}

/** An admin operation (userByEmail, loginsOfUser, revokeLoginOfUser, ...) by a user who is not an administrator. */
export function isForbidden(error: unknown): error is GraphQLRequestErrorWithCode<'FORBIDDEN'> {
  return hasErrorCode(error, 'FORBIDDEN');
}

/** Over a rate limit (HTTP 429); `errors[0].extensions.retryAfter` says in how many seconds to retry. */
export function isTooManyRequests(error: unknown): error is GraphQLRequestErrorWithCode<'TOO_MANY_REQUESTS'> {
  return hasErrorCode(error, 'TOO_MANY_REQUESTS');
}

/**
 * The server cannot reach its database, or (on `login`/`register`) its queue of password checks is
 * full (HTTP 503); it recovers by itself, so retry later, after `extensions.retryAfter` seconds when given.
 */
export function isServiceUnavailable(error: unknown): error is GraphQLRequestErrorWithCode<'SERVICE_UNAVAILABLE'> {
  return hasErrorCode(error, 'SERVICE_UNAVAILABLE');
}

/**
 * Why an answer is UNAUTHENTICATED (`extensions.reason`). `LOGIN_REQUIRED` and `INVALID_CREDENTIALS`
 * come with HTTP 200; the other three reject the token (HTTP 401): its session is over, log in again.
 */
export type UnauthenticatedReason =
  | 'LOGIN_REQUIRED'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_TOKEN'
  | 'SESSION_REVOKED'
  | 'SESSION_EXPIRED';

/** The reasons that end a session: the token is no longer accepted. */
export type SessionEndReason = Extract<UnauthenticatedReason, 'INVALID_TOKEN' | 'SESSION_REVOKED' | 'SESSION_EXPIRED'>;

export interface SessionEnd {
  readonly reason: SessionEndReason;
  /** For `SESSION_REVOKED`: why the login was revoked (`LOGOUT`, `LOGOUT_ALL`, ...); null otherwise. */
  readonly revokedReason: RevokeReason | null;
}

const UNAUTHENTICATED_REASONS: ReadonlySet<string> = new Set<UnauthenticatedReason>([
  'LOGIN_REQUIRED',
  'INVALID_CREDENTIALS',
  'INVALID_TOKEN',
  'SESSION_REVOKED',
  'SESSION_EXPIRED',
]);
const SESSION_END_REASONS: ReadonlySet<string> = new Set<SessionEndReason>(['INVALID_TOKEN', 'SESSION_REVOKED', 'SESSION_EXPIRED']);

/** `errors` as a GraphQLRequestError holds them, or as any other client (Apollo Client's CombinedGraphQLErrors) does. */
function errorsOf(error: unknown): readonly GraphQLFormattedError[] {
  if (isGraphQLRequestError(error)) return error.errors;
  if (Array.isArray(error)) return error as readonly GraphQLFormattedError[];
  return [];
}

/** The reason codes of an UNAUTHENTICATED answer, or of a socket closed with 4401. */
interface Unauthenticated {
  readonly reason: string;
  readonly revokedReason: string | null;
}

/**
 * The server's 4401 close reasons: what happened, then the reason codes in parentheses, as
 * `Session ended (SESSION_REVOKED: PASSWORD_CHANGED)`, `Session ended (SESSION_EXPIRED)` or
 * `Login required (LOGIN_REQUIRED)`. A plain `Session ended` means the server could not tell.
 */
const UNAUTHORIZED_CLOSE_REASON = /^(Session ended|Login required) \(([A-Z_]+)(?:: ([A-Z_]+))?\)$/;

/** The reason codes of a 4401 close; null for another code, a reason without codes, or one not in the server's format. */
function unauthorizedCloseOf(close: SocketClose): Unauthenticated | null {
  if (close.code !== LiveCloseCode.Unauthorized) return null;
  const [, what, reason, revokedReason] = UNAUTHORIZED_CLOSE_REASON.exec(close.reason) ?? [];
  if (what === undefined || reason === undefined || !UNAUTHENTICATED_REASONS.has(reason)) return null;
  // The server picks the text by the reason, and adds a revoke reason only to SESSION_REVOKED.
  if ((what === 'Login required') !== (reason === 'LOGIN_REQUIRED')) return null;
  if (revokedReason !== undefined && reason !== 'SESSION_REVOKED') return null;
  return { reason, revokedReason: revokedReason ?? null };
}

function unauthenticatedOf(error: unknown): Unauthenticated | null {
  if (isSubscriptionClosed(error)) return unauthorizedCloseOf({ code: error.closeCode, reason: error.reason });
  const extensions = errorsOf(error).find((entry) => entry.extensions?.['code'] === 'UNAUTHENTICATED')?.extensions;
  const reason = extensions?.['reason'];
  if (typeof reason !== 'string') return null;
  const revokedReason = extensions?.['revokedReason'];
  return { reason, revokedReason: typeof revokedReason === 'string' ? revokedReason : null };
}

/**
 * The reason codes as a SessionEnd, or null when they do not end a session. A revoke reason is not
 * checked against the RevokeReasons this SDK knows: a newer server may send another one.
 */
function sessionEndOf(unauthenticated: Unauthenticated | null): SessionEnd | null {
  if (unauthenticated === null || !SESSION_END_REASONS.has(unauthenticated.reason)) return null;
  const { reason, revokedReason } = unauthenticated;
  return {
    reason: reason as SessionEndReason,
    revokedReason: reason === 'SESSION_REVOKED' ? (revokedReason as RevokeReason | null) : null,
  };
}

/**
 * The first UNAUTHENTICATED error's `extensions.reason`, of a GraphQLRequestError or an array of
 * GraphQL errors; or the reason a `SubscriptionClosedError` with 4401 gives (`LOGIN_REQUIRED` when no token was sent).
 */
export function unauthenticatedReason(error: unknown): UnauthenticatedReason | undefined {
  return unauthenticatedOf(error)?.reason as UnauthenticatedReason | undefined;
}

/**
 * Why the session of the token a request or a subscription was sent with ended, or null when the
 * error is not a rejected token (a wrong password, a missing token, any other error). Takes a
 * GraphQLRequestError, the `errors` of any GraphQL answer, or a `SubscriptionClosedError` (4401:
 * the close reason carries the same codes; null when it does not say, as a plain `Session ended`).
 */
export function sessionEndReason(error: unknown): SessionEnd | null {
  return sessionEndOf(unauthenticatedOf(error));
}

/**
 * Why the session of a socket's token ended, from a raw close `{ code, reason }`: what graphql-ws'
 * `on.closed` gets (a DOM CloseEvent, or ws' event), typed `unknown` there. Null as for `sessionEndReason`.
 */
export function sessionEndOfClose(event: unknown): SessionEnd | null {
  const close = asSocketClose(event);
  return close ? sessionEndOf(unauthorizedCloseOf(close)) : null;
}
