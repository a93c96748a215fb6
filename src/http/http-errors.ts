import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { internalErrorResponse, malformedJson, payloadTooLarge, unreadableRequest, type RefusedRequest } from '../errors';

/** What body-parser (and this project's own JSON body reader, json-body.ts) throws. */
export interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
}

/** The answer, in GraphQL's JSON shape, to an error raised before GraphQL saw the request. */
export function refusedRequestFor(error: HttpError, logger: Logger): RefusedRequest {
  const status = error.status ?? error.statusCode ?? 500;
  if (error.type === 'entity.too.large') return payloadTooLarge();
  if (error.type === 'entity.parse.failed') return malformedJson();
  if (status >= 400 && status < 500) return unreadableRequest(status);
  logger.error({ err: error }, 'unexpected HTTP error');
  return internalErrorResponse();
}

export function sendRefusal(res: ServerResponse, { status, body }: RefusedRequest): void {
  const json = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(json));
  res.end(json);
}

/** The same answers from the Express routes beside GraphQL: never Express' HTML page with a stack trace. */
export function httpErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: HttpError, _req, res, next) => {
    if (res.headersSent) return next(error);
    sendRefusal(res, refusedRequestFor(error, logger));
  };
}
