import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, RefetchEventManager } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { OperationTypeNode } from 'graphql';
import { sessionEndReason } from '../../../sdk/errors';
import { errorCodeOf, graphQLErrorsOf } from './graphql-errors';
import { userReturned } from './refetch-on-return';
import { securityLogPolicy } from './security-log-pages';
import type { SessionStore } from './session';

function httpStatusOf(operation: ApolloLink.Operation): number | undefined {
  // HttpLink puts the fetch Response on the operation's context.
  const response: unknown = operation.getContext()['response'];
  return response instanceof Response ? response.status : undefined;
}

/** The token this operation was sent with, recorded by the auth link. */
function sessionTokenOf(operation: ApolloLink.Operation): string | null {
  const token: unknown = operation.getContext()['sessionToken'];
  return typeof token === 'string' ? token : null;
}

/** Queries and mutations go over HTTP to `uri`; subscriptions over `subscriptionLink` (the session's WebSocket). */
export function createApolloClient(session: SessionStore, uri: string, subscriptionLink: ApolloLink): ApolloClient {
  const authLink = new SetContextLink(({ headers }) => {
    const token = session.token;
    return {
      sessionToken: token,
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    };
  });

  /**
   * The server answers HTTP 401 with UNAUTHENTICATED when a token is revoked, expired or invalid:
   * this device was logged out (from another device, say), so the token is useless. A wrong password
   * is also UNAUTHENTICATED but with HTTP 200, and stays an error on the sign-in form. The error's
   * `extensions.reason` (and `revokedReason`) say why, which the sign-in form then shows.
   */
  const signOutOnRejectedToken = new ErrorLink(({ error, operation }) => {
    if (httpStatusOf(operation) === 401 && errorCodeOf(error) === 'UNAUTHENTICATED') {
      session.loginEnded(sessionTokenOf(operation), sessionEndReason(graphQLErrorsOf(error)));
    }
  });

  return new ApolloClient({
    link: ApolloLink.split(
      ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
      subscriptionLink,
      ApolloLink.from([signOutOnRejectedToken, authLink, new HttpLink({ uri })]),
    ),
    // The security log's pages ("Show more") and its refetches make one list.
    cache: new InMemoryCache({ typePolicies: { Query: { fields: { mySecurityEvents: securityLogPolicy } } } }),
    // Active queries refetch when the user comes back to the tab, so the device list is current.
    refetchEventManager: new RefetchEventManager({
      sources: { windowFocus: userReturned },
      handlers: {
        windowFocus: ({ client, matchesRefetchOn }) => {
          const refetched = client.refetchQueries({ include: 'active', onQueryUpdated: matchesRefetchOn });
          // A failed refetch already shows on the query (and a 401 signs out): nobody awaits this one.
          refetched.catch(() => {});
          return refetched;
        },
      },
    }),
  });
}
