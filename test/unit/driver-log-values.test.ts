import { Writable } from 'node:stream';
import { DriverException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { createLogger, driverMessage } from '../../src/logger';

const HASH = '$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012';
const STATEMENT = `insert into "users" ("id", "email", "password_hash") values ('0b6f…', 'ann@example.com', '${HASH}')`;

function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'trace', logFormat: 'json' }, destination), lines };
}

describe('nothing from the database driver reaches the log with values in it', () => {
  it('cuts a driver message holding a statement to what went wrong', () => {
    expect(driverMessage(`Failed to roll back transaction: ${STATEMENT} - Connection terminated unexpectedly`)).toBe(
      'Connection terminated unexpectedly',
    );
    expect(driverMessage(`Query failed: ${STATEMENT}`)).toBe('database error (statement withheld)');
    expect(driverMessage('PostgreSQL connection error: read ECONNRESET')).toBe('PostgreSQL connection error: read ECONNRESET');
  });

  it('logs a database error wrapped as the cause of another without its SQL', () => {
    const { logger, lines } = capturedLogger();
    const driverError = new DriverException(Object.assign(new Error(`${STATEMENT} - Connection terminated unexpectedly`), { code: '08006' }));
    logger.error({ err: new Error('could not register', { cause: driverError }) }, 'unexpected error');
    const line = lines.join('');
    expect(line).toContain('could not register');
    expect(line).toContain('Connection terminated unexpectedly');
    expect(line).not.toContain('$2');
    expect(line).not.toContain('ann@example.com');
    expect(line).not.toMatch(/insert into/i);
  });
});
