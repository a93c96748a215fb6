import { GraphQLError } from 'graphql';
import { formatBytes, REQUEST_BODY_LIMIT_BYTES } from './limits';

/** The public contract's codes (the SDK's `ContractErrorCode` lists the same; a type test compares them). */
const CONTRACT_CODES = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  /** Signed in, but not an administrator. */
  FORBIDDEN: 'FORBIDDEN',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** Apollo's code for a request it cannot read; also an operation sent over the wrong transport. */
  BAD_REQUEST: 'BAD_REQUEST',
} as const;
export type ContractErrorCode = (typeof CONTRACT_CODES)[keyof typeof CONTRACT_CODES];

/**
 * Every `errors[i].extensions.code` the server sends, on HTTP and over WebSocket: the contract's,
 * the ones Apollo Server (and graphql-js, through it) raises, and this server's own for bodies
 * refused before GraphQL reads them.
 */
export const ErrorCode = {
  ...CONTRACT_CODES,
  /** Apollo's codes for a document that does not parse, or does not validate against the schema. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** A request body over REQUEST_BODY_LIMIT_BYTES, refused before GraphQL sees it. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The HTTP status a request failing with the code gets; codes not listed answer 200 (a GraphQL error beside data). */
export const HTTP_STATUS = {
  BAD_REQUEST: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  TOO_MANY_REQUESTS: 429,
  PAYLOAD_TOO_LARGE: 413,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
  /** A rejected token; missing or wrong credentials are a GraphQL error beside data (200). */
  UNAUTHENTICATED: 401,
} as const satisfies Partial<Record<ErrorCode, number>>;

interface HttpAnswer {
  readonly status: number;
  readonly headers?: Map<string, string>;
}

/** `http`: the status (and headers) Apollo Server answers with when this error fails the request. */
function appError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, http?: HttpAnswer): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, ...(http ? { http } : {}) } });
}

const statusOf = (code: keyof typeof HTTP_STATUS): HttpAnswer => ({ status: HTTP_STATUS[code] });

/** One message for every rejected token, so the response says nothing about why. */
export const INVALID_SESSION_MESSAGE = 'Your session is invalid or has ended. Log in again.';
/** One message for unknown email and wrong password, so accounts cannot be enumerated. */
export const INVALID_CREDENTIALS_MESSAGE = 'Incorrect email or password.';
export const SERVICE_UNAVAILABLE_MESSAGE = 'The database is unavailable. Try again shortly.';
export const INTERNAL_ERROR_MESSAGE = 'Internal server error.';

/**
 * Why a request is UNAUTHENTICATED (`extensions.reason`, contract v2). The last three reject the
 * token, and with it the whole request (HTTP 401); the first two are an error beside data (200).
 */
export const UnauthenticatedReason = {
  /** No token on a field that needs one. */
  LOGIN_REQUIRED: 'LOGIN_REQUIRED',
  /** Wrong email or password: the same reason whether or not the email is known. */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** Malformed header, bad signature or algorithm, `exp` passed, unknown login, `sub`/`sid` mismatch. */
  INVALID_TOKEN: 'INVALID_TOKEN',
  /** The login was revoked; `extensions.revokedReason` says why (its RevokeReason). */
  SESSION_REVOKED: 'SESSION_REVOKED',
  /** The login's absolute lifetime ended. */
  SESSION_EXPIRED: 'SESSION_EXPIRED',
} as const;
export type UnauthenticatedReason = (typeof UnauthenticatedReason)[keyof typeof UnauthenticatedReason];

/** A reason that rejects the token itself. */
export type SessionEndReason = typeof UnauthenticatedReason.INVALID_TOKEN | typeof UnauthenticatedReason.SESSION_REVOKED | typeof UnauthenticatedReason.SESSION_EXPIRED;

/**
 * A rejected Authorization header: the whole request fails with HTTP 401. The message is the same
 * whatever the reason; the reason codes are all a client learns (a revoked login's RevokeReason too).
 */
export const invalidSession = (reason: SessionEndReason = UnauthenticatedReason.INVALID_TOKEN, revokedReason?: string | null) =>
  appError(
    ErrorCode.UNAUTHENTICATED,
    INVALID_SESSION_MESSAGE,
    { reason, ...(reason === UnauthenticatedReason.SESSION_REVOKED && revokedReason ? { revokedReason } : {}) },
    statusOf(ErrorCode.UNAUTHENTICATED),
  );

export const invalidCredentials = () =>
  appError(ErrorCode.UNAUTHENTICATED, INVALID_CREDENTIALS_MESSAGE, { reason: UnauthenticatedReason.INVALID_CREDENTIALS });

export const loginRequired = () =>
  appError(ErrorCode.UNAUTHENTICATED, 'You must be logged in: send Authorization: Bearer <token>.', {
    reason: UnauthenticatedReason.LOGIN_REQUIRED,
  });

export const badUserInput = (message: string, field?: string) =>
  appError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

export const notFound = (message: string) => appError(ErrorCode.NOT_FOUND, message);

