import { ConnectionException } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { serviceUnavailable } from '../errors';

// Node socket errors seen when PostgreSQL cannot be reached, or when this process cannot open a
// socket to it at all (out of file descriptors, per process or system-wide): a passing condition
// the client should retry, like an outage, not a bug.
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EMFILE',
  'ENFILE',
]);

// SQLSTATE classes that mean "the database cannot serve you now", not "this query is wrong":
// 08 connection exception, 28 authorization refused, 3D database missing, 53 out of resources
// (disk, memory, connections), 55 not in the required state (e.g. not accepting connections, lock
// not available), 57 operator intervention (shutdown, restart, statement timeout), 58 system error.
const UNAVAILABLE_SQLSTATE = /^(08|28|3D|53|55|57|58)[0-9A-Z]{3}$/;

// node-postgres' own errors, which carry no code: a connection lost under a query, a query or a
// connect that timed out (`timeout expired` is the client's connectionTimeoutMillis), the pool's wait.
// A transaction whose connection was cut is marked finished by the query builder (Kysely under
// MikroORM 7: "Transaction is already rolled back"; knex under MikroORM 6: "Transaction query already
// complete"), and the statement after the cut fails with that instead of the network error.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|Query read timeout|^timeout expired$|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|the database system is (starting up|shutting down)|Transaction query already complete|Transaction is already (committed|rolled back)/i;

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 10) {
    chain.push(current);
    const next = (current as { originalError?: unknown; cause?: unknown }).originalError ?? current.cause;
    if (next === current) break;
    current = next;
  }
  return chain;
}

/** True when the error says the database is unreachable or refusing work, rather than a bug or bad input. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return causes(error).some((cause) => {
    if (cause instanceof ConnectionException) return true;
    const { code, message } = cause as Error & { code?: unknown };
    if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
    return UNAVAILABLE_MESSAGE.test(message);
  });
}

/**
 * What to throw for an error caught around database work: SERVICE_UNAVAILABLE (logged with its
 * cause) when the database cannot serve, the error itself otherwise.
 */
export function unavailableOr(error: unknown, logger: Logger): unknown {
  if (!isDatabaseUnavailable(error)) return error;
  logger.warn({ err: error }, 'database unavailable');
  return serviceUnavailable();
}
