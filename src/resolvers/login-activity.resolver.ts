import { Authorized, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { subscriptionsOverWebSocketOnly } from '../errors';
import { LoginActivityEvent } from '../live/login-activity-event';
import type { Context } from './context.type';

@Resolver()
export class LoginActivityResolver {
  @Authorized()
  @Subscription(() => LoginActivityEvent, {
    description:
      'Your logins as they change, on every device and server instance: LOGIN for a new login, REVOKED for one that ended. ' +
      'Over WebSocket only (graphql-transport-ws, at this URL), with `authorization: "Bearer <token>"` in connectionParams. ' +
      'When the login of this token ends, its REVOKED event comes last and the socket closes with 4401.',
    // Events come from PostgreSQL LISTEN/NOTIFY through the connection's own stream, not from a PubSub topic.
    subscribe: ({ context }: SubscribeResolverData<unknown, Record<string, never>, Context>) => {
      if (context.transport !== 'live') throw subscriptionsOverWebSocketOnly();
      return context.connection.openSubscription();
    },
  })
  loginActivity(@Root() event: LoginActivityEvent): LoginActivityEvent {
    return event;
  }
}
