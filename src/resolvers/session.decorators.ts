import { createParameterDecorator } from 'type-graphql';
import type { Session } from '../auth/sessions';
import { loginRequired, subscriptionsOverWebSocketOnly } from '../errors';
import type { Context, HttpContext } from './context.type';

type CustomParameterDecorator = ReturnType<typeof createParameterDecorator>;

/**
 * The session of an `@Authorized()` operation, typed as present: the auth checker has already
 * refused the operation without one, so the throw here never fires in practice.
 */
export function CurrentSession(): CustomParameterDecorator {
  return createParameterDecorator<Context>(({ context }): Session => {
    if (context.session === null) throw loginRequired();
    return context.session;
  });
}

/** The HTTP request of a query or mutation (which the WebSocket server never runs), typed as such. */
export function HttpRequest(): CustomParameterDecorator {
  return createParameterDecorator<Context>(({ context }): HttpContext => {
    if (context.transport !== 'http') throw subscriptionsOverWebSocketOnly();
    return context;
  });
}
