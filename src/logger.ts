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
  if (!(error instanceof DriverException)) {
    // pino writes an error's causes into its message and stack: a database error wrapped in another
    // error would bring its SQL along.
    if (error instanceof Error && error.cause !== undefined && hasDriverCause(error.cause)) {
      const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error, {
        message: error.message,
        stack: error.stack,
      });
      copy.cause = withoutSql(error.cause);
      return copy;
    }
    return error;
  }
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

function hasDriverCause(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    if (current instanceof DriverException) return true;
  }
  return false;
}

/** Words that start an SQL statement: a driver message holding one may hold its values too. */
const SQL_STATEMENT = /\b(insert\s+into|update\s+"?\w|delete\s+from|select\s|values\s*\()/i;

/**
 * A database driver's own message (the ORM's warnings, pg's connection errors), fit for the log: one
 * that holds a statement keeps only what went wrong (after the last " - ", as DriverException
 * writes it), never the statement and its values.
 */
export function driverMessage(message: string): string {
  if (!SQL_STATEMENT.test(message) && !message.includes('$2')) return message;
  const separator = message.lastIndexOf(' - ');
  const reason = separator === -1 ? '' : message.slice(separator + 3);
  return reason && !SQL_STATEMENT.test(reason) ? reason : 'database error (statement withheld)';
}

/** Logs to stdout, or to `destination` (tests capture them there), as JSON or pretty lines (LOG_FORMAT). */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    serializers: { err: (error: unknown) => pino.stdSerializers.err(withoutSql(error) as Error) },
    // Defence in depth: nothing logs these on purpose, and they must never reach a log by accident.
    redact: {
      paths: ['req.headers.authorization', '*.password', '*.currentPassword', '*.newPassword', '*.passwordHash', '*.token', 'password', 'token'],
      censor: '[redacted]',
    },
  };
  if (config.logFormat === 'pretty') return pino(options, prettyDestination(destination));
  // Written asynchronously: under load, lines that wait while a write is in flight go out together,
  // one system call for many requests instead of one each. pino writes what is left when the
  // process exits (normally, on a signal's shutdown, or on a crash); only a SIGKILL can lose lines.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
