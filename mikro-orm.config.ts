import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { AlertLink } from './src/entities/alert-link.entity';
import { Location } from './src/entities/location';
import { RateLimitCounter } from './src/entities/rate-limit.entity';
import { SecurityEvent } from './src/entities/security-event.entity';
import { User } from './src/entities/user.entity';
import { UserLogin } from './src/entities/user-login.entity';
import type { DatabasePooler } from './src/config';
import { guardPool } from './src/db/pool-guard';
import { DATABASE_TIMEOUTS_MS } from './src/limits';
import { driverMessage } from './src/logger';
import { migrationsList } from './src/migrations';

/** Where the database driver reports trouble (a dropped connection, say); the console by default. */
export interface DriverLog {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * @param pooler `transaction` when `clientUrl` is a transaction pooler (PgBouncer): it refuses
 * startup parameters it does not know, so `statement_timeout` is not sent; set it where the server
 * connections are made instead (deploy/pgbouncer.ini's `connect_query`). The client's own
 * `query_timeout` still applies.
 */
export function createOrmConfig(clientUrl: string, log: DriverLog = console, { pooler = 'none' }: { pooler?: DatabasePooler } = {}): Options {
  return defineConfig({
    clientUrl,
    entities: [User, UserLogin, Location, SecurityEvent, AlertLink, RateLimitCounter],
    extensions: [Migrator],
    migrations: {
      // The runtime applies the explicit list (it works the same compiled and under the test
      // runner); the CLI writes new migrations next to it, as TypeScript.
      migrationsList,
      path: 'src/migrations',
      pathTs: 'src/migrations',
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      tableName: 'mikro_orm_migrations',
      silent: true,
    },
    // graphile-worker owns its schema (src/jobs/job-queue.ts installs and migrates it).
    schemaGenerator: { ignoreSchema: ['graphile_worker'] },
    // Entities are decorated classes whose column types come from TypeScript's emitted metadata.
    metadataProvider: ReflectMetadataProvider,
    pool: { min: 0, max: 10 },
    driverOptions: {
      connectionTimeoutMillis: DATABASE_TIMEOUTS_MS.connect,
      ...(pooler === 'transaction' ? {} : { statement_timeout: DATABASE_TIMEOUTS_MS.query }),
      query_timeout: DATABASE_TIMEOUTS_MS.query,
      // TCP keepalive notices a connection whose peer vanished without closing it.
      keepAlive: true,
      onPoolCreated: guardPool,
    },
    // The driver's warnings and errors (a pooled connection dropped by the server, say) reach the
    // server's log; queries are never logged, since their parameters hold emails and hashes.
    loggerFactory: () => ({
      log() {},
      logQuery() {},
      // Nothing from the driver reaches the log with values in it: a message holding SQL is cut.
      warn: (_namespace, message) => log.warn(driverMessage(message)),
      error: (_namespace, message) => log.error(driverMessage(message)),
      setDebugMode() {},
      isEnabled: () => false,
    }),
    // The database exists (created by the operator, the tests, or src/db/embedded-postgres.ts). The ORM's
    // own check looks the URL's database name up in pg_database, which behind PgBouncer may be an alias.
    ensureDatabase: false,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
  });
}

/** Used by the MikroORM CLI (`npm run migration:create`), which reads DATABASE_URL. */
export default createOrmConfig(process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/login_activity');
