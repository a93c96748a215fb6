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
