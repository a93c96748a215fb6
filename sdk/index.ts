/**
 * The login-activity SDK: typed documents for every operation of the contract (generated from
 * schema.graphql and sdk/operations by `npm run codegen`), a small fetch client that runs them, and
 * a live client for the subscription over WebSocket (graphql-ws).
 */
export * from './generated/graphql';
export { createClient, type Client, type ClientOptions, type VariablesArgument } from './client';
export {
  GraphQLRequestError,
  NetworkError,
  hasErrorCode,
  isBadUserInput,
  isForbidden,
  isGraphQLRequestError,
  isNetworkError,
  isNotFound,
  isServiceUnavailable,
  isTooManyRequests,
  isUnauthenticated,
  sessionEndOfClose,
  sessionEndReason,
  unauthenticatedReason,
  type ContractErrorCode,
  type ErrorCode,
  type GraphQLRequestErrorWithCode,
  type SessionEnd,
  type SessionEndReason,
  type UnauthenticatedReason,
} from './errors';
export { verifySession, type VerifiedSession, type VerifySessionOptions } from './verify-session';
export { FIRST_RECONNECT_MAX_MS, reconnectDelayMs, waitToReconnect } from './reconnect';
export { createLiveClient, toWebSocketUrl, type LiveClient, type LiveClientOptions } from './live';
export {
  LiveCloseCode,
  SubscriptionClosedError,
  isSessionEnded,
  isSubscriptionClosed,
  isTooManyConnections,
  type SocketClose,
  type SubscriptionClosedErrorWithCode,
} from './live-errors';
