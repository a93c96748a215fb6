/**
 * How the server closes a subscription socket (the README's table of close codes). graphql-ws
 * reconnects by itself after 1001 and 1013; the others end every subscription of the client with a
 * `SubscriptionClosedError`.
 */
export const LiveCloseCode = {
  /** The server is shutting down; the client reconnects (to another instance). */
  GoingAway: 1001,
  /** A message over the server's SUBSCRIPTION_MAX_MESSAGE_BYTES. */
  MessageTooBig: 1009,
  /** The database could not check the token, or events were read too slowly; the client reconnects. */
  TryAgainLater: 1013,
  /** No valid session: a bad, expired or revoked token at connect, or this login ended while connected. */
  Unauthorized: 4401,
  /** The user already has MAX_SUBSCRIPTIONS_PER_USER sockets open on that server instance. */
  TooManyConnections: 4429,
  /** The same code (reason `Too many messages`): the client sent messages faster than the server's rate. */
  TooManyMessages: 4429,
  /** An unexpected server error while checking the token. */
  InternalServerError: 4500,
} as const;
export type LiveCloseCode = (typeof LiveCloseCode)[keyof typeof LiveCloseCode];

/**
 * The subscription socket closed for good: with a code that is not retried (4401, 4429...), or
 * after the retries ran out (1006: the connection was lost and could not be made again).
 */
export class SubscriptionClosedError extends Error {
  override readonly name = 'SubscriptionClosedError';

  constructor(
    /** The WebSocket close code: see `LiveCloseCode`. */
    readonly closeCode: number,
    /**
     * The close reason the server gave, possibly empty: "Too many subscriptions", or for 4401 the
     * reason codes, as "Session ended (SESSION_REVOKED: LOGOUT)" (`sessionEndReason` reads them).
     */
    readonly reason: string,
  ) {
    super(`The subscription socket closed with ${closeCode}${reason ? `: ${reason}` : ''}`);
  }
}

/** Like `GraphQLRequestErrorWithCode`: the other branch of a guard keeps the class. */
export type SubscriptionClosedErrorWithCode<Code extends number> = SubscriptionClosedError & { readonly closeCode: Code };

export function isSubscriptionClosed(error: unknown): error is SubscriptionClosedError {
  return error instanceof SubscriptionClosedError;
}

/**
 * Closed with 4401: this token has no session (any more). Its login was revoked or expired while
 * connected (after the REVOKED event of that login), or the token was already bad at connect. Log in again.
 */
export function isSessionEnded(error: unknown): error is SubscriptionClosedErrorWithCode<4401> {
  return isSubscriptionClosed(error) && error.closeCode === LiveCloseCode.Unauthorized;
}

/** Closed with 4429: the user has too many subscription sockets open; close one (another client) first. */
export function isTooManyConnections(error: unknown): error is SubscriptionClosedErrorWithCode<4429> {
  return isSubscriptionClosed(error) && error.closeCode === LiveCloseCode.TooManyConnections;
}

/** A WebSocket close as graphql-ws reports it (its `closed` event, or the rejection of a subscription). */
export interface SocketClose {
  /** The WebSocket close code: see `LiveCloseCode`; 1006 when the connection was lost. */
  code: number;
  reason: string;
}

/**
 * graphql-ws hands over close events as `unknown`: a DOM CloseEvent, ws' own, or its synthetic 4499.
 * Not exported from the SDK's index: `sessionEndOfClose` takes them as they come.
 */
export function asSocketClose(problem: unknown): SocketClose | undefined {
  if (typeof problem !== 'object' || problem === null || !('code' in problem) || !('reason' in problem)) return undefined;
  return typeof problem.code === 'number' ? { code: problem.code, reason: String(problem.reason) } : undefined;
}
