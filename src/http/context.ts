import type { IncomingMessage } from 'node:http';
import type { ParseOptions } from 'graphql';
import type { Logger } from 'pino';
import { clientInfo, type ClientInfo, type Locate } from '../auth/client-info';
import { endReasonOf, type Session, type Sessions } from '../auth/sessions';
import { unavailableOr } from '../db/availability';
import { ambiguousAuthorization, invalidSession } from '../errors';
import type { HttpContext } from '../resolvers/context.type';
import { authorizationHeaders } from './authorization-headers';
import type { ClientAddressOf } from './client-address';
import type { RequestLog } from './request-log';
import { isSignInOnly, type OperationRequest } from './sign-in-operation';

/**
 * A request's context. Its lazy parts are getters and methods on the prototype: Apollo copies the
 * context's own properties per operation, which would run a getter defined on the object itself.
 */
class HttpRequestContext implements HttpContext {
  readonly transport = 'http';
  readonly issuedLoginIds = new Set<string>();
  private client: ClientInfo | undefined;

  constructor(
    readonly session: Session | null,
    readonly requestLog: RequestLog,
    private readonly req: IncomingMessage,
    private readonly clientAddressOf: ClientAddressOf,
    private readonly locate: Locate,
  ) {}

  get log(): Logger {
    return this.requestLog.logger;
  }

  clientInfo(): ClientInfo {
    return (this.client ??= clientInfo(this.clientAddressOf(this.req), this.req.headers['user-agent'], this.locate));
  }
}

export interface ContextOptions {
  readonly sessions: Sessions;
  readonly parseOptions: ParseOptions;
  readonly clientAddressOf: ClientAddressOf;
  /** Where a client's address is (the offline IP database), for the logins and events it causes. */
  readonly locate: Locate;
}

export type ContextBuilder = (req: IncomingMessage, body: unknown, log: RequestLog) => Promise<HttpContext>;

/**
 * Runs once per HTTP request, before any resolver: the session check (HTTP 401 when rejected,
 * except for an operation that only signs in, which is served as anonymous).
 */
export function createContextBuilder({ sessions, parseOptions, clientAddressOf, locate }: ContextOptions): ContextBuilder {
  return async (req, body, log) => {
    const now = new Date();

    if (authorizationHeaders(req) > 1) throw ambiguousAuthorization();

    let result;
    try {
      result = await sessions.validate(req.headers.authorization, now);
    } catch (error) {
      throw unavailableOr(error, log.logger);
    }
    if (result.status === 'rejected' && isSignInOnly(body as OperationRequest | undefined, parseOptions)) {
      log.logger.debug({ reason: result.reason }, 'rejected session ignored: the operation only signs in');
      result = { status: 'anonymous' } as const;
    }
    if (result.status === 'rejected') {
      log.logger.debug({ reason: result.reason }, 'rejected session');
      const { reason, revokedReason } = endReasonOf(result);
      throw invalidSession(reason, revokedReason);
    }
    const session = result.status === 'valid' ? result.session : null;
    if (session) sessions.touch(session, now);
    return new HttpRequestContext(session, log, req, clientAddressOf, locate);
  };
}
