import { DriverException } from '@mikro-orm/core';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';
import { prettyDestination } from './pretty-logs';

export type { Logger };

/**
 * A database error's message starts with the SQL it ran, values inlined (a password hash in an
 * INSERT, say), and PostgreSQL's `detail` may quote a row; the log keeps only what went wrong.
 */
function withoutSql(error: unknown): unknown {
  if (!(error instanceof DriverException)) return error;
  const separator = error.message.lastIndexOf(' - ');
  const reason = separator === -1 ? 'database error' : error.message.slice(separator + 3);
  const { code, table, constraint, routine } = error as DriverException & Record<string, unknown>;
  return {
    type: error.name,
    message: reason,
    code,
    table,
    constraint,
    routine,
    stack: error.stack?.split(error.message).join(reason),
  };
}

/** Logs to stdout, or to `destination` (tests capture them there), as JSON or pretty lines (LOG_FORMAT). */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    serializers: { err: (error: unknown) => pino.stdSerializers.err(withoutSql(error) as Error) },
    // Defence in depth: nothing logs these on purpose, and they must never reach a log by accident.
    redact: {
      paths: ['req.headers.authorization', '*.password', '*.passwordHash', '*.token', 'password', 'token'],
      censor: '[redacted]',
    },
  };
  if (config.logFormat === 'pretty') return pino(options, prettyDestination(destination));
  return destination ? pino(options, destination) : pino(options);
}
