import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
}

function body(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}

/**
 * Errors raised before GraphQL sees the request (by the JSON body parser) answered in GraphQL's
 * JSON shape, never Express' HTML page with a stack trace.
 */
export function httpErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: HttpError, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = error.status ?? error.statusCode ?? 500;
    if (error.type === 'entity.too.large') {
      res.status(413).json(body('The request body is larger than 1 MB.', 'PAYLOAD_TOO_LARGE'));
    } else if (error.type === 'entity.parse.failed') {
      res.status(400).json(body('The request body is not valid JSON.', 'BAD_REQUEST'));
    } else if (status >= 400 && status < 500) {
      res.status(status).json(body('The request could not be read.', 'BAD_REQUEST'));
    } else {
      logger.error({ err: error }, 'unexpected HTTP error');
      res.status(500).json(body('Internal server error.', 'INTERNAL_SERVER_ERROR'));
    }
  };
}
