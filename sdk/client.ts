import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, print, type DocumentNode, type FormattedExecutionResult } from 'graphql';
import { GraphQLRequestError, NetworkError } from './errors';

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string | URL;
  /** A token from `register` or `login`, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Defaults to the global `fetch`; pass your own for timeouts, retries or a proxy agent. */
  fetch?: typeof fetch;
  /** Sent with every request. In Node, `user-agent` is what the server labels the device with. */
  headers?: Record<string, string>;
}

/** The variables argument, optional when the operation has no required variable. */
export type VariablesArgument<TVariables> = {} extends TVariables ? [variables?: TVariables] : [variables: TVariables];

export interface Client {
  readonly url: string;
  /** Runs one operation; resolves to its `data`, rejects with `GraphQLRequestError` or `NetworkError`. */
  request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...variables: VariablesArgument<TVariables>
  ): Promise<TData>;
  /** The same client signed in as another login (another device); `undefined` signs out. */
  withToken(token: string | undefined): Client;
  /** The same client with more headers (they win over this client's headers of the same name). */
  withHeaders(headers: Record<string, string>): Client;
}

export interface PrintedOperation {
  query: string;
  operationName: string | undefined;
}

/** Documents are long-lived constants: each is printed once, not on every request. */
const printedOperations = new WeakMap<DocumentNode, PrintedOperation>();

/** The operation's text and name, as sent over HTTP here and over WebSocket by the live client. */
export function printOperation(document: DocumentNode): PrintedOperation {
  let printed = printedOperations.get(document);
  if (!printed) {
    const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    printed = { query: print(document), operationName: operation?.name?.value };
    printedOperations.set(document, printed);
  }
  return printed;
}

/** The parsed body when it is a GraphQL response (an object with `data` or `errors`), else undefined. */
function parseGraphQLResponse(text: string): FormattedExecutionResult | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  if (!('data' in body) && !('errors' in body)) return undefined;
  if ('errors' in body && body.errors !== undefined && !Array.isArray(body.errors)) return undefined;
  return body as FormattedExecutionResult;
}

function messageOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return error instanceof Error ? `${error.message}${cause}` : String(error);
}

/** A small GraphQL-over-HTTP client for the typed documents of this SDK: POST, JSON, Bearer token. */
export function createClient(options: ClientOptions): Client {
  const url = String(options.url);
  // Looked up at each request, so a fetch installed or stubbed after createClient is the one used.
  const fetchFunction: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function send(body: string): Promise<{ status: number; text: string }> {
    const headers = new Headers({
      'content-type': 'application/json',
      // The GraphQL-over-HTTP media type first, as Apollo Client 4 asks; this client reads both.
      accept: 'application/graphql-response+json, application/json;q=0.9',
    });
    // set(), not one object literal: header names are case-insensitive, and a caller's
    // `Content-Type` must replace ours rather than be joined to it.
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    if (options.token) headers.set('authorization', `Bearer ${options.token}`);
    let response: Response;
    try {
      response = await fetchFunction(url, { method: 'POST', headers, body });
    } catch (error) {
      throw new NetworkError(`Could not reach ${url}: ${messageOf(error)}`, undefined, { cause: error });
    }
    try {
      return { status: response.status, text: await response.text() };
    } catch (error) {
      throw new NetworkError(`The answer of ${url} was cut off: ${messageOf(error)}`, response.status, { cause: error });
    }
  }

  return {
    url,
    async request<TData, TVariables>(
      document: TypedDocumentNode<TData, TVariables>,
      ...[variables]: VariablesArgument<TVariables>
    ): Promise<TData> {
      const { query, operationName } = printOperation(document);
      const { status, text } = await send(JSON.stringify({ query, variables, operationName }));
      const result = parseGraphQLResponse(text);
      if (!result) {
        throw new NetworkError(`${url} answered HTTP ${status} with something other than a GraphQL response`, status);
      }
      // A 401, 429 or 503 carries its reason as GraphQL errors too: the errors matter, not the status.
      if (result.errors?.length) throw new GraphQLRequestError(result.errors, status, result.data);
      if (status < 200 || status > 299 || !result.data) {
        throw new NetworkError(`${url} answered HTTP ${status} without data or errors`, status);
      }
      return result.data as TData;
    },
    withToken: (token) => createClient({ ...options, token }),
    withHeaders: (headers) => createClient({ ...options, headers: { ...options.headers, ...headers } }),
  };
}
