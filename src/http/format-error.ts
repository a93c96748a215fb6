import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors';

/**
 * Unexpected errors are logged in full and, outside development, reach the client as a bare
 * INTERNAL_SERVER_ERROR: no message from a driver (which may quote SQL), no stack trace.
 */
export function createErrorFormatter(options: { exposeDetails: boolean; logger: Logger }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (formatted.extensions?.['code'] !== ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
    options.logger.error({ err: unwrapResolverError(error), path: formatted.path }, 'unexpected error');
    if (options.exposeDetails) return formatted;
    return {
      message: 'Internal server error.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
