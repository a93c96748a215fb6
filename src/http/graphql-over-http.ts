import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import { internalErrorResponse } from '../errors';
import type { HttpContext } from '../resolvers/context.type';
import type { ContextBuilder } from './context';
import { refusedRequestFor, sendRefusal, type HttpError } from './http-errors';
import type { RequestLog } from './request-log';
import { searchOf } from './request-target';

export type BodyReader = (req: IncomingMessage, res: ServerResponse) => Promise<unknown>;

function headersOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * GraphQL over HTTP: Apollo Server's request pipeline, called directly on Node's request and
 * response, as Apollo's own integrations do, without a framework's per-request layers between
 * them. The body is read first; the context (the session check) is built by Apollo, which turns a
 * refusal thrown there (401, 503) into its answer.
 */
export function graphqlOverHttp(apollo: ApolloServer<HttpContext>, readBody: BodyReader, buildContext: ContextBuilder) {
  return async (req: IncomingMessage, res: ServerResponse, log: RequestLog): Promise<void> => {
    let body: unknown;
    try {
      body = await readBody(req, res);
    } catch (error) {
      sendRefusal(res, refusedRequestFor(error as HttpError, log.logger));
      return;
    }
    // The client went away while sending: nothing it asked for is done.
    if (res.destroyed) return;

    try {
      const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method?.toUpperCase() ?? 'GET', headers: headersOf(req), search: searchOf(req.url), body };
      const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => buildContext(req, body, log) });
      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.setHeader('content-length', Buffer.byteLength(response.body.string));
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      log.logger.error({ err: error }, 'unexpected HTTP error');
      if (res.headersSent) res.destroy();
      else sendRefusal(res, internalErrorResponse());
    }
  };
}
