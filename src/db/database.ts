import type { Logger } from 'pino';
import type { DatabaseConfig } from '../config';
import { startEmbeddedPostgres, type DatabaseHandle } from './embedded-postgres';

/** The configured database, or the embedded one (started here, stopped with the server). */
export async function openDatabase(config: DatabaseConfig, logger: Logger): Promise<DatabaseHandle> {
  if (config.kind === 'url') return { url: config.url, stop: async () => {} };
  return startEmbeddedPostgres(config.dataDir, logger);
}