/** An admin operation by a signed-in user who is not an administrator: an error beside data (200), like LOGIN_REQUIRED. */
export const forbidden = () => appError(ErrorCode.FORBIDDEN, 'Only an administrator may do this.');

/** Over a rate limit: HTTP 429, with `retryAfter` in seconds (also sent as the Retry-After header). */
export const tooManyRequests = (retryAfterSeconds: number) =>
  appError(
    ErrorCode.TOO_MANY_REQUESTS,
    `Too many attempts. Try again in ${retryAfterSeconds} s.`,
    { retryAfter: retryAfterSeconds },
    { ...statusOf(ErrorCode.TOO_MANY_REQUESTS), headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
  );

/**
 * Over MAX_SUBSCRIPTIONS_PER_USER: this subscribe fails; the connection and its other subscriptions
 * stay. Sent over WebSocket only, where there is no HTTP status.
 */
export const tooManySubscriptions = (limit: number) =>
  appError(ErrorCode.TOO_MANY_REQUESTS, `You already have ${limit} open subscriptions, the most allowed. Close one first.`, {
    limit,
  });

/** A subscription sent over HTTP, or a query or mutation sent over WebSocket. */
export const subscriptionsOverWebSocketOnly = () =>
  appError(
    ErrorCode.BAD_REQUEST,
    'Subscriptions are served over WebSocket (graphql-transport-ws) at this URL; queries and mutations over HTTP POST.',
    {},
    statusOf(ErrorCode.BAD_REQUEST),
  );

/** Several Authorization headers: which one counts is ambiguous (Node keeps the first, a proxy may keep the last). */
export const ambiguousAuthorization = () =>
  appError(ErrorCode.BAD_REQUEST, 'Send at most one Authorization header.', {}, statusOf(ErrorCode.BAD_REQUEST));

export const unidentifiedOperation = () => appError(ErrorCode.BAD_REQUEST, 'Unable to identify the operation to run.');

/** The bcrypt queue, or the caller's share of it, is full: HTTP 503, with `retryAfter` in seconds (also the Retry-After header). */
export const passwordChecksBusy = (retryAfterSeconds: number) =>
  appError(
    ErrorCode.SERVICE_UNAVAILABLE,
    `Too many sign-ins are being checked right now. Try again in ${retryAfterSeconds} s.`,
    { retryAfter: retryAfterSeconds },
    { ...statusOf(ErrorCode.SERVICE_UNAVAILABLE), headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
  );

export const serviceUnavailable = () =>
  appError(ErrorCode.SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_MESSAGE, {}, statusOf(ErrorCode.SERVICE_UNAVAILABLE));

/**
 * An operation over one of the shape limits (src/http/armor.ts). graphql-armor words its message
 * "Syntax Error: Query depth limit of 8 exceeded, found 9."; the document parsed fine, so the
 * message keeps only the limit and what was found.
 */
export const operationOverLimit = (armorMessage: string) =>
  appError(ErrorCode.GRAPHQL_VALIDATION_FAILED, armorMessage.replace(/^Syntax Error: /, ''));

/** graphql-js' own parse or validation error, with the code Apollo Server gives it over HTTP. */
export function withCode(error: GraphQLError, code: typeof ErrorCode.GRAPHQL_PARSE_FAILED | typeof ErrorCode.GRAPHQL_VALIDATION_FAILED) {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
}

/** The JSON body of a request refused before GraphQL read it, in GraphQL's response shape. */
export interface RefusedRequest {
  readonly status: number;
  readonly body: { errors: [{ message: string; extensions: { code: ErrorCode } }] };
}

function refused(code: ErrorCode, message: string, status: number): RefusedRequest {
  return { status, body: { errors: [{ message, extensions: { code } }] } };
}

export const payloadTooLarge = () =>
  refused(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `The request body is larger than ${formatBytes(REQUEST_BODY_LIMIT_BYTES)}.`,
    HTTP_STATUS.PAYLOAD_TOO_LARGE,
  );
export const malformedJson = () => refused(ErrorCode.BAD_REQUEST, 'The request body is not valid JSON.', HTTP_STATUS.BAD_REQUEST);
/** Any other 4xx the body parser raises (an unsupported charset, say), with its own status. */
export const unreadableRequest = (status: number) => refused(ErrorCode.BAD_REQUEST, 'The request could not be read.', status);
export const internalErrorResponse = () =>
  refused(ErrorCode.INTERNAL_SERVER_ERROR, INTERNAL_ERROR_MESSAGE, HTTP_STATUS.INTERNAL_SERVER_ERROR);

/** An operation whose lists together ask for more items than one operation may (the list-size cost). */
export const tooManyListItems = (requested: number, limit: number) =>
  appError(
    ErrorCode.GRAPHQL_VALIDATION_FAILED,
    `Operation cost limit exceeded: its lists ask for up to ${requested} items (the sum of their \`first\`), the limit is ${limit}.`,
    { requested, limit },
    statusOf(ErrorCode.GRAPHQL_VALIDATION_FAILED),
  );
