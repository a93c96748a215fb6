import type { GraphiQLProps } from 'graphiql';
import { getOperationAST, OperationTypeNode, type DocumentNode } from 'graphql';
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import { LiveCloseCode } from '../sdk/live-errors';

type Fetcher = GraphiQLProps['fetcher'];
type FetcherParams = Parameters<Fetcher>[0];
type FetcherOptions = Parameters<Fetcher>[1];

/** The page is served by the GraphQL server itself, so the API is this origin's /graphql. */
const ENDPOINT = new URL('/graphql', window.location.origin).toString();
/** Subscriptions are served at the same URL, over WebSocket. */
const WEBSOCKET_ENDPOINT = ENDPOINT.replace(/^http/, 'ws');

/** Queries and mutations (introspection included) with the headers editor's JSON, over HTTP. */
async function overHttp(params: FetcherParams, options: FetcherOptions) {
  const response = await fetch(ENDPOINT, {
    method: 'POST',
    headers: { ...options?.headers, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(params),
  });
  return response.json();
}

function isSubscription(params: FetcherParams, document: DocumentNode | null | undefined): boolean {
  return !!document && getOperationAST(document, params.operationName ?? undefined)?.operation === OperationTypeNode.SUBSCRIPTION;
}

/** The headers editor's Authorization value, whatever the case of its name; '' when there is none. */
function authorizationOf(headers: Record<string, unknown> | undefined): string {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  }
  return '';
}

/**
 * The server reads the token once, at connection_init, so a socket belongs to one Authorization
 * value: a new value gets a new client, and the old one's socket is closed.
 */
let live: { authorization: string; client: Client } | undefined;

function clientFor(authorization: string): Client {
  if (live?.authorization !== authorization) {
    void live?.client.dispose();
    live = { authorization, client: createClient({ url: WEBSOCKET_ENDPOINT, connectionParams: { authorization } }) };
  }
  return live.client;
}

/** What ended a subscription, as GraphQL errors: GraphiQL prints those plainly (an Error it prints with its stack). */
function asErrors(problem: unknown): unknown {
  if (Array.isArray(problem)) return problem;
  if (typeof problem === 'object' && problem !== null && 'code' in problem && 'reason' in problem) {
    const { code, reason } = problem as { code: number; reason: string };
    const hint =
      code === LiveCloseCode.Unauthorized
        ? ' Log in again (run Login), put {"Authorization": "Bearer <token>"} in the Headers tab, and run it again.'
        : '';
    return [{ message: `The subscription socket closed with ${code}${reason ? `: ${reason}` : ''}.${hint}`, extensions: { closeCode: code } }];
  }
  if (problem instanceof Error) return problem;
  return [{ message: `Could not connect to ${WEBSOCKET_ENDPOINT}.` }];
}

/**
 * A subscription over WebSocket (graphql-transport-ws), the Authorization header as its connection
 * parameter. graphql-ws' own iterator is kept, rather than wrapped in a generator, because its
 * `return()` (GraphiQL's stop button) unsubscribes at once instead of after the next event.
 */
function overWebSocket(params: FetcherParams, options: FetcherOptions): AsyncIterableIterator<ExecutionResult> {
  // GraphiQL types results as ExecutionResult (errors as GraphQLError instances); what arrives is their
  // JSON form, which GraphiQL prints all the same, so the cast only reconciles the two type declarations.
  const results = clientFor(authorizationOf(options?.headers)).iterate(params) as AsyncIterableIterator<unknown> as AsyncIterableIterator<ExecutionResult>;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: () =>
      results.next().catch((problem: unknown) => {
        throw asErrors(problem);
      }),
    async return() {
      await results.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

export const fetcher: Fetcher = (params, options) =>
  isSubscription(params, options?.documentAST) ? overWebSocket(params, options) : overHttp(params, options);
