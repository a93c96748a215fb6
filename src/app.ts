import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import type { Pool } from 'pg';
import { createOrmConfig, type DriverLog } from '../mikro-orm.config';
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
import { loadSigningKeys } from './auth/signing-keys';
import { createTokenService } from './auth/tokens';
import { createUsers } from './auth/users';
import type { Config } from './config';
import { openDatabase, type Database } from './db/database';
import { migrateExclusively } from './db/migrate';
import { nativePool } from './db/pooled-connection';
import { withUnnamedStatements } from './db/unnamed-statements';
import { openIpLocations } from './geo/ip-locations';
import { addJobInTransaction, installJobSchema, MAIL_MAX_ATTEMPTS, startJobQueue, WEBHOOK_MAX_ATTEMPTS, type JobTask } from './jobs/job-queue';
import { countQueueJobs } from './jobs/queue-counts';
import { createMailer, MailDeliveryError } from './mail/mailer';
import { newDeviceAlertMail } from './mail/new-device-alert-mail';
import { operationLimits } from './http/armor';
import { clientAddressFrom } from './http/client-address';
import { createContextBuilder } from './http/context';
import { createErrorFormatter } from './http/format-error';
import { forwardAuthHandler } from './http/forward-auth';
import { drainHttpServerPlugin, trackRequests } from './http/graceful-shutdown';
import { healthHandler } from './http/health';
import { jwksRoutes } from './http/jwks';
import { httpErrorHandler } from './http/http-errors';
import { graphqlOverHttp } from './http/graphql-over-http';
import { jsonBodyReader } from './http/json-body';
import { startMetricsServer } from './http/metrics-server';
import { notMeRoutes } from './http/not-me-routes';
import { playgroundRoutes, wantsPlayground } from './http/playground';
import { createPrometheusMetrics } from './http/prometheus-metrics';
import { createRequestHandler, GRAPHQL_PATH } from './http/request-handler';
import { requestLogPlugin } from './http/request-log.plugin';
import { subscriptionsOverHttpRefused } from './http/subscriptions-over-http';
import { uncachedResponses } from './http/uncached-responses';
import { serveSubscriptions } from './http/websocket-server';
import { DATABASE_TIMEOUTS_MS, REQUEST_BODY_LIMIT_BYTES } from './limits';
import { startLiveActivity, type LiveActivityStatus } from './live/live-activity';
import { sleep } from './lib/timers';
import { createLogger, type Logger } from './logger';
import { NO_METRICS } from './metrics';
import type { HttpContext } from './resolvers/context.type';
import { buildAppSchema } from './schema';
import { deliverWebhook } from './webhooks/delivery';
import { parseWebhookJob, WEBHOOK_JOB, webhookJobOf } from './webhooks/webhook-message';

export interface RunningServer {
  /** Where GraphQL is served, e.g. http://127.0.0.1:4000/graphql */
  readonly url: string;
  readonly orm: MikroORM;
  /** Live login activity on this instance: the LISTEN connection's state, open sockets and subscriptions. */
  liveStatus(): LiveActivityStatus;
  /** Where Prometheus scrapes this instance (METRICS_PORT), e.g. http://127.0.0.1:9464/metrics; null without METRICS_PORT. */
  readonly metricsUrl: string | null;
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

/**
 * Migrations hold a session-level advisory lock (src/db/migrate.ts), which a transaction pooler would
 * take and release on different server connections: they run where session state holds
 * (`directUrl`), on an ORM of their own when that is not the server's pool.
 */
async function migrate(database: Database, orm: MikroORM, driverLog: DriverLog) {
  if (database.directUrl === database.url) return migrateExclusively(orm);
  const direct = await MikroORM.init(createOrmConfig(database.directUrl, driverLog));
  try {
    return await migrateExclusively(direct);
  } finally {
    await direct.close();
  }
}

/**
 * Behind a transaction pooler the server cannot set `statement_timeout` itself (it is a startup
 * parameter the pooler refuses): the pooler's server connections must (deploy/pgbouncer.ini's
 * `connect_query`). Without one, a stuck query holds a pooled server connection for as long as it runs: say so.
 */
async function warnWithoutStatementTimeout(pool: Pool, logger: Logger): Promise<void> {
  const { rows } = await pool.query<{ statement_timeout: string }>('show statement_timeout');
  if (rows[0]?.statement_timeout === '0') {
    logger.warn(
      `statement_timeout is off on the pooler's connections: set it there (PgBouncer: connect_query='SET statement_timeout = ${DATABASE_TIMEOUTS_MS.query}') so a stuck query cannot hold a server connection for long`,
    );
  }
}

/** Starts the whole server: database (embedded if no DATABASE_URL), migrations, GraphQL over HTTP. */
export async function bootstrap(config: Config, logger: Logger = createLogger(config)): Promise<RunningServer> {
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };

