import type { ExpressContextFunctionArgument } from '@as-integrations/express5';
import type { Logger } from 'pino';
import { clientInfo } from '../auth/client-info';
import { endReasonOf, type Sessions } from '../auth/sessions';
import { unavailableOr } from '../db/availability';
import { invalidSession } from '../errors';
import type { HttpContext } from '../resolvers/context.type';

/** Runs once per HTTP request, before any resolver: the session check (HTTP 401 when rejected). */
export function createContextBuilder(sessions: Sessions, logger: Logger) {
  return async ({ req }: ExpressContextFunctionArgument): Promise<HttpContext> => {
    const now = new Date();
    // Set by the request logger (src/http/request-log.ts), which app.ts mounts ahead of GraphQL.
    const log = req.log ?? logger;

    let result;
    try {
      result = await sessions.validate(req.headers.authorization, now);
    } catch (error) {
      throw unavailableOr(error, log);
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
      client: clientInfo(req.ip ?? req.socket.remoteAddress, req.get('user-agent')),
      log,
      issuedLoginIds: new Set(),
    };
  };
}
