import type { ApolloServerPlugin } from '@apollo/server';

/**
 * `Cache-Control: no-store` on every GraphQL answer. Apollo's cache-control plugin sends the same
 * header here, since no field of this schema has a cache hint (and answers about sessions must never
 * be cached), but it collects hints by wrapping every field's resolver, a cost on every request; it
 * is disabled, and this sends the header instead.
 */
export const uncachedResponses: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};
