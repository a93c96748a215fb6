import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode, INTERNAL_ERROR_MESSAGE } from '../errors';
import { requestLoggerOf } from './request-log.plugin';
import { withoutVariableValues } from './variable-errors';

/** The HTTP status an error asked for (Apollo's `extensions.http`), if any. */
function requestedStatus(error: unknown): number | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const http = error.extensions['http'] as { status?: unknown } | undefined;
  return typeof http?.status === 'number' ? http.status : undefined;
}

/**
 * Unexpected errors are logged in full and, outside development, reach the client as a bare
 * INTERNAL_SERVER_ERROR: no message from a driver (which may quote SQL), no stack trace.
 * Apollo raises a few client mistakes without a code (a persisted-query hash that does not match
 * its query, say) but with a 4xx status: those are the client's, so BAD_REQUEST, message kept.
 */
export function createErrorFormatter(options: { exposeDetails: boolean; logger: Logger }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (formatted.extensions?.['code'] !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const message = withoutVariableValues(formatted.message, error);
      return message === formatted.message ? formatted : { ...formatted, message };
    }
    const original = unwrapResolverError(error);

    const status = requestedStatus(original);
    if (status !== undefined && status >= 400 && status < 500) {
      return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_REQUEST } };
    }

    // With the request's logger when there is one, so the line carries the request id.
    (requestLoggerOf(error) ?? options.logger).error({ err: original, path: formatted.path }, 'unexpected error');
    if (options.exposeDetails) return formatted;
    return {
      message: INTERNAL_ERROR_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