  let shuttingDown = false;
  try {
    const database = await openDatabase(config.database, logger);
    cleanups.push(() => database.stop());

    const driverLog: DriverLog = {
      warn: (message) => logger.warn({ database: message }, 'database driver'),
      error: (message) => logger.error({ database: message }, 'database driver'),
    };
    const orm = await MikroORM.init(createOrmConfig(database.url, driverLog, { pooler: database.pooler }));
    cleanups.push(() => orm.close());
    const applied = await migrate(database, orm, driverLog);
    if (applied.length > 0) logger.info({ migrations: applied.map((migration) => migration.name) }, 'applied database migrations');

    const hasher = createPasswordHasher(config.bcryptCost, config.bcryptWorkers);
    cleanups.push(() => hasher.close());

    // The domain services, each built once and handed to whoever calls it.
    // Every raw statement (the session check, the rate limiter, the queue counts) goes through this pool.
    const pool = database.pooler === 'transaction' ? withUnnamedStatements(await nativePool(orm)) : await nativePool(orm);
    if (database.pooler === 'transaction') await warnWithoutStatementTimeout(pool, logger);
    // METRICS_PORT: one meter for the services that count. The gauges are read at each scrape, once
    // the metrics server is up at the end of the start, when `live` exists.
    const metrics = config.metrics
      ? createPrometheusMetrics({ subscriptions: () => live.status().subscriptions, queueJobs: () => countQueueJobs(pool) }, logger)
      : null;
    const meter = metrics?.meter ?? NO_METRICS;
    const idle = idleTimeout(config.sessionIdleTimeoutSeconds);
    const locations = await openIpLocations(config.geoipDatabase);
    const locate = (ipAddress: string) => locations.locate(ipAddress);
    const webhooks = config.webhooks;
    const events = createSecurityEvents(orm, {
      // Each event's webhook is queued in the event's own transaction: it goes out only if that commits.
      onNotice: webhooks
        ? async (tx, notices) => {
            for (const notice of notices) await addJobInTransaction(tx, WEBHOOK_JOB, webhookJobOf(notice), { maxAttempts: WEBHOOK_MAX_ATTEMPTS });
          }
        : null,
    });
    const logins = createLogins(orm, { maxActiveLogins: config.maxActiveLogins, events, meter });
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
    // ES256: the keys sign tokens and are listed at /.well-known/jwks.json.
    const signing =
      config.jwt.algorithm === 'ES256'
        ? { algorithm: 'ES256' as const, keys: await loadSigningKeys(config.jwt, logger), ttlSeconds: config.jwt.ttlSeconds }
        : config.jwt;
    const sessions = createSessions({
      tokens: createTokenService(signing),
      store: createSessionStore(pool),
      idle: { timeout: idle, revoke: logins.revokeIdle },
      onTouchError: (error) => logger.warn({ err: error }, 'could not record lastSeenAt'),
      meter,
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
      meter,
    });

    const live = await startLiveActivity({
      listenUrl: config.subscriptions.listenDatabaseUrl ?? database.directUrl,
      sessions,
      logins,
      config: config.subscriptions,
      logger,
    });
    cleanups.push(() => live.stop());

    const httpServer = http.createServer({ keepAliveTimeout: config.keepAliveTimeoutMs });
    const clientAddressOf = clientAddressFrom(config.trustProxy);
    const schema = await buildAppSchema({ accounts, logins, idle, events, alerts, users: createUsers(orm) });
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
          clientAddressOf,
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
    otherRoutes.get('/healthz', healthHandler(orm, () => live.status().events, () => shuttingDown));
    if (signing.algorithm === 'ES256') otherRoutes.use(jwksRoutes(signing.keys));
    otherRoutes.use(notMeRoutes(alerts, clientAddressOf, locate));
    if (config.playground) otherRoutes.use(playgroundRoutes({ logger }));
    otherRoutes.use(httpErrorHandler(logger));

    const buildContext = createContextBuilder({ sessions, parseOptions: limits.parseOptions, clientAddressOf, locate });
    httpServer.on(
      'request',
      createRequestHandler({
        logger,
        graphql: graphqlOverHttp(apollo, jsonBodyReader(REQUEST_BODY_LIMIT_BYTES), buildContext),
        forwardAuth: forwardAuthHandler(sessions, logger),
        // A browser's GET /graphql gets the playground page, anything else is GraphQL.
        wantsPage: config.playground ? wantsPlayground : () => false,
        otherRoutes,
      }),
    );

    const url = urlOf(await listen(httpServer, config.port, config.host));

    if ((mailer || webhooks) && !config.jobWorker) {
      // JOB_WORKER=false: jobs are added here and delivered by the instances that run the worker.
      await installJobSchema(database.directUrl, logger);
    }
    // After listening, so that links in emails know this server's address when PUBLIC_URL is unset.
    if ((mailer || webhooks) && config.jobWorker) {
      const publicUrl = config.publicUrl ?? new URL(url).origin;
      const tasks: Record<string, JobTask> = {};
      if (webhooks) tasks[WEBHOOK_JOB] = (payload, job) => deliverWebhook(webhooks, parseWebhookJob(payload), { signal: job.signal });
      if (mailer) {
        Object.assign(tasks, {
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
        } satisfies Record<string, JobTask>);
      }
      // graphile-worker LISTENs and takes session locks: straight to PostgreSQL, past any transaction pooler.
      const queue = await startJobQueue({ connectionString: database.directUrl, logger, tasks });
      cleanups.push(async () => {
        await queue.stop();
        mailer?.close();
      });
    }
    // Last, so a scrape finds the whole server up; the cleanups run in reverse, so it closes first.
    const metricsServer = metrics && config.metrics ? await startMetricsServer(metrics, config.metrics, logger) : null;
    if (metricsServer) cleanups.push(() => metricsServer.close());
    // Last pushed, so the first to run on stop: /healthz says 503 while everything else is still
    // served for SHUTDOWN_DELAY, the time a balancer's health check takes to stop routing here.
    cleanups.push(async () => {
      shuttingDown = true;
      if (config.shutdownDelaySeconds > 0) {
        logger.info({ delaySeconds: config.shutdownDelaySeconds }, '/healthz answers 503; serving on until the delay is over');
        await sleep(config.shutdownDelaySeconds * 1000);
      }
    });
    let stopping: Promise<void> | undefined;
    return { url, orm, liveStatus: () => live.status(), metricsUrl: metricsServer?.url ?? null, stop: () => (stopping ??= cleanUp()) };
  } catch (error) {
    await cleanUp().catch((cleanupError) => logger.error({ err: cleanupError }, 'cleanup after failed start'));
    throw error;
  }
}
