import type { RevokeReason } from '../entities/revoke-reason';
import { UnauthenticatedReason } from '../errors';

/**
 * How the server closes a subscription socket, besides graphql-ws's own protocol codes
 * (4400 bad message, 4408 no connection_init in time, 4409 duplicate subscription id).
 */
export const CloseCode = {
  /** Shutting down: reconnect (to another instance). Standard WebSocket code. */
  GoingAway: 1001,
  /** A message over SUBSCRIPTION_MAX_MESSAGE_BYTES (closed by ws). Standard WebSocket code. */
  MessageTooBig: 1009,
  /**
   * Try again later: the database could not check the token, or the client reads its events too
   * slowly. Standard WebSocket code; graphql-ws clients retry it.
   */
  TryAgainLater: 1013,
  /**
   * No token, a bad, expired or revoked one, or this connection's own login ended while connected
   * (after its REVOKED event). graphql-ws clients do not retry it: log in again.
   */
  Unauthorized: 4401,
  /** The user already has MAX_SUBSCRIPTIONS_PER_USER connections open on this instance. */
  TooManyConnections: 4429,
  /**
   * The socket, or its user across their sockets, sent messages faster than SUBSCRIPTION_MESSAGE_RATE
   * or SUBSCRIPTION_USER_MESSAGE_RATE allow. The same code, with the reason `Too many messages`.
   */
  TooManyMessages: 4429,
  /** An unexpected server error while checking the token. */
  InternalServerError: 4500,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Why a socket is closed with 4401: the `extensions.reason` (and `revokedReason`) HTTP would answer with. */
export interface UnauthorizedClose {
  readonly reason: UnauthenticatedReason;
  readonly revokedReason: RevokeReason | null;
}

/**
 * The reason text of a 4401 close: what happened, then the reason codes in parentheses, as
 * `Session ended (SESSION_REVOKED: PASSWORD_CHANGED)`, `Session ended (INVALID_TOKEN)` or
 * `Login required (LOGIN_REQUIRED)`; just `Session ended` when the server cannot tell (its database
 * could not be read). Well under the 123 bytes a close reason may take. The SDK reads it back.
 */
export function unauthorizedCloseReason(close: UnauthorizedClose | null): string {
  if (close === null) return 'Session ended';
  const codes = close.reason === UnauthenticatedReason.SESSION_REVOKED && close.revokedReason ? `${close.reason}: ${close.revokedReason}` : close.reason;
  return `${close.reason === UnauthenticatedReason.LOGIN_REQUIRED ? 'Login required' : 'Session ended'} (${codes})`;
}
