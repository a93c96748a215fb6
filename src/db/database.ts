import type { Logger } from 'pino';
import type { DatabaseConfig, DatabasePooler } from '../config';
import { runningEmbeddedPostgresUrl, startEmbeddedPostgres, type DatabaseHandle } from './embedded-postgres';

/** The database the server uses: where its pool goes, and where session state is safe. */
export interface Database extends DatabaseHandle {
  /** What is between `url` and PostgreSQL (DATABASE_POOLER). */
  readonly pooler: DatabasePooler;
  /** Straight to PostgreSQL (or a session-mode pooler): migrations and their lock, the job queue. `url` without a pooler. */
  readonly directUrl: string;
}

/**
 * The configured database, or the embedded one (started here, stopped with the server). With
 * `shareRunning`, an embedded PostgreSQL already running on the data folder (a server's) is used as
 * it is, and left running.
 */
export async function openDatabase(config: DatabaseConfig, logger: Logger, { shareRunning = false } = {}): Promise<Database> {
  if (config.kind === 'url') return { url: config.url, pooler: config.pooler, directUrl: config.directUrl, stop: async () => {} };
  const running = shareRunning ? await runningEmbeddedPostgresUrl(config.dataDir) : null;
  const handle = running ? { url: running, stop: async () => {} } : await startEmbeddedPostgres(config.dataDir, logger);
  return { ...handle, pooler: 'none', directUrl: handle.url };
}
