import type { Logger } from 'pino';
import type { DatabaseConfig } from '../config';
import { runningEmbeddedPostgresUrl, startEmbeddedPostgres, type DatabaseHandle } from './embedded-postgres';

/**
 * The configured database, or the embedded one (started here, stopped with the server). With
 * `shareRunning`, an embedded PostgreSQL already running on the data folder (a server's) is used as
 * it is, and left running.
 */
export async function openDatabase(config: DatabaseConfig, logger: Logger, { shareRunning = false } = {}): Promise<DatabaseHandle> {
  if (config.kind === 'url') return { url: config.url, stop: async () => {} };
  const running = shareRunning ? await runningEmbeddedPostgresUrl(config.dataDir) : null;
  if (running) return { url: running, stop: async () => {} };
  return startEmbeddedPostgres(config.dataDir, logger);
}
