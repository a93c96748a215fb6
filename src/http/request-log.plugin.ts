import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { HttpContext } from '../resolvers/context.type';

/** graphql-js checks a name's characters, not its length: a name could fill the whole request body. */
const MAX_OPERATION_NAME_LENGTH = 100;

/** The request of each error a request met. Apollo gives the error formatter no context. */
const requestOfError = new WeakMap<object, HttpContext>();

/** The logger of the request in which `error` happened, if Apollo reported it to this plugin. */
export function requestLoggerOf(error: unknown): Logger | undefined {
  return typeof error === 'object' && error !== null ? requestOfError.get(error)?.log : undefined;
}

/**
 * Puts what only Apollo knows on the request's log line (request-log.ts): the user and login of the
 * session, the operation's name and type, and the error codes sent. They become bindings of the
 * request's logger, so later lines of the same request carry them too.
 */
export function requestLogPlugin(): ApolloServerPlugin<HttpContext> {
  return {
    async requestDidStart({ contextValue }) {
      const { requestLog: log, session } = contextValue;
      if (session) log.bind({ userId: session.user.id, loginId: session.loginId });
      return {
        async didResolveOperation({ operationName, operation }) {
          log.bind({
            operationName: operationName?.slice(0, MAX_OPERATION_NAME_LENGTH),
            operationType: operation?.operation,
          });
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) requestOfError.set(error, contextValue);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (errors) log.bind({ errorCodes: errors.map((error) => error.extensions?.['code']) });
        },
      };
    },
  };
}
