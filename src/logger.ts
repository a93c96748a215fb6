import pino, { type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    // Defence in depth: nothing logs these on purpose, and they must never reach a log by accident.
    redact: {
      paths: ['req.headers.authorization', '*.password', '*.passwordHash', '*.token', 'password', 'token'],
      censor: '[redacted]',
    },
  });
}
