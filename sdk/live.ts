import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { GraphQLFormattedError } from 'graphql';
import { createClient as createWebSocketClient } from 'graphql-ws/client';
import { printOperation, type VariablesArgument } from './client';
import { GraphQLRequestError, NetworkError } from './errors';
import { LiveCloseCode, SubscriptionClosedError, asSocketClose, type SocketClose } from './live-errors';
import { waitToReconnect } from './reconnect';

export interface LiveClientOptions {
  /**
   * The GraphQL endpoint, as for `createClient`: `http://127.0.0.1:4000/graphql`. Subscriptions are
   * served at the same URL over WebSocket, so http(s) becomes ws(s); a ws(s) URL is used as it is.
   */
  url: string | URL;
  /** A token from `register` or `login`, sent in connection_init as `{ authorization: "Bearer <token>" }`. */
  token: string;
  /** The WebSocket class. Node 20 has no global one: pass `ws` (`import WebSocket from 'ws'`). Browsers need nothing. */
  webSocketImpl?: unknown;
  /** How many times to reconnect after a lost connection, 1001 or 1013 before giving up (graphql-ws' default: 5). */
  retryAttempts?: number;
  /**
   * Called each time the server accepts the connection. After a reconnection (`reconnected: true`),
   * events sent while disconnected are lost: refetch `myLogins`.
   */
  onConnected?: (info: { reconnected: boolean }) => void;
  /**
   * Called each time the socket closes, whether or not the client then reconnects. For a 4401,
   * `sessionEndOfClose(close)` says why the session ended.
   */
  onClosed?: (close: SocketClose) => void;
}

export interface LiveClient {
  /** The WebSocket URL it connects to. */
  readonly url: string;
  /**
   * Starts a subscription now and returns its events' `data`, typed from the document. The
   * iteration ends normally when the client is disposed, and rejects with `SubscriptionClosedError`
   * (`isSessionEnded`, `isTooManyConnections`) when the socket closes for good,
   * `GraphQLRequestError` when the server refuses or fails the subscription (`isTooManyRequests`),
   * or `NetworkError` when the server cannot be reached. Leaving a `for await` loop unsubscribes.
   */
  subscribe<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...variables: VariablesArgument<TVariables>
  ): AsyncIterableIterator<TData>;
  /** Ends every subscription and closes the socket (1000). */
  dispose(): Promise<void>;
}

/** Closes after which reconnecting cannot help (graphql-ws already gives up on these; said here so it stays so). */
const NOT_RETRIED: ReadonlySet<number> = new Set([
  LiveCloseCode.Unauthorized,
  LiveCloseCode.TooManyConnections,
  LiveCloseCode.MessageTooBig,
  LiveCloseCode.InternalServerError,
]);

/** The http(s) GraphQL URL as ws(s); a ws(s) URL unchanged. */
export function toWebSocketUrl(url: string | URL): string {
  const webSocketUrl = new URL(url);
  if (webSocketUrl.protocol === 'http:') webSocketUrl.protocol = 'ws:';
  else if (webSocketUrl.protocol === 'https:') webSocketUrl.protocol = 'wss:';
  return webSocketUrl.toString();
}

/** What graphql-ws rejects a subscription with, as the SDK's typed errors. */
function toLiveError(problem: unknown, url: string): unknown {
  // The server's `error` message for this subscription: its GraphQL errors.
  if (Array.isArray(problem)) return new GraphQLRequestError(problem as GraphQLFormattedError[], undefined);
  const close = asSocketClose(problem);
  if (close) return new SubscriptionClosedError(close.code, close.reason);
  if (problem instanceof Error) return problem;
  // A WebSocket `error` event: ws' carries a message (ECONNREFUSED...), a browser's carries nothing.
  const detail = typeof problem === 'object' && problem !== null && 'message' in problem ? `: ${String(problem.message)}` : '';
  return new NetworkError(`Could not reach ${url}${detail}`, undefined, { cause: problem });
}

/**
 * GraphQL subscriptions over WebSocket (graphql-transport-ws), signed in as one login: one socket,
 * opened at the first subscription and closed after the last one ends.
 */
export function createLiveClient(options: LiveClientOptions): LiveClient {
  const url = toWebSocketUrl(options.url);
  const client = createWebSocketClient({
    url,
    webSocketImpl: options.webSocketImpl,
    connectionParams: { authorization: `Bearer ${options.token}` },
    ...(options.retryAttempts === undefined ? {} : { retryAttempts: options.retryAttempts }),
    // A restart's 1001: back within half a second (another instance behind the balancer), then backing off.
    retryWait: waitToReconnect,
    // graphql-ws retries only close events by default; a ws `error` event (a reset connection, a server
    // restarting) is worth retrying too.
    shouldRetry: (problem) => {
      const close = asSocketClose(problem);
      return !close || !NOT_RETRIED.has(close.code);
    },
    on: {
      connected: (_socket, _payload, wasRetry) => options.onConnected?.({ reconnected: wasRetry }),
      closed: (event) => {
        const close = asSocketClose(event);
        if (close) options.onClosed?.(close);
      },
    },
  });

  return {
    url,
    subscribe<TData, TVariables>(
      document: TypedDocumentNode<TData, TVariables>,
      ...[variables]: VariablesArgument<TVariables>
    ): AsyncIterableIterator<TData> {
      const { query, operationName } = printOperation(document);
      // iterate() subscribes at once, so events are queued even before the caller starts reading.
      const results = client.iterate<TData>({ query, operationName, variables: variables as Record<string, unknown> | undefined });
      // A plain iterator rather than an async generator: a generator's return() waits for a pending
      // next(), so leaving a loop would unsubscribe only after the next event.
      const events: AsyncIterableIterator<TData> = {
        async next() {
          for (;;) {
            let step: IteratorResult<{ data?: TData | null; errors?: readonly GraphQLFormattedError[] }>;
            try {
              step = await results.next();
            } catch (problem) {
              throw toLiveError(problem, url);
            }
            if (step.done) return { done: true, value: undefined };
            const { data, errors } = step.value;
            if (errors?.length) {
              // A refused subscribe (TOO_MANY_REQUESTS) or a failed event: the iteration ends here, so unsubscribe.
              await results.return?.();
              throw new GraphQLRequestError(errors, undefined, data);
            }
            if (data) return { done: false, value: data };
          }
        },
        async return() {
          await results.return?.();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]: () => events,
      };
      return events;
    },
    async dispose() {
      await client.dispose();
    },
  };
}
