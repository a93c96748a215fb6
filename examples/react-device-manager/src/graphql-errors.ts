import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import type { GraphQLFormattedError } from 'graphql';

/** An error as the user should read it, and the form field it is about, if the server named one. */
export interface ReadableError {
  readonly message: string;
  readonly field?: string;
}

/**
 * Apollo Client 4 reports a GraphQL answer with errors as CombinedGraphQLErrors, whatever its HTTP
 * status, when the server sends `application/graphql-response+json` (Apollo Server does, since the
 * client asks for it); behind a proxy that rewrites it to `application/json`, a non-2xx answer
 * becomes a ServerError whose body still holds the same errors.
 */
export function graphQLErrorsOf(error: unknown): readonly GraphQLFormattedError[] {
  if (CombinedGraphQLErrors.is(error)) return error.errors;
  if (ServerError.is(error)) {
    try {
      const body: unknown = JSON.parse(error.bodyText);
      if (typeof body === 'object' && body !== null && 'errors' in body && Array.isArray(body.errors)) {
        return body.errors as GraphQLFormattedError[];
      }
    } catch {
      // Not JSON (an HTML page from a proxy, say): there are no GraphQL errors to read.
    }
  }
  return [];
}

export function errorCodeOf(error: unknown): string | undefined {
  const code = graphQLErrorsOf(error)[0]?.extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
}

function retryIn(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? 'a second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? 'a minute' : `${minutes} minutes`;
}

export function readableError(error: unknown): ReadableError {
  const [first] = graphQLErrorsOf(error);
  if (first) {
    const { code, retryAfter, field } = first.extensions ?? {};
    if (code === 'TOO_MANY_REQUESTS' && typeof retryAfter === 'number') {
      return { message: `Too many attempts. Try again in ${retryIn(retryAfter)}.` };
    }
    // The server's messages are written for people (BAD_USER_INPUT, wrong password, NOT_FOUND, ...).
    return typeof field === 'string' ? { message: first.message, field } : { message: first.message };
  }
  if (ServerError.is(error)) return { message: `The server answered with HTTP ${error.statusCode}. Try again shortly.` };
  return { message: 'Could not reach the server. Check your connection and try again.' };
}
