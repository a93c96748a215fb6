import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import { createOrmConfig } from '../mikro-orm.config';
import { createAccounts } from './auth/accounts';
import { BcryptQueue } from './auth/bcrypt-queue';
import { startHistoryPruning } from './auth/history-pruning';
import { startIdleSweep } from './auth/idle-sweep';
import { idleTimeout } from './auth/idle-timeout';
import { createNewDeviceAlerts, NEW_DEVICE_ALERT_JOB, parseNewDeviceAlertJob } from './auth/new-device-alerts';
import { createSecurityEvents } from './auth/security-events';
import { createLogins } from './auth/logins';
import { createPasswordHasher } from './auth/passwords';
import { createSessionStore } from './auth/session-store';
import { createSessions } from './auth/sessions';
import { LoginThrottle } from './auth/throttle';
import { createTokenService } from './auth/tokens';
import type { Config } from './config';
import { openDatabase } from './db/database';
import { nativePool, withPooledConnection } from './db/pooled-connection';
import { openIpLocations } from './geo/ip-locations';
import { addJobInTransaction, MAIL_MAX_ATTEMPTS, startJobQueue } from './jobs/job-queue';
import { createMailer, MailDeliveryError } from './mail/mailer';
import { newDeviceAlertMail } from './mail/new-device-alert-mail';
import { operationLimits } from './http/armor';
import { clientAddressFrom } from './http/client-address';
import { createContextBuilder } from './http/context';
import { createErrorFormatter } from './http/format-error';
import { drainHttpServerPlugin, trackRequests } from './http/graceful-shutdown';
import { healthHandler } from './http/health';
import { httpErrorHandler } from './http/http-errors';
import { graphqlOverHttp } from './http/graphql-over-http';
import { jsonBodyReader } from './http/json-body';
import { notMeRoutes } from './http/not-me-routes';
import { playgroundRoutes, wantsPlayground } from './http/playground';
import { createRequestHandler, GRAPHQL_PATH } from './http/request-handler';
import { requestLogPlugin } from './http/request-log.plugin';
import { subscriptionsOverHttpRefused } from './http/subscriptions-over-http';
import { uncachedResponses } from './http/uncached-responses';
import { serveSubscriptions } from './http/websocket-server';
import { REQUEST_BODY_LIMIT_BYTES } from './limits';
import { startLiveActivity, type LiveActivityStatus } from './live/live-activity';
import { createLogger, type Logger } from './logger';
import type { HttpContext } from './resolvers/context.type';
import { buildAppSchema } from './schema';

export interface RunningServer {
  /** Where GraphQL is served, e.g. http://127.0.0.1:4000/graphql */
  readonly url: string;
  readonly orm: MikroORM;
  /** Live login activity on this instance: the LISTEN connection's state, open sockets and subscriptions. */
  liveStatus(): LiveActivityStatus;
  /**
   * Stops accepting, closes subscription sockets with 1001, finishes in-flight requests, then closes
   * the database. Safe to call twice.
   */
  stop(): Promise<void>;
}

/** How long a stopping server waits for in-flight requests before cutting their connections. */
const SHUTDOWN_GRACE_MS = 20_000;

function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf({ address, family, port }: AddressInfo): string {
  const host = family === 'IPv6' ? `[${address}]` : address;
  return `http://${host}:${port}${GRAPHQL_PATH}`;
}

/** Any fixed number: the advisory lock every instance takes to run migrations one at a time. */
const MIGRATION_LOCK = 4_242_001;

/**
 * Instances started together on a new database would otherwise run the same migrations at once,
 * and all but one would fail. The lock is held on a connection of its own while the migrator runs.
 */
async function migrateExclusively(orm: MikroORM) {
  return withPooledConnection(await nativePool(orm), async (connection) => {
    await connection.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      return await orm.migrator.up();
    } finally {
      await connection.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  });
}

