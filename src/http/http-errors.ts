import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { internalErrorResponse, malformedJson, payloadTooLarge, unreadableRequest, type RefusedRequest } from '../errors';

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
}

/**
 * Errors raised before GraphQL sees the request (by the JSON body parser) answered in GraphQL's
 * JSON shape, never Express' HTML page with a stack trace.
 */
export function httpErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: HttpError, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = error.status ?? error.statusCode ?? 500;
    let refused: RefusedRequest;
    if (error.type === 'entity.too.large') refused = payloadTooLarge();
    else if (error.type === 'entity.parse.failed') refused = malformedJson();
    else if (status >= 400 && status < 500) refused = unreadableRequest(status);
    else {
      logger.error({ err: error }, 'unexpected HTTP error');
      refused = internalErrorResponse();
    }
    res.status(refused.status).json(refused.body);
  };
}
