import type { ApolloServerPlugin } from '@apollo/server';
import { subscriptionsOverWebSocketOnly } from '../errors';

/**
 * Apollo Server would run a subscription sent over HTTP as a one-off query of the Subscription type,
 * which has no event to answer with; it gets a 400 that says where subscriptions are served instead.
 */
export const subscriptionsOverHttpRefused: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation === 'subscription') throw subscriptionsOverWebSocketOnly();
      },
    };
  },
};
