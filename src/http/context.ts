import type { ExpressContextFunctionArgument } from '@as-integrations/express5';
import type { ParseOptions } from 'graphql';
import type { Logger } from 'pino';
import { clientInfo } from '../auth/client-info';
import { endReasonOf, type Sessions } from '../auth/sessions';
import { unavailableOr } from '../db/availability';
import { ambiguousAuthorization, invalidSession } from '../errors';
import type { HttpContext } from '../resolvers/context.type';
import { clientAddress } from './client-address';
import { isSignInOnly } from './sign-in-operation';

/**
 * Runs once per HTTP request, before any resolver: the session check (HTTP 401 when rejected,
 * except for an operation that only signs in, which is served as anonymous).
 */
export function createContextBuilder(sessions: Sessions, logger: Logger, parseOptions: ParseOptions) {
  return async ({ req }: ExpressContextFunctionArgument): Promise<HttpContext> => {
    const now = new Date();
    // Set by the request logger (src/http/request-log.ts), which app.ts mounts ahead of GraphQL.
    const log = req.log ?? logger;

    // Node keeps only the first of several Authorization headers; a proxy in front may use another.
    if ((req.headersDistinct['authorization']?.length ?? 0) > 1) throw ambiguousAuthorization();

    let result;
    try {
      result = await sessions.validate(req.headers.authorization, now);
    } catch (error) {
      throw unavailableOr(error, log);
    }
    if (result.status === 'rejected' && isSignInOnly(req.body as Record<string, unknown> | undefined, parseOptions)) {
      log.debug({ reason: result.reason }, 'rejected session ignored: the operation only signs in');
      result = { status: 'anonymous' } as const;
    }
    if (result.status === 'rejected') {
      log.debug({ reason: result.reason }, 'rejected session');
      const { reason, revokedReason } = endReasonOf(result);
      throw invalidSession(reason, revokedReason);
    }
    const session = result.status === 'valid' ? result.session : null;
    if (session) sessions.touch(session, now);

    return {
      transport: 'http',
      session,
      client: clientInfo(clientAddress(req), req.get('user-agent')),
      log,
      issuedLoginIds: new Set(),
    };
  };
}
