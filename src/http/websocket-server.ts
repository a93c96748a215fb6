import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { clientInfo, type Locate } from '../auth/client-info';
import { endReasonOf, type SessionResult, type Sessions } from '../auth/sessions';
import type { SubscriptionConfig } from '../config';
import { isDatabaseUnavailable } from '../db/availability';
import {
  ErrorCode,
  INTERNAL_ERROR_MESSAGE,
  invalidSession,
  SERVICE_UNAVAILABLE_MESSAGE,
  subscriptionsOverWebSocketOnly,
  UnauthenticatedReason,
  unidentifiedOperation,
  withCode,
} from '../errors';
import { concurrencyLimit } from '../lib/concurrency-limit';
import { CloseCode, unauthorizedCloseReason } from '../live/close-codes';
import type { LiveConnection } from '../live/live-connection';
import type { SubscriberHub } from '../live/subscriber-hub';
import type { LiveContext } from '../resolvers/context.type';
import type { ClientAddressOf } from './client-address';
import { authorizationOf, type ConnectionParams } from './connection-params';
import { MessageMeter, type SocketMeter } from './message-meter';

export interface SubscriptionServerOptions {
  /** Where GraphQL is served over HTTP; WebSockets share it. */
  readonly path: string;
  readonly schema: GraphQLSchema;
  readonly sessions: Sessions;
  readonly hub: SubscriberHub;
  /** The same operation limits as HTTP (src/http/armor.ts). */
  readonly limits: {
    readonly validationRules: readonly ValidationRule[];
    readonly parseOptions: ParseOptions;
    /** Rewrites an error message without field suggestions, in production. */
    readonly hideSuggestions: (message: string) => string;
  };
  readonly config: Pick<SubscriptionConfig, 'initTimeoutMs' | 'maxMessageBytes' | 'socketMessages' | 'userMessages'>;
  /** The formatter of HTTP responses, so errors read the same on both transports. */
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  readonly isProduction: boolean;
  /** Where a socket's address is, for its connection's client info. */
  readonly locate: Locate;
  /** The client's address as HTTP requests read it (TRUST_PROXY): behind nginx, the socket's is nginx's. */
  readonly clientAddressOf: ClientAddressOf;
  readonly logger: Logger;
}

function liveContext(connection: LiveConnection, logger: Logger): LiveContext {
  const { session } = connection;
  return { transport: 'live', session, connection, log: logger.child({ userId: session.user.id, loginId: session.loginId }) };
}

const TOO_MANY_CONNECTIONS_REASON = 'Too many subscriptions';
/** 4401 close reasons, with the reason codes an HTTP request would get (extensions.reason). */
const LOGIN_REQUIRED_REASON = unauthorizedCloseReason({ reason: UnauthenticatedReason.LOGIN_REQUIRED, revokedReason: null });
const INVALID_TOKEN_REASON = unauthorizedCloseReason({ reason: UnauthenticatedReason.INVALID_TOKEN, revokedReason: null });
/** Why a session check refused the token, as a 4401 close reason. */
const refusalReasonOf = (result: Exclude<SessionResult, { status: 'valid' }>) =>
  result.status === 'anonymous' ? LOGIN_REQUIRED_REASON : unauthorizedCloseReason(endReasonOf(result));
const TOO_MANY_MESSAGES_REASON = 'Too many messages';

/** On shutdown, how long clients have to answer the 1001 close frame before their sockets are cut. */
const CLOSE_GRACE_MS = 3_000;

/**
 * Session checks of connection_init run a few at a time: a thousand sockets connecting at once (a
 * deploy, a network blip) would otherwise queue a thousand lookups for the database pool, ahead of
 * the HTTP requests' own session checks.
 */
const CONNECTION_CHECK_CONCURRENCY = 2;


/**
 * GraphQL subscriptions over WebSocket (graphql-transport-ws, graphql-ws + ws) on the HTTP server's
 * own port and path, as Apollo Server documents it; the returned plugin closes every socket with
 * 1001 when Apollo Server stops. Only subscriptions are served here, under the HTTP limits.
 */
