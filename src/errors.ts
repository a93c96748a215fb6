import { GraphQLError } from 'graphql';

/** The error codes of the public contract (`errors[i].extensions.code`). */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** Apollo's code for a request it cannot read; also an operation sent over the wrong transport. */
  BAD_REQUEST: 'BAD_REQUEST',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

function appError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** One message for every rejected token, so the response says nothing about why. */
export const INVALID_SESSION_MESSAGE = 'Your session is invalid or has ended. Log in again.';
/** One message for unknown email and wrong password, so accounts cannot be enumerated. */
export const INVALID_CREDENTIALS_MESSAGE = 'Incorrect email or password.';

/** A rejected Authorization header: the whole request fails with HTTP 401. */
export const invalidSession = () =>
  appError(ErrorCode.UNAUTHENTICATED, INVALID_SESSION_MESSAGE, { http: { status: 401 } });

export const invalidCredentials = () => appError(ErrorCode.UNAUTHENTICATED, INVALID_CREDENTIALS_MESSAGE);

export const loginRequired = () =>
  appError(ErrorCode.UNAUTHENTICATED, 'You must be logged in: send Authorization: Bearer <token>.');

export const badUserInput = (message: string, field?: string) =>
  appError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

export const notFound = (message: string) => appError(ErrorCode.NOT_FOUND, message);

/** Over a rate limit: HTTP 429, with `retryAfter` in seconds (also sent as the Retry-After header). */
export const tooManyRequests = (retryAfterSeconds: number) =>
  appError(ErrorCode.TOO_MANY_REQUESTS, `Too many attempts. Try again in ${retryAfterSeconds} s.`, {
    retryAfter: retryAfterSeconds,
    http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
  });

/** Over MAX_SUBSCRIPTIONS_PER_USER: this subscribe fails; the connection and its other subscriptions stay. */
export const tooManySubscriptions = (limit: number) =>
  appError(ErrorCode.TOO_MANY_REQUESTS, `You already have ${limit} open subscriptions, the most allowed. Close one first.`, {
    limit,
  });

/** A subscription sent over HTTP, or a query or mutation sent over WebSocket. */
export const subscriptionsOverWebSocketOnly = () =>
  appError(
    ErrorCode.BAD_REQUEST,
    'Subscriptions are served over WebSocket (graphql-transport-ws) at this URL; queries and mutations over HTTP POST.',
    { http: { status: 400 } },
  );

export const serviceUnavailable = () =>
  appError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable. Try again shortly.', {
    http: { status: 503 },
  });
