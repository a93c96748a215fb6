import type { PubSub } from 'type-graphql';

/**
 * type-graphql refuses to build a schema with a @Subscription unless it is given a PubSub, even when
 * every subscription brings its own `subscribe` function, as loginActivity does (its events come from
 * PostgreSQL LISTEN/NOTIFY). This one satisfies the check and fails loudly if anything ever uses it.
 */
export const noPubSub: PubSub = {
  publish() {
    throw new Error('No PubSub: login activity is published with pg_notify (src/auth/login-activity.ts)');
  },
  subscribe() {
    throw new Error('No PubSub: subscriptions bring their own `subscribe` (src/resolvers/login-activity.resolver.ts)');
  },
};