/** Starts the whole server: database (embedded if no DATABASE_URL), migrations, GraphQL over HTTP. */
export async function bootstrap(config: Config, logger: Logger = createLogger(config)): Promise<RunningServer> {
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };

  try {
    const database = await openDatabase(config.database, logger);
    cleanups.push(() => database.stop());

    const orm = await MikroORM.init(
      createOrmConfig(database.url, {
        warn: (message) => logger.warn({ database: message }, 'database driver'),
        error: (message) => logger.error({ database: message }, 'database driver'),
      }),
    );
    cleanups.push(() => orm.close());
    const applied = await migrateExclusively(orm);
    if (applied.length > 0) logger.info({ migrations: applied.map((migration) => migration.name) }, 'applied database migrations');

    const hasher = createPasswordHasher(config.bcryptCost, config.bcryptWorkers);
    cleanups.push(() => hasher.close());

    // The domain services, each built once and handed to whoever calls it.
    const pool = await nativePool(orm);
    const idle = idleTimeout(config.sessionIdleTimeoutSeconds);
    const locations = await openIpLocations(config.geoipDatabase);
    const locate = (ipAddress: string) => locations.locate(ipAddress);
    const events = createSecurityEvents(orm);
    const logins = createLogins(orm, { maxActiveLogins: config.maxActiveLogins, events });
    const mailer = createMailer(config.mail, logger);
    if (config.mail.kind === 'off' && config.mail.reason === 'no-smtp-in-production') {
      logger.warn('SMTP_URL is not set: new-sign-in emails are off (set SMTP_URL, or NEW_DEVICE_ALERTS=false to silence this)');
    }
    const alerts = createNewDeviceAlerts({
      orm,
      logins,
      events,
      enqueue: mailer
        ? async (tx, task, payload) => {
            await addJobInTransaction(tx, task, payload, { maxAttempts: MAIL_MAX_ATTEMPTS });
          }
        : null,
      historyRetentionSeconds: config.historyRetentionSeconds,
    });
    const sessions = createSessions({
      tokens: createTokenService(config.jwt),
      store: createSessionStore(pool),
      idle: { timeout: idle, revoke: logins.revokeIdle },
      onTouchError: (error) => logger.warn({ err: error }, 'could not record lastSeenAt'),
    });
    cleanups.push(() => sessions.flush());
    const pruning = startHistoryPruning({ logins, retentionSeconds: config.historyRetentionSeconds, logger });
    cleanups.push(() => pruning.stop());
    const idleSweep = startIdleSweep({ logins, idle, logger });
    if (idleSweep) cleanups.push(() => idleSweep.stop());
    const accounts = createAccounts({
      orm,
      hasher,
      bcryptQueue: new BcryptQueue(config.bcryptQueue),
      throttle: new LoginThrottle(pool, config.rateLimits),
      sessions,
      logins,
      events,
      alerts,
      onRehashError: (error) => logger.warn({ err: error }, 'could not rehash a password at BCRYPT_COST'),
    });

    const live = await startLiveActivity({
      listenUrl: config.subscriptions.listenDatabaseUrl ?? database.url,
      sessions,
      logins,
      config: config.subscriptions,
      logger,
    });
    cleanups.push(() => live.stop());

    const httpServer = http.createServer();
    const clientAddressOf = clientAddressFrom(config.trustProxy);
    const schema = await buildAppSchema({ accounts, logins, idle, events, alerts });
    const limits = operationLimits({ hideFieldSuggestions: config.nodeEnv === 'production' });
    const formatError = createErrorFormatter({ exposeDetails: config.nodeEnv === 'development', logger });
    const requests = trackRequests(httpServer);
    const apollo = new ApolloServer<HttpContext>({
      schema,
      validationRules: limits.validationRules,
      parseOptions: limits.parseOptions,
      introspection: true,
      // src/server.ts owns the signals, so shutdown runs in order: drains, live activity, ORM, embedded database.
      stopOnTerminationSignals: false,
      includeStacktraceInErrorResponses: config.nodeEnv === 'development',
      formatError,
      plugins: [
        ...limits.plugins,
        requestLogPlugin(),
        // The playground (src/http/playground.ts) replaces Apollo's landing page, which loads from a CDN.
        ApolloServerPluginLandingPageDisabled(),
        ApolloServerPluginCacheControlDisabled(),
        uncachedResponses,
        subscriptionsOverHttpRefused,
        // Both drains run when Apollo stops, while it still serves requests: in-flight HTTP requests
        // finish, and subscription sockets are closed with 1001 (the HTTP drain leaves them to it).
        drainHttpServerPlugin(requests, SHUTDOWN_GRACE_MS),
        serveSubscriptions(httpServer, {
          path: GRAPHQL_PATH,
          schema,
          sessions,
          hub: live.hub,
          limits,
          config: config.subscriptions,
          formatError,
          isProduction: config.nodeEnv === 'production',
          locate,
          logger,
        }),
      ],
    });
    await apollo.start();
    cleanups.push(() => apollo.stop());

    // The routes beside GraphQL, none of them on the hot path: Express keeps them short.
    const otherRoutes = express();
    otherRoutes.disable('x-powered-by');
    // As when Express served everything: no ETag hashing of each answer.
    otherRoutes.set('etag', false);
    otherRoutes.get('/healthz', healthHandler(orm, () => live.status().events));
    otherRoutes.use(notMeRoutes(alerts, clientAddressOf, locate));
    if (config.playground) otherRoutes.use(playgroundRoutes({ logger }));
    otherRoutes.use(httpErrorHandler(logger));

    const buildContext = createContextBuilder({ sessions, parseOptions: limits.parseOptions, clientAddressOf, locate });
    httpServer.on(
      'request',
      createRequestHandler({
        logger,
        graphql: graphqlOverHttp(apollo, jsonBodyReader(REQUEST_BODY_LIMIT_BYTES), buildContext),
        // A browser's GET /graphql gets the playground page, anything else is GraphQL.
        wantsPage: config.playground ? wantsPlayground : () => false,
        otherRoutes,
      }),
    );

    const url = urlOf(await listen(httpServer, config.port, config.host));

    // After listening, so that links in emails know this server's address when PUBLIC_URL is unset.
    if (mailer) {
      const publicUrl = config.publicUrl ?? new URL(url).origin;
      const queue = await startJobQueue({
        connectionString: database.url,
        logger,
        tasks: {
          // The job's signal reaches the send: a stopping server cancels a delivery stalled on SMTP 5 s
          // in (the job is failed and retried soon), instead of waiting up to nodemailer's 30 s socket
          // timeout, past which a process manager may kill it and leave the job locked for 4 hours.
          [NEW_DEVICE_ALERT_JOB]: (payload: unknown, job) =>
            alerts
              .deliver(parseNewDeviceAlertJob(payload), (alert) => mailer.send(newDeviceAlertMail(alert), { signal: job.signal }), publicUrl, new Date())
              .catch((error: unknown) => {
                // The SMTP server refused this message for good (a 5xx about it): retrying for days changes nothing.
                if (!(error instanceof MailDeliveryError && error.permanent)) throw error;
                job.log.error({ err: error }, 'new-sign-in email refused for good by the SMTP server; not retried');
              }),
        },
      });
      cleanups.push(async () => {
        await queue.stop();
        mailer.close();
      });
    }
    let stopping: Promise<void> | undefined;
    return { url, orm, liveStatus: () => live.status(), stop: () => (stopping ??= cleanUp()) };
  } catch (error) {
    await cleanUp().catch((cleanupError) => logger.error({ err: cleanupError }, 'cleanup after failed start'));
    throw error;
  }
}
