import { bootstrap } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const logger = createLogger(config);
  if (config.jwt.usesInsecureDefaultSecret) {
    logger.warn('JWT_SECRET is not set: tokens are signed with a fixed, publicly known development secret');
  }

  const server = await bootstrap(config, logger);
  logger.info({ url: server.url, database: config.database.kind }, `GraphQL server ready at ${server.url}`);

  const shutDown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    server.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);
}

main().catch((error: unknown) => {
  console.error('The server could not start:', error);
  process.exit(1);
});
