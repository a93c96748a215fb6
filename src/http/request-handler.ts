import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import type { Logger } from 'pino';
import { isForwardAuthRequest } from './forward-auth';
import { requestLines, startRequestLog, type RequestLog } from './request-log';
import { REQUEST_ID_HEADER } from './request-id';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Where GraphQL is served (and subscriptions, over WebSocket). */
export const GRAPHQL_PATH = '/graphql';

/** GRAPHQL_PATH and below, in any case, as Express' `app.use('/graphql')` matched them. */
const GRAPHQL_PATHS = new RegExp(`^${GRAPHQL_PATH}(?:[/?]|$)`, 'i');

// Tokens travel in the Authorization header, never in cookies, so any origin may call.
const corsHeaders = cors({ exposedHeaders: [REQUEST_ID_HEADER] });

/** Sets the CORS headers; true when the request was a preflight, which is answered then and there. */
function answersCors(req: IncomingMessage, res: ServerResponse): boolean {
  let passedOn = false;
  corsHeaders(req, res, () => (passedOn = true));
  return !passedOn;
}

export interface RequestHandlerOptions {
  readonly logger: Logger;
  readonly graphql: (req: IncomingMessage, res: ServerResponse, log: RequestLog) => Promise<void>;
  /** /auth/session: the session check for proxies in front of other services (forward-auth.ts). */
  readonly forwardAuth: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** GET /graphql from a browser: the playground page, when it is served. */
  readonly wantsPage: (req: IncomingMessage) => boolean;
  /** Everything else: /healthz, the playground's assets, 404s (an Express app). */
  readonly otherRoutes: Handler;
}

/**
 * Every HTTP request, first: its log line and id, then GraphQL straight to Apollo (the path nearly
 * every request takes, with no framework in it), the forward-auth check, or the other routes.
 */
export function createRequestHandler({ logger, graphql, forwardAuth, wantsPage, otherRoutes }: RequestHandlerOptions): Handler {
  const lines = requestLines(logger);
  return (req, res) => {
    const log = startRequestLog(logger, lines, req, res);
    if (GRAPHQL_PATHS.test(req.url ?? '')) {
      // First, so the playground's page and preflights (OPTIONS) get CORS headers too.
      if (answersCors(req, res)) return;
      if (!wantsPage(req)) {
        void graphql(req, res, log);
        return;
      }
    }
    // Beside GraphQL on the hot path (it runs before every request of the services behind a proxy): no Express either.
    if (isForwardAuthRequest(req)) {
      void forwardAuth(req, res);
      return;
    }
    otherRoutes(req, res);
  };
}