export function serveSubscriptions(httpServer: http.Server, options: SubscriptionServerOptions): ApolloServerPlugin {
  const { schema, sessions, hub, limits, config, logger } = options;
  const wsServer = new WebSocketServer({ server: httpServer, path: options.path, maxPayload: config.maxMessageBytes });
  // graphql-ws hands every callback of one socket the same context object.
  const connections = new WeakMap<object, LiveConnection>();
  const checkConnection = concurrencyLimit(CONNECTION_CHECK_CONCURRENCY);
  const meter = new MessageMeter({ socket: config.socketMessages, user: config.userMessages });
  const meters = new WeakMap<WebSocket, SocketMeter>();
  const socketLogs = new WeakMap<WebSocket, Logger>();
  const signedIn = new WeakMap<WebSocket, { userId: string; loginId: string }>();

  // Registered before graphql-ws's own listeners, so each message is metered before it is handled.
  wsServer.on('connection', (socket, request) => {
    // Like a request's log line: an id per socket, who it is once connection_init is accepted (the
    // line 'websocket connected'), and how and when it ended. Never the token.
    const openedAt = performance.now();
    const socketLog = logger.child({ socketId: randomUUID() });
    socketLogs.set(socket, socketLog);
    socket.once('close', (code, reason) => {
      const { userId = null, loginId = null } = signedIn.get(socket) ?? {};
      socketLog.info(
        { code, reason: reason.toString(), userId, loginId, durationMs: Math.round(performance.now() - openedAt), remoteAddress: options.clientAddressOf(request) },
        'websocket closed',
      );
    });
    const socketMeter = meter.socket();
    meters.set(socket, socketMeter);
    let overRate = false;
    socket.on('message', () => {
      if (overRate || socketMeter.take()) return;
      overRate = true;
      socket.close(CloseCode.TooManyMessages, TOO_MANY_MESSAGES_REASON);
      // Handle nothing more from it: what it sent after this message (much of it may already be read
      // from the network) goes unparsed by graphql-ws, and nothing more is read; a client that
      // ignores the close frame is cut after the grace.
      socket.removeAllListeners('message');
      socket.pause();
      setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
    });
    socket.once('close', () => socketMeter.closed());
  });

  const refuse = (socket: WebSocket, code: CloseCode, reason: string): false => {
    socket.close(code, reason);
    // graphql-ws would then close with 4403; the socket is already closing, so that is a no-op.
    return false;
  };

  const formatErrors = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => {
      const json = error.toJSON();
      // Apollo drops `extensions.http` and defaults the code; graphql-ws does neither.
      const { http: _http, ...extensions } = json.extensions ?? {};
      const formatted = options.formatError(
        { ...json, extensions: { ...extensions, code: extensions['code'] ?? ErrorCode.INTERNAL_SERVER_ERROR } },
        error,
      );
      return { ...formatted, message: limits.hideSuggestions(formatted.message) };
    });

  const checkDocument = (query: string, operationName: string | null | undefined): DocumentNode | GraphQLError[] => {
    let document: DocumentNode;
    try {
      document = parse(query, limits.parseOptions);
    } catch (error) {
      if (error instanceof GraphQLError) return [withCode(error, ErrorCode.GRAPHQL_PARSE_FAILED)];
      throw error;
    }
    const operation = getOperationAST(document, operationName);
    if (!operation) return [unidentifiedOperation()];
    if (operation.operation !== 'subscription') return [subscriptionsOverWebSocketOnly()];
    const errors = validate(schema, document, [...specifiedRules, ...limits.validationRules]);
    if (errors.length > 0) return errors.map((error) => withCode(error, ErrorCode.GRAPHQL_VALIDATION_FAILED));
    return document;
  };

  const disposable = useServer<ConnectionParams>(
    {
      schema,
      isProd: options.isProduction,
      connectionInitWaitTimeout: config.initTimeoutMs,

      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        const log = socketLogs.get(socket) ?? logger;
        const authorization = authorizationOf(ctx.connectionParams);
        // Missing is refused too: loginActivity, the only subscription, needs a user.
        if (authorization === null) {
          return refuse(socket, CloseCode.Unauthorized, LOGIN_REQUIRED_REASON);
        }
        let now = new Date();
        // The cap per user holds before the session check, on the token's verified claims (no database):
        // a flood of connection_inits with one token is refused at once instead of queueing checks.
        const claims = sessions.claims(authorization, now);
        if (claims === null) {
          log.debug({ reason: 'invalid-token' }, 'rejected subscription session');
          return refuse(socket, CloseCode.Unauthorized, INVALID_TOKEN_REASON);
        }
        const release = hub.reserve(claims.sub);
        if (release === null) return refuse(socket, CloseCode.TooManyConnections, TOO_MANY_CONNECTIONS_REASON);
        let result: SessionResult;
        try {
          result = await checkConnection(() => sessions.validate(authorization, now));
        } catch (error) {
          release();
          if (isDatabaseUnavailable(error)) {
            log.warn({ err: error }, 'database unavailable at connection_init');
            return refuse(socket, CloseCode.TryAgainLater, SERVICE_UNAVAILABLE_MESSAGE);
          }
          log.error({ err: error }, 'unexpected error at connection_init');
          return refuse(socket, CloseCode.InternalServerError, INTERNAL_ERROR_MESSAGE);
        }
        release();
        if (result.status !== 'valid') {
          log.debug({ reason: result.status === 'rejected' ? result.reason : 'anonymous' }, 'rejected subscription session');
          return refuse(socket, CloseCode.Unauthorized, refusalReasonOf(result));
        }
        // The client may have gone while its session was checked: nothing to register then.
        if (socket.readyState !== WebSocket.OPEN) return false;

        // The address only ever reaches a new login, and logins are not made over WebSocket.
        const client = clientInfo(options.clientAddressOf(request), request.headers['user-agent'], options.locate);
        let outcome = hub.connect(result.session, authorization, client, socket, now.getTime());
        if (outcome.status === 'revoked') {
          // A REVOKED notice for this login came in during the check: the database decides, once more.
          now = new Date();
          let again: SessionResult;
          try {
            again = await checkConnection(() => sessions.validate(authorization, now));
          } catch (error) {
            log.warn({ err: error }, 'could not check a subscription session again');
            return refuse(socket, CloseCode.TryAgainLater, SERVICE_UNAVAILABLE_MESSAGE);
          }
          if (again.status !== 'valid') return refuse(socket, CloseCode.Unauthorized, refusalReasonOf(again));
          if (socket.readyState !== WebSocket.OPEN) return false;
          result = again;
          outcome = hub.connect(again.session, authorization, client, socket, now.getTime());
        }
        if (outcome.status === 'too-many-connections') return refuse(socket, CloseCode.TooManyConnections, TOO_MANY_CONNECTIONS_REASON);
        // A REVOKED notice for it came in during the second check too: refused, without a reason the check did not confirm.
        if (outcome.status === 'revoked') return refuse(socket, CloseCode.Unauthorized, unauthorizedCloseReason(null));
        connections.set(ctx, outcome.connection);
        meters.get(socket)?.signedIn(result.session.user.id);
        signedIn.set(socket, { userId: result.session.user.id, loginId: result.session.loginId });
        log.info(
          { userId: result.session.user.id, loginId: result.session.loginId, remoteAddress: options.clientAddressOf(request) },
          'websocket connected',
        );
        sessions.touch(result.session, now);
        return true;
      },

      onSubscribe(ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] {
        const connection = connections.get(ctx);
        // graphql-ws only accepts a subscribe after onConnect said yes, which registered the connection.
        if (!connection) return [invalidSession()];
        const document = checkDocument(payload.query, payload.operationName);
        if (Array.isArray(document)) return document;
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: liveContext(connection, socketLogs.get(ctx.extra.socket) ?? logger),
        };
      },

      onNext(_ctx, _id, _payload, _args, result) {
        if (result.errors) return { ...result, errors: formatErrors(result.errors) };
        return undefined;
      },

      onError(_ctx, _id, _payload, errors) {
        return formatErrors(errors);
      },

      onClose(ctx) {
        const connection = connections.get(ctx);
        if (connection) hub.disconnect(connection);
      },
    },
    wsServer,
  );

  return {
    async serverWillStart() {
      return {
        async drainServer() {
          // dispose() closes every socket with 1001 and waits for each to finish closing; a client that
          // never answers would hold shutdown for ws' own 30 s, so it is cut sooner.
          const cutStragglers = setTimeout(() => {
            for (const socket of wsServer.clients) socket.terminate();
          }, CLOSE_GRACE_MS);
          try {
            await disposable.dispose();
          } finally {
            clearTimeout(cutStragglers);
          }
        },
      };
    },
  };
}
