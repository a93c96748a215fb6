import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { ExpressContextFunctionArgument } from '@as-integrations/express5';
import type { Logger } from 'pino';
import { clientInfo, type ClientInfo } from './auth/client-info';
import type { LastSeenRecorder } from './auth/last-seen';
import type { PasswordHasher } from './auth/passwords';
import type { LoginLookup } from './auth/login-lookup';
import { validateSession, type Session } from './auth/session';
import type { LoginThrottle } from './auth/throttle';
import type { TokenService } from './auth/tokens';
import { unavailableOr } from './db/availability';
import { invalidSession, loginRequired, subscriptionsOverWebSocketOnly } from './errors';
import type { LiveConnection } from './live/live-connection';

/** Long-lived collaborators, made once at start-up. */
export interface Services {
  readonly orm: MikroORM;
  readonly tokens: TokenService;
  readonly hasher: PasswordHasher;
  readonly throttle: LoginThrottle;
  readonly maxActiveLogins: number;
  readonly lastSeen: LastSeenRecorder;
  /** The session check's database read (see login-lookup.ts). */
  readonly findLogin: LoginLookup;
  readonly logger: Logger;
}

export interface Context {
  /** This request's own unit of work (forked when first used). */
  readonly em: EntityManager;
  readonly client: ClientInfo;
  /** Null for an anonymous request. */
  readonly session: Session | null;
  readonly services: Services;
  /** This request's logger: its lines carry the request id, and the user and operation once known. */
  readonly log: Logger;
  /** Logins created by this request (register/login): `current` for the token it returns. */
  readonly issuedLoginIds: Set<string>;
  /** The WebSocket a subscription runs on; null over HTTP. */
  readonly liveConnection: LiveConnection | null;
}

/** A unit of work forked on first use: none for operations that never touch the ORM. */
function lazyEntityManager(services: Services): () => EntityManager {
  let em: EntityManager | undefined;
  return () => (em ??= services.orm.em.fork());
}

/** Runs once per request, before any resolver: checks the session and gives the request its own EntityManager. */
export function createContextBuilder(services: Services) {
  return async ({ req }: ExpressContextFunctionArgument): Promise<Context> => {
    const now = new Date();
    // Set by the request logger (src/http/request-log.ts), which app.ts mounts ahead of GraphQL.
    const log = req.log ?? services.logger;

    let result;
    try {
      result = await validateSession(req.headers.authorization, {
        tokens: services.tokens,
        findLogin: services.findLogin,
        now,
      });
    } catch (error) {
      throw unavailableOr(error, log);
    }

    if (result.status === 'rejected') {
      log.debug({ reason: result.reason }, 'rejected session');
      throw invalidSession();
    }
    const session = result.status === 'valid' ? result.session : null;
    if (session) services.lastSeen.record(session, now);

    const em = lazyEntityManager(services);
    return {
      get em() {
        return em();
      },
      client: clientInfo(req.ip ?? req.socket.remoteAddress, req.get('user-agent')),
      session,
      services,
      log,
      issuedLoginIds: new Set(),
      liveConnection: null,
    };
  };
}

/**
 * The context of one subscription operation on a WebSocket, whose session was checked at
 * connection_init (src/live/websocket-server.ts), with the same function as an HTTP request's.
 */
export function createLiveContext(connection: LiveConnection, services: Services): Context {
  const em = lazyEntityManager(services);
  return {
    get em() {
      return em();
    },
    client: connection.client,
    session: connection.session,
    services,
    // A socket has no request line; its lines carry the session instead.
    log: services.logger.child({ userId: connection.session.user.id, loginId: connection.session.loginId }),
    issuedLoginIds: new Set(),
    liveConnection: connection,
  };
}

/** The WebSocket of a subscription, with the type saying it is there. */
export function liveConnectionOf(context: Context): LiveConnection {
  if (context.liveConnection === null) throw subscriptionsOverWebSocketOnly();
  return context.liveConnection;
}

/** The session of an `@Authorized()` operation, with the type saying it is there. */
export function sessionOf(context: Context): Session {
  if (context.session === null) throw loginRequired();
  return context.session;
}
