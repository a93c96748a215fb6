import type { Request, Response } from 'express';
import type { LevelWithSilent, Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestId } from './request-id';

/** Without the query string: GET /graphql?query=…&variables=… would put a request's variables in the log. */
function pathOf(req: Request): string {
  const url = req.originalUrl;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function levelOf(req: Request, res: Response, error?: Error): LevelWithSilent {
  if (error || res.statusCode >= 500) return 'error';
  // Many 429s mean someone is guessing passwords.
  if (res.statusCode === 429) return 'warn';
  // A load balancer probes every few seconds; only a failing probe is news at the default level.
  if (res.statusCode < 400 && pathOf(req) === '/healthz') return 'debug';
  return 'info';
}

/**
 * The request line's own fields. Apollo's plugin (request-log.plugin.ts) adds the operation and the
 * user as bindings of the request's logger; headers, bodies and variables are never logged.
 */
function requestLine(req: Request, res: Response, durationMs: number) {
  return { method: req.method, path: pathOf(req), status: res.statusCode, durationMs };
}

/**
 * One log line per HTTP request, when its response is sent (or the client goes away). Gives each
 * request an id (see request-id.ts) and `req.log`, a child logger bound to it, which everything else
 * in the request logs through.
 */
export function requestLogger(logger: Logger) {
  return pinoHttp<Request, Response>({
    logger,
    genReqId: requestId,
    // req.log is bound to the request id only, and the line is requestLine below: no serialized
    // request or response object (with its headers, Authorization among them) ever reaches the log.
    quietReqLogger: true,
    quietResLogger: true,
    // pino-http's wrapped serializers would replace the logger's own `err` serializer, which keeps
    // SQL (and the values in it) out of the log: see logger.ts.
    wrapSerializers: false,
    // pino-http still binds the request to a logger it does not use here: keep that cheap and harmless.
    serializers: { req: (req: Request) => ({ method: req.method, path: pathOf(req) }) },
    customLogLevel: levelOf,
    customSuccessObject: (req, res, { responseTime }: { responseTime: number }) => requestLine(req, res, responseTime),
    // A 5xx's cause is logged where it happened (error formatter, HTTP error handler, database checks).
    customErrorObject: (req, res, _error, { responseTime }: { responseTime: number }) => requestLine(req, res, responseTime),
    customErrorMessage: () => 'request failed',
  });
}
